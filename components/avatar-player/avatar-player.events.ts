/**
 * Typed events of <avatar-player>: with these, `el.addEventListener('firstframe', (e) => e.detail.elapsedMs)`
 * type-checks. `error` replaces HTMLElement's ErrorEvent typing on this element.
 */

import type { PlayerEventDetails, PlayerEventName } from '../../src/events.js';

export type AvatarPlayerEvent<K extends PlayerEventName> = CustomEvent<PlayerEventDetails[K]>;

export type AvatarPlayerEventMap = Omit<HTMLElementEventMap, PlayerEventName> & {
  [K in PlayerEventName]: AvatarPlayerEvent<K>;
};

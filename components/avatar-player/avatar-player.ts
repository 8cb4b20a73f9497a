import { AvatarPlayer } from './avatar-player.component.js';

export { AvatarPlayer } from './avatar-player.component.js';
export type { AvatarPlayerEvent, AvatarPlayerEventMap } from './avatar-player.events.js';
export type {
  AutoplayBlockedDetail,
  FirstFrameDetail,
  PlayerErrorCode,
  PlayerErrorDetail,
  PlayerEventDetails,
  PlayerEventName,
  PlayerState,
  PlayerWarningCode,
  PlayerWarningDetail,
  StateChangeDetail,
  TransportChangeDetail,
  TransportChangeReason,
} from '../../src/events.js';
export type { PlayerStats } from '../../src/session.js';

if (!customElements.get('avatar-player')) customElements.define('avatar-player', AvatarPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'avatar-player': AvatarPlayer;
  }
}

import { AvatarPlayer } from './avatar-player.component.js';

export { AvatarPlayer } from './avatar-player.component.js';
export type { AvatarPlayerEvent, AvatarPlayerEventMap } from './avatar-player.events.js';
export type {
  AutoplayBlockedDetail,
  CaptionDetail,
  CueDetail,
  FirstFrameDetail,
  PlayerErrorCode,
  PlayerErrorDetail,
  PlayerEventDetails,
  PlayerEventName,
  PlayerState,
  PlayerWarningCode,
  PlayerWarningDetail,
  SpeechDetail,
  StateChangeDetail,
  TransportChangeDetail,
  TransportChangeReason,
} from '../../src/events.js';
export type { PlayerStats } from '../../src/player-stats.js';

if (!customElements.get('avatar-player')) customElements.define('avatar-player', AvatarPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'avatar-player': AvatarPlayer;
  }
}

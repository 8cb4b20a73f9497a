/** What `getStats()` returns and the `stats` event carries: one shape for every media path. */

import type { PlayerState } from './events.js';
import type { TransportKind } from './protocol.js';
import type { WebRtcPathStats } from './transports/transport.js';

/** Every figure is null when the path on screen cannot tell (e.g. no server clock on a WHEP or plain fMP4 source). */
export interface PlayerStats {
  state: PlayerState;
  transport: TransportKind | null;
  /** Glass-to-glass: from the server sending the frame on screen to its display, in ms (clock offset corrected). */
  latencyMs: number | null;
  /** How far the picture is ahead of the sound, in ms (negative: behind), as far as the browser lets the player see. */
  avOffsetMs: number | null;
  /** Stream time (s) of the frame on screen: the server's playout timeline. */
  positionS: number | null;
  /** Frames presented per second, over the last few seconds. */
  framesPerSecond: number | null;
  /** Frames the browser dropped since the path came on screen. */
  droppedFrames: number | null;
  /** Media waiting to be shown: MSE's buffer ahead of the playhead, WebRTC's jitter buffer delay, in ms. */
  bufferMs: number | null;
  /** What the jitter buffer asks for to ride out bursty delivery (MSE: the worker's; WebRTC: the browser's target delay), in ms. */
  jitterDepthMs: number | null;
  /** The buffer the MSE live-edge control aims at: max(`latency`, jitter depth), in ms. */
  targetBufferMs: number | null;
  playbackRate: number | null;
  /** Media received, kbit/s over the last second. */
  bitrateKbps: number | null;
  /** Share of media packets lost over the last second (0–1); null on TCP paths, which lose nothing but time. */
  packetLoss: number | null;
  /** Server clock minus this page's clock, in ms, from ping/pong. */
  clockOffsetMs: number | null;
  /** WebRTC: the ICE path in use. */
  webrtcPath: WebRtcPathStats | null;
}

/** Stats with every figure unknown. */
export function unknownStats(state: PlayerState, transport: TransportKind | null): PlayerStats {
  return {
    state,
    transport,
    latencyMs: null,
    avOffsetMs: null,
    positionS: null,
    framesPerSecond: null,
    droppedFrames: null,
    bufferMs: null,
    jitterDepthMs: null,
    targetBufferMs: null,
    playbackRate: null,
    bitrateKbps: null,
    packetLoss: null,
    clockOffsetMs: null,
    webrtcPath: null,
  };
}

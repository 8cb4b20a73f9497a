/**
 * The `FrameTiming` of each transport: how a presented frame's requestVideoFrameCallback metadata maps to
 * stream pts. WebRTC: the frame's RTP timestamp through the server's `clock.rtp`. MSE (and HLS): the
 * element's media time through the remuxer's anchors.
 */

import type { FrameTiming } from './media-clock.js';
import type { MediaTimeMap } from './media-time-map.js';
import type { StreamTimeline } from './stream-timeline.js';

export type OffsetSource = () => number | undefined;

export function webRtcFrameTiming(timeline: StreamTimeline, serverOffsetMs: OffsetSource): FrameTiming {
  return {
    ptsOfFrame: (metadata) => (metadata.rtpTimestamp === undefined ? undefined : timeline.ptsOfVideoRtp(metadata.rtpTimestamp)),
    serverTimeOf: (pts) => timeline.serverTimeOf(pts),
    serverOffsetMs,
  };
}

export function mediaTimeFrameTiming(
  mediaTimes: MediaTimeMap,
  timeline: StreamTimeline,
  serverOffsetMs: OffsetSource,
): FrameTiming {
  return {
    ptsOfFrame: (metadata) => mediaTimes.streamTimeOf(metadata.mediaTime),
    serverTimeOf: (pts) => timeline.serverTimeOf(pts),
    serverOffsetMs,
  };
}

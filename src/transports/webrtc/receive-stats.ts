/**
 * The figures `getStats()` reports for a WebRTC path, from two getStats() snapshots a poll apart (pure):
 * bitrate (audio + video), packet loss (audio + video), and the video jitter buffer — how long frames
 * waited in it, and how long the browser wants them to wait — over the span between the snapshots.
 */

export interface ReceiveCounters {
  /** ms, any monotonic clock. */
  at: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** Video: seconds summed over emitted frames (W3C webrtc-stats). */
  jitterBufferDelay: number;
  jitterBufferTargetDelay: number;
  jitterBufferEmittedCount: number;
}

export interface ReceiveFigures {
  bitrateKbps: number;
  /** 0–1; undefined when no packet was expected. */
  packetLoss: number | undefined;
  /** ms; undefined when no frame left the jitter buffer. */
  jitterBufferMs: number | undefined;
  jitterTargetMs: number | undefined;
}

export function receiveCountersOf(entries: Iterable<Readonly<Record<string, unknown>>>, at: number): ReceiveCounters | undefined {
  let counters: ReceiveCounters | undefined;
  for (const entry of entries) {
    if (entry['type'] !== 'inbound-rtp') continue;
    counters ??= { at, bytesReceived: 0, packetsReceived: 0, packetsLost: 0, jitterBufferDelay: 0, jitterBufferTargetDelay: 0, jitterBufferEmittedCount: 0 };
    counters.bytesReceived += numberOr0(entry['bytesReceived']) + numberOr0(entry['headerBytesReceived']);
    counters.packetsReceived += numberOr0(entry['packetsReceived']);
    counters.packetsLost += numberOr0(entry['packetsLost']);
    if (entry['kind'] !== 'video') continue;
    counters.jitterBufferDelay += numberOr0(entry['jitterBufferDelay']);
    counters.jitterBufferTargetDelay += numberOr0(entry['jitterBufferTargetDelay']);
    counters.jitterBufferEmittedCount += numberOr0(entry['jitterBufferEmittedCount']);
  }
  return counters;
}

/** Undefined when the counters went back (a new session) or no time passed. */
export function receiveFigures(before: ReceiveCounters, after: ReceiveCounters): ReceiveFigures | undefined {
  const ms = after.at - before.at;
  const bytes = after.bytesReceived - before.bytesReceived;
  const received = after.packetsReceived - before.packetsReceived;
  const lost = after.packetsLost - before.packetsLost;
  const emitted = after.jitterBufferEmittedCount - before.jitterBufferEmittedCount;
  if (ms <= 0 || bytes < 0 || received < 0 || emitted < 0) return undefined;
  const perFrameMs = (seconds: number) => (emitted > 0 ? (seconds / emitted) * 1000 : undefined);
  return {
    bitrateKbps: Math.round((bytes * 8) / ms),
    // packetsLost may fall when late packets turn up: never below no loss.
    packetLoss: received + lost > 0 ? Math.max(0, lost) / (received + Math.max(0, lost)) : undefined,
    jitterBufferMs: perFrameMs(after.jitterBufferDelay - before.jitterBufferDelay),
    jitterTargetMs: perFrameMs(after.jitterBufferTargetDelay - before.jitterBufferTargetDelay),
  };
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

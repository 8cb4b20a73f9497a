/** The playout timeline counts in 48 kHz ticks (audio is the master clock); every pts is a whole number of them. */
const TIMELINE_RATE = 48000;

/**
 * Seconds on the stream timeline as ticks of a track's timescale, rounded half up. Going through the
 * timeline's own ticks keeps the rounding exact: start + duration lands on the next sample's start.
 */
export function toTrackTicks(seconds: number, timescale: number): number {
  return rescale(Math.round(seconds * TIMELINE_RATE), timescale);
}

/** The end of a sample, in the same ticks as toTrackTicks(start). */
export function endTicks(start: number, duration: number, timescale: number): number {
  return rescale(Math.round(start * TIMELINE_RATE) + Math.round(duration * TIMELINE_RATE), timescale);
}

/** Reduced by the common divisor, so that the product stays an exact integer for centuries of stream. */
function rescale(timelineTicks: number, timescale: number): number {
  const divisor = gcd(timescale, TIMELINE_RATE);
  return Math.round((timelineTicks * (timescale / divisor)) / (TIMELINE_RATE / divisor));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

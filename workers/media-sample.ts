/**
 * The vocabulary of the remux pipeline (demux → rebase → jitter buffer → segment → MediaSource),
 * shared by the worker and the reference server's fMP4 output.
 */

export type TrackKind = 'video' | 'audio';

/** One track as an init segment (moov) describes it. */
export interface TrackInfo {
  /** track_ID in the source stream; samples refer to it. */
  id: number;
  kind: TrackKind;
  /** RFC 6381 codec string for MediaSource, e.g. "avc1.640028", "mp4a.40.2", "opus". */
  codec: string;
  /** Ticks per second of this track's timestamps. */
  timescale: number;
  /** The complete sample-entry box (avc1, mp4a, Opus, …), header included, exactly as it goes into an stsd. */
  sampleEntry: Uint8Array;
  /** Video only. */
  width?: number;
  height?: number;
  /** Audio only. */
  sampleRate?: number;
  channels?: number;
}

/** One coded frame. Times are integers in the track's timescale. */
export interface MediaSample {
  trackId: number;
  /** Decode time; for a demuxed stream, already shifted by the track's edit list. */
  dts: number;
  /** Composition offset (pts − dts); non-zero only with reordered frames (B-frames). */
  cto: number;
  duration: number;
  /** A sync sample (video keyframe; every audio frame is one). */
  keyframe: boolean;
  data: Uint8Array;
}

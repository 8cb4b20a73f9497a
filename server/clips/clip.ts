import type { ClipCues } from '../cues/clip-cues.js';

/**
 * A clip ready for playout: demuxed, in memory, with codecs every output can send as is
 * (H.264 without B-frames, starting on a keyframe; Opus at 48 kHz).
 */

export interface VideoSample {
  /** One access unit in AVCC form: NAL units each prefixed by a 4-byte big-endian length. */
  data: Uint8Array;
  /** Presentation time in seconds from the start of the clip (= decode time: there are no B-frames). */
  time: number;
  duration: number;
  keyframe: boolean;
}

export interface AudioSample {
  /** One Opus packet. */
  data: Uint8Array;
  /** Seconds from the start of the clip. */
  time: number;
  duration: number;
}

export interface VideoTrackInfo {
  /** RFC 6381 codec string, e.g. "avc1.42c01f". */
  codec: string;
  width: number;
  height: number;
  /** Sequence and picture parameter sets from the avcC box, without length prefixes. */
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** The avcC box payload (AVCDecoderConfigurationRecord), for outputs that need it whole. */
  avcC: Uint8Array;
}

export interface AudioTrackInfo {
  codec: 'opus';
  sampleRate: 48000;
  channels: number;
  /** Opus pre-skip in samples at 48 kHz, from the dOps box. */
  preSkip: number;
}

export interface Clip {
  /** File name without directory, used in logs. */
  name: string;
  /** The file the samples came from (the original, or its normalised copy in the cache). */
  path: string;
  video: VideoTrackInfo;
  audio: AudioTrackInfo;
  videoSamples: VideoSample[];
  audioSamples: AudioSample[];
  /** Length of the clip on the timeline, in seconds: the audio's length (audio is the master). */
  duration: number;
  /** Captions and application cues from the clip's sidecar (`<name>.json`), when it has a valid one. */
  cues?: ClipCues;
}

import { readFile, stat } from 'node:fs/promises';
import { VisualSampleEntry, type Sample } from 'mp4box';
import { ClipError } from './clip-error.js';
import { parseMp4, type Mp4Track, type ParsedMp4 } from './mp4-parse.js';

/** Clips are held in memory whole; anything larger is not a lip-sync clip. */
export const MAX_CLIP_BYTES = 512 * 1024 * 1024;

export interface VideoProbe {
  /** RFC 6381 codec string, e.g. "avc1.4d401e". */
  codec: string;
  /** The sample entry's four-character code, e.g. "avc1". */
  sampleEntry: string;
  /** H.264 profile_idc from the avcC box (66 baseline, 77 main, 100 high), when the codec is H.264. */
  h264Profile: number | undefined;
  /** Bytes of each NAL unit length prefix in the samples (avcC lengthSizeMinusOne + 1). */
  nalLengthSize: number | undefined;
  width: number;
  height: number;
  frameCount: number;
  frameRate: number;
  /** Seconds: the sum of the sample durations. */
  duration: number;
  /** Composition order differs from decode order somewhere. */
  hasBFrames: boolean;
  startsOnKeyframe: boolean;
  /** Longest stretch, in seconds, without a keyframe (up to the end of the clip). */
  maxKeyframeInterval: number;
  /** An edit list shifts or trims the video: playing the samples as they are would be wrong. */
  editedByEditList: boolean;
  sampleEntryCount: number;
}

export interface AudioProbe {
  codec: string;
  sampleEntry: string;
  sampleRate: number;
  channels: number;
  packetCount: number;
  /** Seconds: the sum of the packet durations. */
  duration: number;
}

export interface ClipProbe {
  file: string;
  sizeBytes: number;
  video: VideoProbe;
  audio: AudioProbe | undefined;
  faststart: boolean;
  fragmented: boolean;
}

/** Reads and probes an MP4. Throws ClipError 'not-mp4', 'truncated', 'no-video' or 'unsupported'. */
export async function probeClip(path: string): Promise<ClipProbe> {
  return probeParsed(parseMp4(await readClipBytes(path), path));
}

export async function readClipBytes(path: string): Promise<Uint8Array> {
  const info = await stat(path).catch((error: Error) => {
    throw new ClipError('not-mp4', path, `cannot read the file: ${error.message}`);
  });
  if (!info.isFile()) throw new ClipError('not-mp4', path, 'not a regular file');
  if (info.size > MAX_CLIP_BYTES) throw new ClipError('unsupported', path, `${info.size} bytes is more than the ${MAX_CLIP_BYTES} a clip may have`);
  return readFile(path);
}

export function probeParsed(parsed: ParsedMp4): ClipProbe {
  const { video, audio } = parsed;
  if (!video || video.samples.length === 0) throw new ClipError('no-video', parsed.file, 'the file has no video track with samples');
  return {
    file: parsed.file,
    sizeBytes: parsed.bytes.length,
    video: probeVideo(video),
    audio: audio && audio.samples.length > 0 ? probeAudio(audio) : undefined,
    faststart: parsed.faststart,
    fragmented: parsed.movie.isFragmented,
  };
}

function probeVideo(track: Mp4Track): VideoProbe {
  const { info, entry, samples } = track;
  const avcC = entry instanceof VisualSampleEntry ? entry.avcC : undefined;
  const duration = totalSeconds(samples);
  return {
    codec: info.codec,
    sampleEntry: entry.type,
    h264Profile: avcC?.AVCProfileIndication,
    nalLengthSize: avcC ? avcC.lengthSizeMinusOne + 1 : undefined,
    width: info.video?.width ?? info.track_width,
    height: info.video?.height ?? info.track_height,
    frameCount: samples.length,
    frameRate: duration > 0 ? samples.length / duration : 0,
    duration,
    hasBFrames: samples.some((sample, i) => i > 0 && sample.cts < samples[i - 1]!.cts),
    startsOnKeyframe: samples[0]?.is_sync === true,
    maxKeyframeInterval: maxKeyframeInterval(samples, duration),
    editedByEditList: (info.edits ?? []).some((edit, i) => i > 0 || edit.media_time !== 0 || edit.media_rate_integer !== 1),
    sampleEntryCount: track.sampleEntryCount,
  };
}

function probeAudio(track: Mp4Track): AudioProbe {
  const { info, entry, samples } = track;
  return {
    codec: info.codec,
    sampleEntry: entry.type,
    sampleRate: info.audio?.sample_rate ?? 0,
    channels: info.audio?.channel_count ?? 0,
    packetCount: samples.length,
    duration: totalSeconds(samples),
  };
}

function totalSeconds(samples: Sample[]): number {
  let ticks = 0;
  for (const sample of samples) ticks += sample.duration;
  return samples.length > 0 ? ticks / samples[0]!.timescale : 0;
}

function maxKeyframeInterval(samples: Sample[], duration: number): number {
  const first = samples[0];
  if (!first) return 0;
  let longest = 0;
  let lastKeyframe = 0;
  for (const sample of samples) {
    if (!sample.is_sync) continue;
    const time = (sample.cts - first.cts) / sample.timescale;
    longest = Math.max(longest, time - lastKeyframe);
    lastKeyframe = time;
  }
  return Math.max(longest, duration - lastKeyframe);
}

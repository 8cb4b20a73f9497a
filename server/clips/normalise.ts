import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { ClipError } from './clip-error.js';
import { FfmpegError, runFfmpeg } from './ffmpeg.js';
import type { ClipProbe } from './probe.js';

/** Bump when the ffmpeg recipe changes, so that old cache entries are not reused. */
const RECIPE_VERSION = 'n2';
const GOP_SECONDS = 0.5;
/** A viewer joins on a keyframe: a longer wait than this is worth a re-encode. */
const MAX_KEYFRAME_INTERVAL_SECONDS = 1;
/** H.264 profiles every browser's WebRTC stack decodes: baseline (66) and main (77). */
const PLAYABLE_H264_PROFILES = new Set([66, 77]);
const OPUS_RATE = 48000;
const FALLBACK_FRAME_RATE = 25;

export type ClipLog = Pick<Logger, 'info' | 'warn'>;

export interface NormalisationPlan {
  video: 'copy' | 'encode';
  audio: 'copy' | 'encode' | 'add-silence';
  /** Why the clip does not fit as it is, for logs. */
  reasons: string[];
}

export interface NormaliseOptions {
  cacheDir: string;
  log?: ClipLog;
  /** ffmpeg is killed after this long; by default 30 s plus 10 s per second of clip. */
  timeoutMs?: number;
}

/** What ffmpeg must do to a clip, or undefined when it already fits every output as it is. */
export function planNormalisation(probe: ClipProbe): NormalisationPlan | undefined {
  const videoReasons = videoMisfits(probe);
  const audioReasons = audioMisfits(probe);
  if (videoReasons.length === 0 && audioReasons.length === 0) return undefined;
  return {
    video: videoReasons.length > 0 ? 'encode' : 'copy',
    audio: !probe.audio ? 'add-silence' : audioReasons.length > 0 ? 'encode' : 'copy',
    reasons: [...videoReasons, ...audioReasons],
  };
}

function videoMisfits({ video }: ClipProbe): string[] {
  const reasons: string[] = [];
  if (video.sampleEntry !== 'avc1') reasons.push(`video is ${video.codec}, not H.264 (avc1)`);
  else if (video.h264Profile === undefined || !PLAYABLE_H264_PROFILES.has(video.h264Profile)) {
    reasons.push(`H.264 profile ${video.h264Profile ?? '?'} is not baseline or main`);
  }
  if (video.hasBFrames) reasons.push('video has B-frames');
  if (!video.startsOnKeyframe) reasons.push('video does not start on a keyframe');
  if (video.maxKeyframeInterval > MAX_KEYFRAME_INTERVAL_SECONDS) reasons.push(`keyframes are up to ${video.maxKeyframeInterval.toFixed(2)} s apart`);
  if (video.editedByEditList) reasons.push('an edit list shifts or trims the video');
  if (video.sampleEntryCount > 1) reasons.push('the video changes its codec configuration');
  return reasons;
}

function audioMisfits({ audio }: ClipProbe): string[] {
  if (!audio) return ['no audio track'];
  const reasons: string[] = [];
  if (audio.sampleEntry !== 'Opus') reasons.push(`audio is ${audio.codec}, not Opus`);
  else if (audio.sampleRate !== OPUS_RATE) reasons.push(`audio is at ${audio.sampleRate} Hz, not 48 kHz`);
  if (audio.channels > 2) reasons.push(`audio has ${audio.channels} channels`);
  return reasons;
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Writes a normalised copy of a clip into `cacheDir` (once: the cache is keyed by the clip's content)
 * and returns its path. Throws ClipError 'normalise-failed' with ffmpeg's last stderr lines.
 */
export async function normaliseClip(
  source: string,
  content: Uint8Array,
  probe: ClipProbe,
  plan: NormalisationPlan,
  options: NormaliseOptions,
): Promise<string> {
  const output = cachePathFor(source, content, options.cacheDir);
  if (await exists(output)) return output;
  const pending = inFlight.get(output) ?? runNormalisation(source, output, probe, plan, options).finally(() => inFlight.delete(output));
  inFlight.set(output, pending);
  return pending;
}

/** Where the normalised copy of a clip with this content lives. */
export function cachePathFor(source: string, content: Uint8Array, cacheDir: string): string {
  const hash = createHash('sha256').update(RECIPE_VERSION).update(content).digest('hex').slice(0, 20);
  const stem = basename(source, extname(source)).replace(/[^\w.-]+/g, '_').slice(0, 80);
  return join(cacheDir, 'normalised', `${stem}-${hash}.mp4`);
}

async function runNormalisation(source: string, output: string, probe: ClipProbe, plan: NormalisationPlan, options: NormaliseOptions): Promise<string> {
  const dir = join(output, '..');
  const temp = join(dir, `.${basename(output)}.${process.pid}.${randomUUID()}.part`);
  const timeoutMs = options.timeoutMs ?? 30_000 + 10_000 * probe.video.duration;
  options.log?.info(`normalising ${basename(source)} (video ${plan.video}, audio ${plan.audio}): ${plan.reasons.join('; ')}`);
  const started = performance.now();
  try {
    await mkdir(dir, { recursive: true });
    // absolute paths: a file name starting with '-' must never read as an ffmpeg option
    await runFfmpeg(normaliseArgs(resolve(source), resolve(temp), probe, plan), { timeoutMs });
    await rename(temp, output);
  } catch (error) {
    await rm(temp, { force: true });
    const reason = error instanceof FfmpegError ? error.reason : error instanceof Error ? error.message : String(error);
    throw new ClipError('normalise-failed', source, reason);
  }
  options.log?.info(`normalised ${basename(source)} in ${Math.round(performance.now() - started)} ms → ${output}`);
  return output;
}

/** The ffmpeg arguments (an array: never a shell string) that turn `input` into a clip that fits. */
export function normaliseArgs(input: string, output: string, probe: ClipProbe, plan: NormalisationPlan): string[] {
  const args = ['-i', input];
  if (plan.audio === 'add-silence') {
    args.push('-f', 'lavfi', '-t', probe.video.duration.toFixed(6), '-i', `anullsrc=r=${OPUS_RATE}:cl=mono`);
  }
  args.push('-map', '0:v:0', '-map', plan.audio === 'add-silence' ? '1:a:0' : '0:a:0');
  args.push(...(plan.video === 'copy' ? ['-c:v', 'copy'] : videoEncodeArgs(probe)));
  args.push(...(plan.audio === 'copy' ? ['-c:a', 'copy'] : audioEncodeArgs()));
  args.push('-map_metadata', '-1', '-sn', '-dn', '-movflags', '+faststart', '-f', 'mp4', output);
  return args;
}

function videoEncodeArgs(probe: ClipProbe): string[] {
  const rate = probe.video.frameRate > 0 && probe.video.frameRate <= 120 ? probe.video.frameRate : FALLBACK_FRAME_RATE;
  const gop = String(Math.max(1, Math.round(rate * GOP_SECONDS)));
  return [
    '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p',
    // one output frame per input frame, at its own time: no duplicated or dropped frames
    '-fps_mode', 'passthrough',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20',
    '-profile:v', 'baseline', '-bf', '0',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
    '-pix_fmt', 'yuv420p',
  ];
}

/**
 * Mono stays mono, anything wider becomes stereo: decided by ffmpeg from the decoded layout, because an
 * AAC sample entry's channel count is often wrong (5.1 AAC says 2).
 */
function audioEncodeArgs(): string[] {
  return ['-af', 'aformat=channel_layouts=mono|stereo', '-c:a', 'libopus', '-ar', String(OPUS_RATE), '-b:a', '64k', '-frame_duration', '20'];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

// Makes the fMP4 test streams the relay serves: small, deterministic ffmpeg encodes of synthetic sources,
// written the way a live ffmpeg relays to a socket (`-movflags frag_keyframe+empty_moov+default_base_moof`
// to a pipe), kept in memory.
import { spawn } from 'node:child_process';

export const FMP4_VARIANTS = [
  'h264-aac',
  'bframes',
  'opus',
  'aac-44k',
  '720p',
  'video-only',
  'resolution-change',
  'small-fragments',
];

const FPS = 25;
const DEFAULT_SECONDS = 5;
const ENCODE_TIMEOUT_MS = 60_000;
const MAX_STREAM_BYTES = 32 * 1024 * 1024;
const STDERR_KEEP_CHARS = 4_000;
/** Same bytes on every run: one encoder thread, no metadata, no version strings. */
const DETERMINISTIC = ['-threads', '1', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];

const BASE = { width: 320, height: 240, profile: 'baseline', bFrames: 0, audio: { codec: 'aac', rate: 48_000 }, fragmentUs: 0 };

/** Each variant is one or more encodes whose outputs follow each other in the byte stream. */
function partsOf(variant, seconds) {
  switch (variant) {
    case 'h264-aac':
      return [{ ...BASE, seconds }];
    case 'bframes':
      return [{ ...BASE, seconds, profile: 'high', bFrames: 2 }];
    case 'opus':
      return [{ ...BASE, seconds, audio: { codec: 'opus', rate: 48_000 } }];
    case 'aac-44k':
      return [{ ...BASE, seconds, audio: { codec: 'aac', rate: 44_100 } }];
    case '720p':
      return [{ ...BASE, seconds, width: 1280, height: 720 }];
    case 'video-only':
      return [{ ...BASE, seconds, audio: null }];
    case 'resolution-change': {
      const half = Math.max(1, Math.ceil(seconds / 2));
      return [
        { ...BASE, seconds: half },
        { ...BASE, seconds: half, width: 640, height: 360, toneHz: 660 },
      ];
    }
    case 'small-fragments':
      return [{ ...BASE, seconds, fragmentUs: 100_000 }];
    default:
      throw new Error(`unknown fMP4 test variant "${variant}"`);
  }
}

function encodeArgs(part) {
  const { width, height, seconds, profile, bFrames, audio, fragmentUs, toneHz = 440 } = part;
  const inputs = ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${FPS}:duration=${seconds}`];
  const maps = ['-map', '0:v'];
  const video = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', profile, '-bf', String(bFrames),
    '-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0', '-pix_fmt', 'yuv420p'];
  let audioArgs = [];
  if (audio) {
    inputs.push('-f', 'lavfi', '-i', `sine=frequency=${toneHz}:sample_rate=${audio.rate}:duration=${seconds}`);
    maps.push('-map', '1:a');
    audioArgs = audio.codec === 'opus'
      ? ['-c:a', 'libopus', '-b:a', '32k', '-ar', String(audio.rate)]
      : ['-c:a', 'aac', '-b:a', '64k', '-ar', String(audio.rate)];
  }
  const fragmenting = ['-movflags', 'frag_keyframe+empty_moov+default_base_moof'];
  if (fragmentUs) fragmenting.push('-frag_duration', String(fragmentUs));
  return [...inputs, ...maps, ...video, ...audioArgs, ...DETERMINISTIC, ...fragmenting, '-f', 'mp4', 'pipe:1'];
}

/**
 * @param {{ variants?: readonly string[]; seconds?: number; concurrency?: number }} [options]
 * @returns {Promise<Map<string, Uint8Array>>}
 */
export async function makeFmp4TestStreams({ variants = FMP4_VARIANTS, seconds = DEFAULT_SECONDS, concurrency = 2 } = {}) {
  const jobs = variants.flatMap((variant) => partsOf(variant, seconds).map((part, index) => ({ variant, index, part })));
  const outputs = await mapBounded(jobs, concurrency, (job) => runFfmpegToBytes(encodeArgs(job.part)));
  const streams = new Map();
  for (const variant of variants) {
    const parts = jobs.flatMap((job, i) => (job.variant === variant ? [outputs[i]] : []));
    streams.set(variant, concatBytes(parts));
  }
  return streams;
}

async function mapBounded(items, concurrency, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function runFfmpegToBytes(args) {
  const binary = process.env.FFMPEG_PATH ?? 'ffmpeg';
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    let bytes = 0;
    let stderr = '';
    let failure;
    const fail = (reason) => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(`timed out after ${ENCODE_TIMEOUT_MS} ms`), ENCODE_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      if (bytes > MAX_STREAM_BYTES) return fail(`output over ${MAX_STREAM_BYTES} bytes`);
      chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (text) => {
      stderr = (stderr + text).slice(-STDERR_KEEP_CHARS);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${binary} could not be started: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !failure) return resolve(new Uint8Array(Buffer.concat(chunks)));
      reject(new Error(`${binary} ${failure ?? `exited with ${signal ?? `code ${code}`}`}: ${stderr.trim() || 'no error output'}`));
    });
  });
}

function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

import { spawn } from 'node:child_process';

const STDERR_KEEP_BYTES = 64 * 1024;
const STDOUT_KEEP_BYTES = 1024 * 1024;
const STDERR_TAIL_LINES = 8;

export interface RunOptions {
  /** Killed (SIGKILL) after this long. */
  timeoutMs: number;
  /** The ffmpeg binary; `FFMPEG_PATH` or `ffmpeg` on the PATH by default. */
  binary?: string;
}

export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';

  constructor(
    /** ffmpeg's last stderr lines, or why it did not run at all. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function ffmpegBinary(): string {
  return process.env.FFMPEG_PATH ?? 'ffmpeg';
}

export function ffprobeBinary(): string {
  return process.env.FFPROBE_PATH ?? 'ffprobe';
}

/** Runs ffmpeg with an argument array (never through a shell); rejects with its last stderr lines. */
export function runFfmpeg(args: readonly string[], options: RunOptions): Promise<void> {
  return runTool(options.binary ?? ffmpegBinary(), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], options.timeoutMs).then(
    () => undefined,
  );
}

/** Runs a media tool and resolves with its stdout. */
export function runTool(binary: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < STDOUT_KEEP_BYTES) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = keepTail(stderr + chunk, STDERR_KEEP_BYTES);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new FfmpegError(`${binary} could not be started: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else if (timedOut) reject(new FfmpegError(`${binary} timed out after ${timeoutMs} ms; ${tailLines(stderr)}`));
      else reject(new FfmpegError(`${binary} exited with ${signal ?? `code ${code}`}: ${tailLines(stderr) || 'no error output'}`));
    });
  });
}

function keepTail(text: string, bytes: number): string {
  return text.length > bytes ? text.slice(-bytes) : text;
}

function tailLines(stderr: string): string {
  return stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join(' | ');
}

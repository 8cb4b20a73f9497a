/** The lab's long-running processes (servers, coturn), each started inside a namespace, logged, stopped by PID. */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_GRACE_MS = 5_000;
const POLL_MS = 100;

export interface LabProcess {
  name: string;
  pid: number;
  logFile: string;
  /** The first match of `readyLine` in the output, when that is how readiness was seen. */
  readyMatch: RegExpExecArray | null;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  namespace: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Ready when this matches the output (stdout and stderr)... */
  readyLine?: RegExp;
  /** ...or when this returns true (polled). */
  readyCheck?: () => Promise<boolean>;
  readyTimeoutMs: number;
}

/**
 * `ip netns exec NS command args` in a process group of its own (a shell command's children die with it).
 * `ip netns exec` and setpriv exec the command, so the PID is the command's; setpriv's parent-death signal
 * stops it even when the lab itself is killed with SIGKILL and cannot clean up.
 */
export async function startInNamespace(options: StartOptions): Promise<LabProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn('ip', ['netns', 'exec', options.namespace, 'setpriv', '--pdeathsig', 'TERM', '--', options.command, ...options.args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  let output = '';
  let readyMatch: RegExpExecArray | null = null;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (options.readyLine && !readyMatch && output.length < 1_000_000) {
        output += chunk.toString();
        readyMatch = options.readyLine.exec(output);
      }
    });
  }
  let stopping: Promise<void> | undefined;
  const labProcess: LabProcess = {
    name: options.name,
    pid,
    logFile: options.logFile,
    get readyMatch() {
      return readyMatch;
    },
    exited,
    stop: () => (stopping ??= stopGroup(pid, exited).finally(() => new Promise<void>((done) => log.end(done)))),
  };
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (readyMatch || (options.readyCheck && (await options.readyCheck()))) return labProcess;
    if (hasExited) {
      await labProcess.stop();
      throw new LabProcessError(labProcess, `${options.name} exited before it was ready`);
    }
    if (Date.now() > deadline) {
      await labProcess.stop();
      throw new LabProcessError(labProcess, `${options.name} was not ready within ${options.readyTimeoutMs} ms`);
    }
    await sleep(POLL_MS);
  }
}

export class LabProcessError extends Error {
  constructor(
    readonly process: LabProcess,
    message: string,
  ) {
    super(message);
  }
}

async function stopGroup(pid: number, exited: Promise<void>): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const outcome = await Promise.race([exited.then(() => 'exited' as const), sleep(STOP_GRACE_MS).then(() => 'timeout' as const)]);
  if (outcome === 'timeout') {
    signalGroup(pid, 'SIGKILL');
    await Promise.race([exited, sleep(STOP_GRACE_MS)]);
  }
}

/** Signals the process group we started (its leader's PID); false when it is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log, for failure messages. */
export async function tailOf(file: string, lines = 25): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

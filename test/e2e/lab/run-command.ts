import { execFile } from 'node:child_process';

const COMMAND_TIMEOUT_MS = 10_000;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`${command} failed: ${stderr.trim() || 'no output'}`);
  }
}

/** Runs a short command (ip, iptables, tc) with a time bound; rejects with its stderr when it fails. */
export function run(command: string, args: readonly string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new CommandError(`${command} ${args.join(' ')}`, stderr || error.message));
      else resolve(stdout);
    });
  });
}

/** Runs `command args` inside the named network namespace. */
export function runIn(namespace: string, command: string, args: readonly string[]): Promise<string> {
  return run('ip', ['netns', 'exec', namespace, command, ...args]);
}

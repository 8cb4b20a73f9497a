// Starts the reference avatar server (server/main.ts) as a child process for the browser tests and the
// demo's dev server, waits for its ready line and stops it again. Plain ESM so that
// web-test-runner.config.mjs can load it without a TypeScript loader.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const READY_LINE = /^avatar-server ready (wss?:\/\/(\S+?)(:\d+)?\/ws)\s*$/m;
const STOP_GRACE_MS = 5_000;

/**
 * @param {import('./reference-server.mjs').ReferenceServerOptions} options
 * @returns {Promise<import('./reference-server.mjs').ReferenceServer>}
 */
export async function startReferenceServer(options) {
  const { logFile, args = [], readyTimeoutMs = 60_000 } = options;
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  // `node --import tsx` rather than the tsx CLI: one process, so its PID is all there is to stop.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  let wsUrl;
  try {
    wsUrl = await waitForReadyLine(child, log, exited, readyTimeoutMs);
  } catch (error) {
    await stopChild(child, exited);
    log.end();
    throw error;
  }
  const url = new URL(wsUrl);
  const httpUrl = `http://${url.host}`;
  return {
    wsUrl,
    httpUrl,
    pid: child.pid,
    logFile,
    exited,
    async stop() {
      await stopChild(child, exited);
      await new Promise((done) => log.end(done));
    },
    killNow() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function waitForReadyLine(child, log, exited, timeoutMs) {
  return new Promise((resolveReady, rejectReady) => {
    let stdout = '';
    const timer = setTimeout(
      () => rejectReady(new Error(`reference server printed no ready line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk) => {
      log.write(chunk);
      stdout += chunk.toString();
      const ready = READY_LINE.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      resolveReady(ready[1]);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectReady(new Error(`reference server exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
}

async function stopChild(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  let timer;
  const outcome = await Promise.race([
    exited,
    new Promise((done) => { timer = setTimeout(() => done(timedOut), STOP_GRACE_MS); }),
  ]);
  clearTimeout(timer);
  if (outcome === timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The last lines of a log file, for a failure message. */
export async function tailOf(file, lines = 40) {
  const { readFile } = await import('node:fs/promises');
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export { REPO_ROOT };

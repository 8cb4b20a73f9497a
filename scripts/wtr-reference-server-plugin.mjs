// A web-test-runner plugin: one reference server for the whole run, its URLs served to the tests at
// GET /__avatar_test_env (see test/browser/env.ts).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, tailOf } from './reference-server.mjs';

export const TEST_ENV_PATH = '/__avatar_test_env';

export function referenceServerPlugin({ readyTimeoutMs = 60_000 } = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'avatar-wtr-'));
  const logFile = join(workDir, 'server.log');
  const clipsDir = join(workDir, 'clips');
  mkdirSync(clipsDir);
  let server;

  // Runs however the runner ends (including process.exit after a failure or Ctrl-C): nothing outlives it.
  process.once('exit', (code) => {
    server?.killNow();
    if (code === 0) {
      rmSync(workDir, { recursive: true, force: true });
      return;
    }
    rmSync(clipsDir, { recursive: true, force: true });
    if (!server) return rmSync(workDir, { recursive: true, force: true });
    process.stderr.write(`\n[avatar-server] the run failed; reference server log: ${logFile}\n`);
  });
  // The runner handles SIGINT itself; without these, SIGTERM or SIGHUP would end it with no 'exit' event.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(128 + osConstants.signals[signal]));

  return {
    name: 'avatar-reference-server',

    async serverStart() {
      try {
        server = await startReferenceServer({
          logFile,
          readyTimeoutMs,
          args: ['--port', '0', '--host', '127.0.0.1', '--clips', clipsDir, '--log', 'debug', ...announceTestAddress()],
        });
      } catch (error) {
        process.stderr.write(`[avatar-server] ${error.message}; log ${logFile}:\n${await tailOf(logFile)}\n`);
        throw error;
      }
    },

    async serverStop() {
      await server?.stop();
    },

    serve(context) {
      if (context.path !== TEST_ENV_PATH) return undefined;
      if (!server) throw new Error('reference server is not running');
      return {
        body: JSON.stringify({ wsUrl: server.wsUrl, httpUrl: server.httpUrl }),
        type: 'application/json',
        headers: { 'cache-control': 'no-store' },
      };
    },
  };
}

/** Inside scripts/netns-run.sh the server announces the namespace's test address as its ICE host candidate. */
function announceTestAddress() {
  const address = process.env.AVATAR_TEST_IP;
  return address ? ['--announce', address] : [];
}

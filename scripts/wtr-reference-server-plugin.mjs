// A web-test-runner plugin: one reference server for the whole run, its URLs served to the tests at
// GET /__avatar_test_env (see test/browser/env.ts); and a second one whose WHEP endpoint takes no
// trickled candidates (`--whep-trickle off`), at GET /__avatar_test_env_no_trickle; and a WHEP
// endpoint with broken answers (scripts/untrusted-whep-server.mjs), at GET /__avatar_untrusted_whep.
// The server command `avatar-queue-speaking-clips` drops the demo's speaking clips (with their caption
// sidecars) into the servers' clip folder, so that a test sees speech and captions (test/browser/clips.ts).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceServer, tailOf } from './reference-server.mjs';
import { startUntrustedWhepServer } from './untrusted-whep-server.mjs';

export const TEST_ENV_PATH = '/__avatar_test_env';
export const NO_TRICKLE_ENV_PATH = '/__avatar_test_env_no_trickle';
export const UNTRUSTED_WHEP_ENV_PATH = '/__avatar_untrusted_whep';

export function referenceServerPlugin({ readyTimeoutMs = 60_000 } = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'avatar-wtr-'));
  const logFile = join(workDir, 'server.log');
  const noTrickleLogFile = join(workDir, 'server-no-trickle.log');
  const clipsDir = join(workDir, 'clips');
  mkdirSync(clipsDir);
  let server;
  let noTrickleServer;
  let untrustedWhep;
  let queued = 0;

  // Runs however the runner ends (including process.exit after a failure or Ctrl-C): nothing outlives it.
  process.once('exit', (code) => {
    server?.killNow();
    noTrickleServer?.killNow();
    if (code === 0) {
      rmSync(workDir, { recursive: true, force: true });
      return;
    }
    rmSync(clipsDir, { recursive: true, force: true });
    if (!server) return rmSync(workDir, { recursive: true, force: true });
    process.stderr.write(`\n[avatar-server] the run failed; reference server logs: ${logFile}, ${noTrickleLogFile}\n`);
  });
  // The runner handles SIGINT itself; without these, SIGTERM or SIGHUP would end it with no 'exit' event.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(128 + osConstants.signals[signal]));

  return {
    name: 'avatar-reference-server',

    async serverStart() {
      untrustedWhep = await startUntrustedWhepServer();
      const args = ['--port', '0', '--host', '127.0.0.1', '--clips', clipsDir, '--log', 'debug', ...announceTestAddress()];
      server = await start(logFile, args, readyTimeoutMs);
      // After the first: its demo clips are then in the shared cache.
      noTrickleServer = await start(noTrickleLogFile, [...args, '--whep-trickle', 'off'], readyTimeoutMs);
    },

    async serverStop() {
      await Promise.all([server?.stop(), noTrickleServer?.stop(), untrustedWhep?.close()]);
    },

    executeCommand({ command }) {
      if (command !== 'avatar-queue-speaking-clips') return undefined;
      return queueSpeakingClips(clipsDir, ++queued);
    },

    serve(context) {
      if (context.path === UNTRUSTED_WHEP_ENV_PATH) return json({ url: untrustedWhep.url });
      if (context.path !== TEST_ENV_PATH && context.path !== NO_TRICKLE_ENV_PATH) return undefined;
      const which = context.path === TEST_ENV_PATH ? server : noTrickleServer;
      if (!which) throw new Error('reference server is not running');
      return json({ wsUrl: which.wsUrl, httpUrl: which.httpUrl });
    },
  };
}

const DEMO_DIR = join('.cache', 'clips', 'demo');

/** The sidecar goes first and the clip is renamed into place: the server reads both once the .mp4 appears. */
function queueSpeakingClips(clipsDir, batch) {
  const clips = readdirSync(DEMO_DIR).filter((name) => /^speaking-\d+-.+\.mp4$/.test(name)).sort();
  for (const clip of clips) {
    const name = `batch${batch}-${clip.slice(0, -'.mp4'.length)}`;
    copyFileSync(join(DEMO_DIR, clip.replace(/\.mp4$/, '.json')), join(clipsDir, `${name}.json`));
    copyFileSync(join(DEMO_DIR, clip), join(clipsDir, `.${name}.mp4`));
    renameSync(join(clipsDir, `.${name}.mp4`), join(clipsDir, `${name}.mp4`));
  }
  return clips.length;
}

function json(value) {
  return { body: JSON.stringify(value), type: 'application/json', headers: { 'cache-control': 'no-store' } };
}

async function start(logFile, args, readyTimeoutMs) {
  try {
    return await startReferenceServer({ logFile, readyTimeoutMs, args });
  } catch (error) {
    process.stderr.write(`[avatar-server] ${error.message}; log ${logFile}:\n${await tailOf(logFile)}\n`);
    throw error;
  }
}

/** Inside scripts/netns-run.sh the server announces the namespace's test address as its ICE host candidate. */
function announceTestAddress() {
  const address = process.env.AVATAR_TEST_IP;
  return address ? ['--announce', address] : [];
}

// Browser tests: real Chromium (Debian's /usr/bin/chromium), one reference server and one fMP4 relay per run.
// Run through `npm run test:browser` (or `npm test`), which puts the run in a private network namespace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_PATH, chromiumFlags } from './scripts/chromium.mjs';
import { fmp4RelayPlugin } from './scripts/wtr-fmp4-relay-plugin.mjs';
import { networkPlugin } from './scripts/wtr-network-plugin.mjs';
import { referenceServerPlugin } from './scripts/wtr-reference-server-plugin.mjs';

const profileDir = mkdtempSync(join(tmpdir(), 'avatar-chromium-'));
process.once('exit', () => rmSync(profileDir, { recursive: true, force: true }));

if (!process.env.AVATAR_TEST_IP) {
  process.stderr.write(
    '[wtr] warning: not inside scripts/netns-run.sh, so WebRTC tests have no test address; use `npm run test:browser`\n',
  );
}

const CHROMIUM_FLAGS = [
  ...chromiumFlags(profileDir),
  // Host candidates show the namespace's test address rather than a random mDNS name, so that the
  // infra test can check it; bench/ runs with Chromium's default (mDNS names), as users' browsers do.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1, // a 2-core machine: one browser page at a time keeps media timing honest
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  plugins: [
    // tsconfig.json carries experimentalDecorators and useDefineForClassFields: false, which Lit's decorators need.
    esbuildPlugin({ ts: true, target: 'auto', tsconfig: 'tsconfig.json' }),
    referenceServerPlugin({ readyTimeoutMs: 60_000 }),
    fmp4RelayPlugin(),
    networkPlugin(),
  ],
  browsers: [
    // PLATFORM.md: CHROME_PATH with the default launcher fails as root; a custom launcher does not.
    chromeLauncher({
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS },
    }),
  ],
};

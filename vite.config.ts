// `npm run build`: dist/avatar-player.js, one ES module with lit inside (one script tag for users);
// dynamically imported parts (worker, hls.js) become chunks beside it that load only when used.
// `npm start`: the demo page (index.html) on Vite's dev server, with the reference avatar server behind
// /ws and /health.
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { defineConfig, type Plugin, type ViteDevServer } from 'vite';
import { REPO_ROOT, startReferenceServer, tailOf, type ReferenceServer } from './scripts/reference-server.mjs';

export default defineConfig(({ command }) => ({
  // The package is served from wherever users put it: the worker's URL must be relative to the module.
  base: command === 'build' ? './' : '/',
  build: {
    lib: {
      entry: 'components/avatar-player/avatar-player.ts',
      formats: ['es'],
      fileName: 'avatar-player',
    },
    outDir: 'dist',
    sourcemap: true,
    // Library mode leaves ES output unminified (build.minify is ignored for it); users load this file as it is.
    rolldownOptions: {
      output: { minify: true },
      // Modules shared with the lazy chunks stay in the entry (extra exports) instead of small chunks of their
      // own that the entry would wait for: one request less on the way to the first frame.
      preserveEntrySignatures: 'allow-extension',
    },
    target: 'es2022',
  },
  worker: { rolldownOptions: { output: { minify: true } } },
  plugins: [referenceServerForDemo()],
}));

/** Starts the reference server beside the dev server and proxies the player's paths to it. */
function referenceServerForDemo(): Plugin {
  let port = 0;
  let server: ReferenceServer | undefined;
  const logFile = join(REPO_ROOT, '.cache', 'demo-server.log');

  return {
    name: 'avatar-reference-server',
    apply: (_config, { command }) => command === 'serve' && !process.env.VITEST,

    async config() {
      port = await freePort();
      const target = `http://127.0.0.1:${port}`;
      return {
        server: {
          proxy: {
            '^/ws(\\?|$)': { target, ws: true },
            '^/health(\\?|$)': { target },
          },
        },
      };
    },

    async configureServer(vite: ViteDevServer) {
      const log = vite.config.logger;
      log.info(`starting the reference avatar server (first start makes the demo clips; log: ${logFile})`);
      try {
        server = await startReferenceServer({
          logFile,
          args: ['--port', String(port), '--host', '127.0.0.1'],
          readyTimeoutMs: 120_000,
        });
      } catch (error) {
        log.error(`reference server failed: ${(error as Error).message}\n${await tailOf(logFile)}`);
        throw error;
      }
      const running = server;
      process.once('exit', () => running.killNow());
      void running.exited.then(({ code, signal }) => {
        if (server) log.error(`reference server stopped (code ${code}, signal ${signal}); log: ${logFile}`);
      });
      vite.httpServer?.once('close', () => {
        server = undefined;
        void running.stop();
      });
      vite.httpServer?.once('listening', () => {
        setTimeout(() => {
          const urls = vite.resolvedUrls?.local ?? [];
          log.info(`\n  avatar-player demo: open ${urls[0] ?? `http://localhost:${vite.config.server.port}/`}`);
          log.info(`  reference server: ${running.wsUrl} (proxied at /ws and /health)\n`);
        }, 100);
      });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

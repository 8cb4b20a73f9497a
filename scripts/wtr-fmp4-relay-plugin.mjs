// A web-test-runner plugin: one fMP4 relay (scripts/fmp4-relay.mjs) for the whole run, its URLs served to
// the tests at GET /__avatar_fmp4_relay (see test/browser/env.ts). The streams live in memory: nothing on disk.
import { constants as osConstants } from 'node:os';
import { makeFmp4TestStreams, startFmp4Relay } from './fmp4-relay.mjs';

export const FMP4_RELAY_ENV_PATH = '/__avatar_fmp4_relay';

export function fmp4RelayPlugin() {
  let relay;

  // However the runner ends, no socket or listener outlives it.
  process.once('exit', () => relay?.closeNow());
  for (const signal of ['SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(128 + osConstants.signals[signal]));

  return {
    name: 'avatar-fmp4-relay',

    async serverStart() {
      const started = performance.now();
      relay = await startFmp4Relay({ streams: await makeFmp4TestStreams() });
      process.stderr.write(`[fmp4-relay] ${relay.variants.length} streams at ${relay.baseUrl} in ${Math.round(performance.now() - started)} ms\n`);
    },

    async serverStop() {
      await relay?.close();
    },

    serve(context) {
      if (context.path !== FMP4_RELAY_ENV_PATH) return undefined;
      if (!relay) throw new Error('fMP4 relay is not running');
      return {
        body: JSON.stringify({ baseUrl: relay.baseUrl, httpUrl: relay.httpUrl, variants: relay.variants }),
        type: 'application/json',
        headers: { 'cache-control': 'no-store' },
      };
    },
  };
}

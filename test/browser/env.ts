import type { Fmp4RelayOptions, Fmp4Variant } from '../../scripts/fmp4-relay.mjs';

/** The reference server that web-test-runner.config.mjs starts once for the whole browser test run. */
export interface TestServer {
  /** Its signaling WebSocket, e.g. `ws://127.0.0.1:41234/ws`. */
  wsUrl: string;
  /** Its HTTP base, e.g. `http://127.0.0.1:41234` (`/health` lives there). */
  httpUrl: string;
}

const TEST_ENV_PATH = '/__avatar_test_env';

let pending: Promise<TestServer> | undefined;

export function testServer(): Promise<TestServer> {
  pending ??= fetchTestServer();
  return pending;
}

function fetchTestServer(): Promise<TestServer> {
  return fetchEnv(TEST_ENV_PATH, isTestServer, 'reference-server plugin');
}

const NO_TRICKLE_ENV_PATH = '/__avatar_test_env_no_trickle';
let pendingNoTrickle: Promise<TestServer> | undefined;

/** A second reference server for the run, started with `--whep-trickle off`: its WHEP sessions answer PATCH with 405. */
export function testServerWithoutTrickle(): Promise<TestServer> {
  pendingNoTrickle ??= fetchEnv(NO_TRICKLE_ENV_PATH, isTestServer, 'reference-server plugin');
  return pendingNoTrickle;
}

async function fetchEnv<T>(path: string, isValid: (value: unknown) => value is T, plugin: string): Promise<T> {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}; is the test runner's ${plugin} on?`);
  const body: unknown = await response.json();
  if (!isValid(body)) throw new Error(`${path}: unexpected body ${JSON.stringify(body)}`);
  return body;
}

function isTestServer(value: unknown): value is TestServer {
  if (typeof value !== 'object' || value === null) return false;
  const { wsUrl, httpUrl } = value as Record<string, unknown>;
  return typeof wsUrl === 'string' && typeof httpUrl === 'string';
}

/** A WHEP endpoint with broken answers (scripts/untrusted-whep-server.mjs): POST `${url}/<case>`. */
export async function untrustedWhepUrl(): Promise<string> {
  const response = await fetch('/__avatar_untrusted_whep', { cache: 'no-store' });
  const body = (await response.json()) as { url?: unknown };
  if (typeof body.url !== 'string') throw new Error(`/__avatar_untrusted_whep: unexpected body ${JSON.stringify(body)}`);
  return body.url;
}

/** The fMP4 relay that web-test-runner.config.mjs starts for the run: plain fMP4 over WebSocket, for `mse-src`. */
export interface Fmp4RelayEnv {
  /** e.g. `ws://127.0.0.1:41235/fmp4`; a stream is at `${baseUrl}/<variant>?<options>`. */
  baseUrl: string;
  /** e.g. `http://127.0.0.1:41235`; `GET /health` → `{ ok, connections, variants }`, `GET /fmp4/<variant>.mp4` → its bytes. */
  httpUrl: string;
  variants: Fmp4Variant[];
}

export type { Fmp4RelayOptions, Fmp4Variant };

const FMP4_RELAY_ENV_PATH = '/__avatar_fmp4_relay';

let pendingRelay: Promise<Fmp4RelayEnv> | undefined;

export function fmp4Relay(): Promise<Fmp4RelayEnv> {
  pendingRelay ??= fetchEnv(FMP4_RELAY_ENV_PATH, isFmp4RelayEnv, 'fMP4 relay plugin');
  return pendingRelay;
}

/** The URL of one of the relay's streams, e.g. `fmp4Url('opus', { chunks: 'odd' })`. */
export async function fmp4Url(variant: Fmp4Variant, options: Fmp4RelayOptions = {}): Promise<string> {
  const relay = await fmp4Relay();
  if (!relay.variants.includes(variant)) throw new Error(`the fMP4 relay has no variant "${variant}" (it has ${relay.variants.join(', ')})`);
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options)) if (value !== undefined) query.set(name, String(value));
  const search = query.size > 0 ? `?${query}` : '';
  return `${relay.baseUrl}/${variant}${search}`;
}

/** How many sockets are connected to the relay now. */
export async function fmp4Connections(): Promise<number> {
  const { httpUrl } = await fmp4Relay();
  const response = await fetch(`${httpUrl}/health`, { cache: 'no-store' });
  const body: unknown = await response.json();
  const connections = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).connections : undefined;
  if (typeof connections !== 'number') throw new Error(`fMP4 relay /health: unexpected body ${JSON.stringify(body)}`);
  return connections;
}

function isFmp4RelayEnv(value: unknown): value is Fmp4RelayEnv {
  if (typeof value !== 'object' || value === null) return false;
  const { baseUrl, httpUrl, variants } = value as Record<string, unknown>;
  return (
    typeof baseUrl === 'string' &&
    baseUrl.startsWith('ws://') &&
    typeof httpUrl === 'string' &&
    Array.isArray(variants) &&
    variants.every((variant) => typeof variant === 'string')
  );
}

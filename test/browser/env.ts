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

async function fetchTestServer(): Promise<TestServer> {
  const response = await fetch(TEST_ENV_PATH, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${TEST_ENV_PATH}: HTTP ${response.status}; is the test runner's reference-server plugin on?`);
  const body: unknown = await response.json();
  if (!isTestServer(body)) throw new Error(`${TEST_ENV_PATH}: unexpected body ${JSON.stringify(body)}`);
  return body;
}

function isTestServer(value: unknown): value is TestServer {
  if (typeof value !== 'object' || value === null) return false;
  const { wsUrl, httpUrl } = value as Record<string, unknown>;
  return typeof wsUrl === 'string' && typeof httpUrl === 'string';
}

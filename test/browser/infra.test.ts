// Proves the browser-test plumbing: the runner's reference server answers over WebSocket and HTTP, and
// Chromium runs inside the private network namespace whose test address is its only ICE host candidate.
import { testServer } from './env.js';

const TEST_ADDRESS = '10.231.0.1';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`${url}: not open after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    socket.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`${url}: WebSocket error`));
    };
  });
}

/** The first JSON text message from the socket, whatever its type. */
function firstMessage(socket: WebSocket, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
    socket.onmessage = (event: MessageEvent) => {
      clearTimeout(timer);
      if (typeof event.data !== 'string') return reject(new Error('first message is binary'));
      resolve(JSON.parse(event.data) as Record<string, unknown>);
    };
    socket.onclose = (event) => {
      clearTimeout(timer);
      reject(new Error(`socket closed (${event.code} ${event.reason}) before any message`));
    };
  });
}

/** Host candidates' addresses that this browser gathers with no ICE servers, until gathering completes. */
async function gatherHostAddresses(timeoutMs: number): Promise<string[]> {
  const connection = new RTCPeerConnection({ iceServers: [] });
  try {
    const addresses: string[] = [];
    const complete = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ICE gathering not complete after ${timeoutMs} ms`)), timeoutMs);
      connection.onicecandidate = ({ candidate }) => {
        if (candidate === null) {
          clearTimeout(timer);
          resolve();
        } else if (candidate.type === 'host' && candidate.address) {
          addresses.push(candidate.address);
        }
      };
    });
    connection.createDataChannel('probe');
    await connection.setLocalDescription(await connection.createOffer());
    await complete;
    return addresses;
  } finally {
    connection.close();
  }
}

async function viewerCount(httpUrl: string): Promise<unknown> {
  const response = await fetch(`${httpUrl}/health`, { cache: 'no-store' });
  return ((await response.json()) as Record<string, unknown>).viewers;
}

/** Polls /health until the server counts no viewer, so that no session of this file leaks into the next. */
async function waitForNoViewers(httpUrl: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let viewers = await viewerCount(httpUrl);
  while (viewers !== 0) {
    assert(performance.now() < deadline, `/health still counts ${String(viewers)} viewers ${timeoutMs} ms after the socket closed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    viewers = await viewerCount(httpUrl);
  }
}

describe('browser test infrastructure', () => {
  it('reaches the reference server over WebSocket: hello gets a welcome; closing ends the session', async () => {
    const { wsUrl, httpUrl } = await testServer();
    const socket = await openSocket(wsUrl, 5_000);
    try {
      const reply = firstMessage(socket, 10_000);
      socket.send(JSON.stringify({ v: 1, type: 'hello', transport: 'webrtc' }));
      const message = await reply;
      assert(message.type === 'welcome', `expected welcome, got ${JSON.stringify(message)}`);
      assert(message.v === 1, `expected v: 1, got ${JSON.stringify(message)}`);
    } finally {
      socket.close();
    }
    await waitForNoViewers(httpUrl, 5_000);
  });

  it('reaches the reference server over HTTP: /health says ok', async () => {
    const { httpUrl } = await testServer();
    const response = await fetch(`${httpUrl}/health`);
    assert(response.ok, `GET /health: HTTP ${response.status}`);
    const health = (await response.json()) as Record<string, unknown>;
    assert(health.ok === true, `GET /health: ${JSON.stringify(health)}`);
    assert(typeof health.viewers === 'number', `GET /health has no viewer count: ${JSON.stringify(health)}`);
  });

  it(`gathers the namespace's test address ${TEST_ADDRESS} as an ICE host candidate`, async () => {
    const addresses = await gatherHostAddresses(10_000);
    assert(addresses.includes(TEST_ADDRESS), `host candidates: ${JSON.stringify(addresses)}; run inside scripts/netns-run.sh`);
  });
});

// Which path plays, and the switches between them, against the real reference server in real Chromium:
// the race of WebRTC and MSE, the memory of the winner, and the hand-over when WebRTC dies mid-session.
import '../../components/avatar-player/avatar-player.js';
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';
import { createStore, get, set } from 'idb-keyval';
import type { PlayerEventDetails, TransportChangeReason } from '../../src/events.js';
import type { TransportKind } from '../../src/protocol.js';
import { MEMORY_STORE } from '../../src/selection/transport-memory.js';
import { testServer } from './env.js';
import { assert, collectEvents, forgetRememberedPaths, mount, nextEvent, unmountAll } from './helpers.js';
import { blockUdp, unblockUdp } from './network.js';
import { watchScreen, type ScreenLog } from './screen.js';

type TransportChange = PlayerEventDetails['transportchange'];

async function until(player: AvatarPlayer, transport: TransportKind, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (player.transport !== transport) {
    assert(performance.now() < deadline, `still on ${player.transport} after ${timeoutMs} ms`);
    await nextEvent(player, 'transportchange', deadline - performance.now()).catch(() => undefined);
  }
}

function assertSmooth(log: ScreenLog, maxStillMs: number, what: string): void {
  assert(log.blackSamples === 0, `${what}: the screen was black in ${log.blackSamples} of ${log.samples} samples: ${log.blackDetails.join('; ')}`);
  assert(log.doubledAudioSamples === 0, `${what}: two videos were heard at once in ${log.doubledAudioSamples} samples`);
  assert(log.unheardSamples === 0, `${what}: the video on screen was not heard in ${log.unheardSamples} samples`);
  const still = `${Math.round(log.longestStillMs)} ms from ${log.longestStillFromMs} ms`;
  assert(log.longestStillMs < maxStillMs, `${what}: the picture stood still for ${still}`);
}

const memoryStore = () => createStore(MEMORY_STORE.database, MEMORY_STORE.store);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeChanges = (changes: TransportChange[]) => changes.map((c) => `${c.transport}:${c.reason}`).join(', ');

describe('<avatar-player> transport selection', () => {
  beforeEach(forgetRememberedPaths);

  afterEach(async () => {
    unmountAll();
    await unblockUdp();
    await forgetRememberedPaths();
  });

  it('races WebRTC and MSE, then WebRTC takes over without a black frame and is remembered', async function () {
    this.timeout(40_000);
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl });
    const changes = collectEvents(player, 'transportchange');
    const first = await nextEvent(player, 'firstframe', 15_000);
    const screen = watchScreen(player);
    await until(player, 'webrtc', 15_000);
    await sleep(1_500);
    assertSmooth(screen.stop(), 400, 'the swap to WebRTC');

    const expected = first.transport === 'mse' ? 'mse:race-won, webrtc:upgrade' : 'webrtc:race-won';
    assert(describeChanges(changes) === expected, `changes: ${describeChanges(changes)}`);

    const remembered: unknown = await get(wsUrl, memoryStore());
    assert(typeof remembered === 'object' && remembered !== null, `nothing remembered for ${wsUrl}`);
    const { transport, at } = remembered as { transport?: unknown; at?: unknown };
    assert(transport === 'webrtc' && typeof at === 'number' && Math.abs(Date.now() - at) < 60_000, `remembered ${JSON.stringify(remembered)}`);
  });

  it('starts at once on a remembered MSE path and re-probes WebRTC in the background', async function () {
    this.timeout(40_000);
    const { wsUrl } = await testServer();
    await set(wsUrl, { transport: 'mse', at: Date.now() }, memoryStore());
    const player = mount({ src: wsUrl });
    const changes = collectEvents(player, 'transportchange');
    const first = await nextEvent(player, 'firstframe', 15_000);
    assert(first.transport === 'mse', `first frame over ${first.transport}`);
    const screen = watchScreen(player);
    await until(player, 'webrtc', 20_000);
    await sleep(1_000);
    assertSmooth(screen.stop(), 400, 'the upgrade to WebRTC');
    assert(describeChanges(changes) === 'mse:remembered, webrtc:upgrade', `changes: ${describeChanges(changes)}`);
  });

  it('hands over to MSE when WebRTC dies mid-session, with the last frame up and never black', async function () {
    this.timeout(60_000);
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl });
    await nextEvent(player, 'firstframe', 15_000);
    await until(player, 'webrtc', 15_000);
    await sleep(1_000);
    const changes = collectEvents(player, 'transportchange');
    const screen = watchScreen(player);

    await blockUdp();
    await until(player, 'mse', 20_000);
    await sleep(2_000);
    const log = screen.stop();

    const handOver = changes.find((change) => change.transport === 'mse');
    const reasons: TransportChangeReason[] = ['ice-failed', 'heavy-loss'];
    assert(handOver && reasons.includes(handOver.reason), `changes: ${describeChanges(changes)}`);
    assert(player.state === 'playing', `state ${player.state}`);
    assertSmooth(log, 4_000, 'the hand-over to MSE');
    assert(log.frames >= 25, `only ${log.frames} frames on screen around the hand-over`);
  });
});

// WebRTC recovery in real Chromium against the real reference server: UDP cut in the test namespace
// (test/browser/network.ts). A short outage is ridden out with an ICE restart; a permanent one ends
// in 'ice-failed'; a session that never connects is classified 'udp-blocked'. Asserted on the
// transport itself, not on the session's fallback logic.
import { testServer } from './env.js';
import { assert } from './helpers.js';
import { blockUdp, unblockUdp } from './network.js';
import { StatsWatch } from '../../src/transports/webrtc/stats-watch.js';
import type { IceRestartTiming } from '../../src/transports/webrtc/ice-restart-policy.js';
import { avatarHarness, closeAllHarnesses, framesDuring, waitFor, waitForViewers, whepHarness, type Harness } from './webrtc-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const OUTAGE_MS = 5_000;
/**
 * For riding out an outage: the restart starts during it (media silence after ~2–3 s, or ICE
 * disconnected + the 1.5 s grace after ~4 s) and must not give up before UDP is back and ICE has
 * reconnected, so its deadline is far longer than the whole outage, whenever in it the restart began.
 */
const RIDE_OUT_TIMING: IceRestartTiming = { disconnectedGraceMs: 1_500, restartTimeoutMs: 3 * OUTAGE_MS };

async function playing(h: Harness): Promise<void> {
  await h.started;
  await h.firstFrame;
  assert((await framesDuring(h.video, 1_000)) >= 10, 'frames come before the outage');
}

/** Cuts UDP for `ms`: OUTAGE_MS is long enough for Chromium to call ICE disconnected (≈ 2.5 s) and for the 1.5 s grace to run out. */
async function outage(ms: number): Promise<void> {
  await blockUdp();
  try {
    await sleep(ms);
  } finally {
    await unblockUdp();
  }
}

async function ridesOutShortOutage(h: Harness, label: string): Promise<void> {
  await playing(h);
  await outage(OUTAGE_MS);
  await waitFor(() => h.restored > 0 && h.video.srcObject !== null, 8_000, 'the transport is restored');
  // After a restart Chromium may still switch candidate pairs (a second disconnected → connected within a
  // second or two): what counts is that the picture flows again soon, at full rate, within a bounded time.
  const counts: number[] = [];
  while (counts.length < 4 && (counts.at(-1) ?? 0) < 20) counts.push(await framesDuring(h.video, 2_000));
  assert((counts.at(-1) ?? 0) >= 20, `frames per 2 s after the outage: ${counts.join(', ')}\n${h.log.join('\n')}`);
  assert(h.log.some((line) => line.endsWith('ice restart negotiated')), `no ICE restart negotiated:\n${h.log.join('\n')}`);
  console.log(`[recovery] ${label}:\n  ${h.log.join('\n  ')}`);
  assert(h.degraded.some(({ reason }) => reason === 'ice-failed'), `degraded: ${JSON.stringify(h.degraded)}`);
  assert(h.errors.length === 0, `errors: ${h.errors.map((e) => `${e.reason}: ${e.message}`).join('; ')}\n${h.log.join('\n')}`);
}

describe('WebRTC recovery', () => {
  let wsUrl = '';
  let httpUrl = '';

  before(async () => {
    ({ wsUrl, httpUrl } = await testServer());
  });

  afterEach(async () => {
    await unblockUdp();
    closeAllHarnesses();
    await waitForViewers(httpUrl, 0, 10_000);
  });

  it('avatar protocol: a 5 s UDP outage → ICE restart (deadline 15 s) → frames advance again', async function () {
    this.timeout(40_000);
    await ridesOutShortOutage(await avatarHarness(wsUrl, RIDE_OUT_TIMING), 'avatar');
  });

  it('WHEP: a 5 s UDP outage → ICE restart by PATCH (deadline 15 s) → frames advance again', async function () {
    this.timeout(40_000);
    await ridesOutShortOutage(whepHarness(`${httpUrl}/whep`, { iceTiming: RIDE_OUT_TIMING }), 'whep');
  });

  it('avatar protocol: a permanent outage → error with reason ice-failed', async function () {
    this.timeout(40_000);
    const h = await avatarHarness(wsUrl);
    await playing(h);
    await blockUdp();
    const blockedAt = performance.now();
    await waitFor(() => h.errors.length > 0, 20_000, 'an error event');
    const error = h.errors[0]!;
    console.log(`[recovery] permanent outage: error after ${Math.round(performance.now() - blockedAt)} ms: ${error.reason}: ${error.message}`);
    assert(error.code === 'webrtc-failed' && error.reason === 'ice-failed', `error ${error.code}/${error.reason}: ${error.message}`);
    assert(h.degraded.length > 0, 'degraded came before the error');
  });

  it('never connected with UDP blocked and no TURN → failureReason() is udp-blocked, also after close()', async function () {
    this.timeout(30_000);
    await blockUdp();
    const h = await avatarHarness(wsUrl);
    await h.started;
    await sleep(3_000);
    assert((await h.transport.failureReason()) === 'udp-blocked', 'classified udp-blocked while open');
    h.close();
    assert((await h.transport.failureReason()) === 'udp-blocked', 'classified udp-blocked after close');
  });

  it('a path that connected and plays: failureReason() is timeout, never udp-blocked', async function () {
    this.timeout(30_000);
    const h = await avatarHarness(wsUrl);
    await playing(h);
    assert((await h.transport.failureReason()) === 'timeout', 'a path that connected is no udp-blocked case');
  });

  it('StatsWatch.poll() during a poll returns that poll, so an awaiting caller sees its evidence', async () => {
    const pc = new RTCPeerConnection();
    try {
      const watch = new StatsWatch(pc, () => undefined, { onMediaSilence: () => undefined, onMediaFlowing: () => undefined, onHeavyLoss: () => undefined });
      const first = watch.poll();
      assert(watch.poll() === first, 'a second poll() while the first runs returns the same promise');
      await first;
      const next = watch.poll();
      assert(next !== first, 'a poll() after it finished starts a new one');
      watch.stop();
      assert(watch.poll() === next, 'stop() during a poll: poll() still returns the poll in flight');
      await next;
    } finally {
      pc.close();
    }
  });
});

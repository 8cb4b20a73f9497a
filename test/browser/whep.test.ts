// WHEP (RFC 9725 HTTP usage) against the reference server's /whep, in real Chromium: with trickle
// (PATCH), without (the server answers PATCH with 405), DELETE on close, and untrusted HTTP answers.
import '../../components/avatar-player/avatar-player.js';
import { PlayerError } from '../../src/events.js';
import { WhepClient } from '../../src/signaling/whep-client.js';
import { REQUEST_TIMEOUT_MS } from '../../src/signaling/whep/whep-http.js';
import { testServer, testServerWithoutTrickle, untrustedWhepUrl } from './env.js';
import { assert, mount, nextEvent, unmountAll } from './helpers.js';
import { closeAllHarnesses, framesDuring, waitFor, waitForViewers, whepHarness } from './webrtc-harness.js';

async function rejectionOf(promise: Promise<unknown>): Promise<PlayerError> {
  const outcome = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  assert(outcome instanceof PlayerError, `expected a PlayerError rejection, got ${String(outcome)}`);
  return outcome;
}

/** A WHEP session made by hand (a throwaway peer's offer), for its resource URL. */
async function createRawSession(endpoint: string): Promise<string> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const offer = await pc.createOffer();
  pc.close();
  const response = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer.sdp });
  const location = response.headers.get('Location');
  assert(response.status === 201 && location, `raw POST answered ${response.status}`);
  return new URL(location, endpoint).href;
}

const sessions: { pc: RTCPeerConnection; client: WhepClient }[] = [];

/** A WhepClient on a bare peer connection (no transport: its ICE policy would act on its own), connected. */
async function connectedWhepSession(endpoint: string): Promise<{ pc: RTCPeerConnection; client: WhepClient; log: string[] }> {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const client = new WhepClient(endpoint, { token: null });
  sessions.push({ pc, client });
  const log: string[] = [];
  await client.negotiate(pc, (line) => log.push(line));
  await waitFor(() => iceUp(pc), 10_000, 'ICE connected');
  return { pc, client, log };
}

function closeWhepSessions(): void {
  for (const { pc, client } of sessions.splice(0)) {
    client.close();
    pc.close();
  }
}

function iceUp(pc: RTCPeerConnection): boolean {
  return pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
}

function ufragOf(sdp: string | undefined): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1];
}

async function packetsReceived(pc: RTCPeerConnection): Promise<number> {
  let total = 0;
  for (const entry of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
    if (entry['type'] === 'inbound-rtp' && typeof entry['packetsReceived'] === 'number') total += entry['packetsReceived'];
  }
  return total;
}

/** RTP keeps arriving: more packets after a second than before it. */
async function mediaFlows(pc: RTCPeerConnection): Promise<void> {
  const before = await packetsReceived(pc);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = await packetsReceived(pc);
  assert(after > before, `RTP packets ${before} → ${after} in 1 s`);
}

describe('WHEP', () => {
  let httpUrl = '';
  let noTrickleHttpUrl = '';

  before(async () => {
    httpUrl = (await testServer()).httpUrl;
    noTrickleHttpUrl = (await testServerWithoutTrickle()).httpUrl;
  });

  afterEach(async () => {
    closeAllHarnesses();
    closeWhepSessions();
    unmountAll();
    await waitForViewers(httpUrl, 0, 10_000);
    await waitForViewers(noTrickleHttpUrl, 0, 10_000);
  });

  it('plays with trickled candidates; the path is reported; close() DELETEs the session', async function () {
    this.timeout(30_000);
    const h = whepHarness(`${httpUrl}/whep`);
    await h.started;
    const firstFrameMs = await h.firstFrame;
    console.log(`[whep] trickle: first frame ${Math.round(firstFrameMs)} ms after start()`);
    const stream = h.video.srcObject;
    assert(stream instanceof MediaStream, 'the video plays a MediaStream');
    assert(stream.getVideoTracks().length === 1 && stream.getAudioTracks().length === 1, 'one stream with audio and video');
    const frames = await framesDuring(h.video, 2_000);
    assert(frames >= 20, `${frames} frames presented in 2 s`);
    assert(h.log.some((line) => /WHEP trickled \d+ candidates/.test(line)), `no trickle PATCH succeeded:\n${h.log.join('\n')}`);
    await waitFor(() => h.transport.stats().webrtcPath !== undefined, 3_000, 'stats().webrtcPath is set');
    const path = h.transport.stats().webrtcPath;
    assert(path?.localCandidateType === 'host' && path.protocol === 'udp', `path ${JSON.stringify(path)}`);
    await waitForViewers(httpUrl, 1, 3_000);
    h.close();
    await waitForViewers(httpUrl, 0, 3_000);
    assert(h.errors.length === 0, `errors: ${h.errors.map((e) => e.message).join('; ')}`);
  });

  it('plays when the server takes no trickle (PATCH → 405): candidates from the offer/answer and the checks', async function () {
    this.timeout(30_000);
    const h = whepHarness(`${noTrickleHttpUrl}/whep`);
    await h.started;
    const firstFrameMs = await h.firstFrame;
    console.log(`[whep] no trickle: first frame ${Math.round(firstFrameMs)} ms after start()`);
    assert((await framesDuring(h.video, 2_000)) >= 20, 'frames keep coming');
    await waitFor(() => h.log.some((line) => line.includes('does not take trickled candidates (HTTP 405)')), 3_000, 'the 405 was seen and trickling stopped');
    h.close();
    await waitForViewers(noTrickleHttpUrl, 0, 3_000);
  });

  it('an HTTP error answer (405) rejects start() with webrtc-failed, reason failed, and the status', async () => {
    // A real resource URL is a WHEP URL that answers POST with 405 (and CORS headers, so the page reads it).
    const resourceUrl = await createRawSession(`${httpUrl}/whep`);
    try {
      const error = await rejectionOf(whepHarness(resourceUrl).started);
      assert(error.code === 'webrtc-failed' && error.reason === 'failed', `code ${error.code}, reason ${String(error.reason)}`);
      assert(error.message.includes('HTTP 405') && error.message.includes('not 201'), `message: ${error.message}`);
    } finally {
      await fetch(resourceUrl, { method: 'DELETE' });
    }
  });

  it('a POST to an unknown WHEP resource rejects start() with webrtc-failed naming HTTP 404 (its preflight passes)', async () => {
    const error = await rejectionOf(whepHarness(`${httpUrl}/whep/no-such-resource`).started);
    assert(error.code === 'webrtc-failed' && error.message.includes('HTTP 404'), `${error.code}: ${error.message}`);
  });

  it('an answer the page cannot read (no CORS headers, preflight included) rejects start() naming the WHEP POST', async () => {
    const error = await rejectionOf(whepHarness(`${await untrustedWhepUrl()}/no-cors`).started);
    assert(error.code === 'webrtc-failed' && error.reason === 'failed', `${error.code}/${String(error.reason)}: ${error.message}`);
    assert(error.message.includes('WHEP POST'), `message: ${error.message}`);
  });

  for (const [name, expected] of [
    ['no-location', /sent no Location/],
    ['not-sdp', /answered with text\/html, not application\/sdp/],
    ['sdp-type-html-body', /not an SDP answer/],
    ['oversize', /larger than/],
    ['server-error', /HTTP 500 \(media server on fire\), not 201/],
    ['bad-location', /Location that is not http/],
  ] as const) {
    it(`an untrusted answer (${name}) rejects start() with webrtc-failed / failed`, async () => {
      const error = await rejectionOf(whepHarness(`${await untrustedWhepUrl()}/${name}`).started);
      assert(error.code === 'webrtc-failed' && error.reason === 'failed', `${error.code}/${String(error.reason)}: ${error.message}`);
      assert(expected.test(error.message), `message: ${error.message}`);
    });
  }

  it('an endpoint that does not answer is given up after the request timeout (5 s)', async function () {
    this.timeout(4 * REQUEST_TIMEOUT_MS);
    const startedAt = performance.now();
    const error = await rejectionOf(whepHarness(`${await untrustedWhepUrl()}/slow`).started);
    const elapsed = performance.now() - startedAt;
    assert(error.message.includes(`no answer within ${REQUEST_TIMEOUT_MS} ms`), error.message);
    // Given up by that timeout: not before it, and not long after (a wide margin for a loaded machine).
    assert(elapsed >= REQUEST_TIMEOUT_MS - 50 && elapsed < 2 * REQUEST_TIMEOUT_MS, `given up after ${Math.round(elapsed)} ms`);
  });

  it('an ICE restart by PATCH: new ICE credentials on both sides, and ICE connects again', async function () {
    this.timeout(30_000);
    const { pc, client, log } = await connectedWhepSession(`${httpUrl}/whep`);
    const local = ufragOf(pc.localDescription?.sdp);
    const remote = ufragOf(pc.remoteDescription?.sdp);
    await client.restartIce(REQUEST_TIMEOUT_MS);
    assert(pc.signalingState === 'stable', `signaling ${pc.signalingState}`);
    assert(ufragOf(pc.localDescription?.sdp) !== local && ufragOf(pc.remoteDescription?.sdp) !== remote, `ufrags unchanged:\n${log.join('\n')}`);
    await waitFor(() => iceUp(pc), 10_000, 'ICE connected again');
    await mediaFlows(pc);
  });

  it('an ICE restart the server refuses (PATCH → 405) rejects and leaves the previous ICE session in place', async function () {
    this.timeout(30_000);
    const { pc, client, log } = await connectedWhepSession(`${noTrickleHttpUrl}/whep`);
    const local = ufragOf(pc.localDescription?.sdp);
    const remoteSdp = pc.remoteDescription?.sdp;
    const error = await rejectionOf(client.restartIce(REQUEST_TIMEOUT_MS));
    assert(error.code === 'webrtc-failed' && error.message.includes('HTTP 405'), `${error.code}: ${error.message}`);
    assert(pc.signalingState === 'stable', `signaling ${pc.signalingState}: the restart offer was not rolled back`);
    assert(ufragOf(pc.localDescription?.sdp) === local, 'the local ICE credentials are the previous ones');
    assert(pc.remoteDescription?.sdp === remoteSdp, 'the remote description is untouched');
    assert(log.some((line) => line.includes('rolled back')), log.join('\n'));
    assert(iceUp(pc), `ICE ${pc.iceConnectionState} after the refused restart`);
    await mediaFlows(pc);
  });

  it('<avatar-player whep=…> plays over WebRTC', async function () {
    this.timeout(30_000);
    const player = mount({ whep: `${httpUrl}/whep`, transports: 'webrtc' });
    const first = await nextEvent(player, 'firstframe', 15_000);
    assert(first.transport === 'webrtc', `firstframe transport ${first.transport}`);
    console.log(`[whep] element: first frame ${Math.round(first.elapsedMs)} ms after connect()`);
  });

  it('<avatar-player whep=…> with an endpoint that answers 404 reports an error', async function () {
    this.timeout(30_000);
    const player = mount({ whep: `${httpUrl}/whep/no-such-resource`, transports: 'webrtc' });
    const error = await nextEvent(player, 'error', 15_000);
    assert(error.code === 'webrtc-failed', `error ${error.code}: ${error.message}`);
  });
});

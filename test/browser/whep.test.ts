// WHEP (RFC 9725 HTTP usage) against the reference server's /whep, in real Chromium: with trickle
// (PATCH), without (the server answers PATCH with 405), DELETE on close, and untrusted HTTP answers.
import '../../components/avatar-player/avatar-player.js';
import { PlayerError } from '../../src/events.js';
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

describe('WHEP', () => {
  let httpUrl = '';
  let noTrickleHttpUrl = '';

  before(async () => {
    httpUrl = (await testServer()).httpUrl;
    noTrickleHttpUrl = (await testServerWithoutTrickle()).httpUrl;
  });

  afterEach(async () => {
    closeAllHarnesses();
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

  it('an answer the page cannot read (a 404 without CORS headers) rejects start() naming the request', async () => {
    const error = await rejectionOf(whepHarness(`${httpUrl}/whep/no-such-resource`).started);
    assert(error.code === 'webrtc-failed' && error.message.includes('WHEP POST'), `${error.code}: ${error.message}`);
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

  it('an endpoint that does not answer is given up after 5 s', async function () {
    this.timeout(15_000);
    const startedAt = performance.now();
    const error = await rejectionOf(whepHarness(`${await untrustedWhepUrl()}/slow`).started);
    const elapsed = performance.now() - startedAt;
    assert(error.message.includes('no answer within 5000 ms') && elapsed < 6_500, `${Math.round(elapsed)} ms: ${error.message}`);
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

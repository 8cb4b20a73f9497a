// <avatar-player> over WebRTC against the real reference server, in real Chromium.
import '../../components/avatar-player/avatar-player.js';
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';
import type { PlayerEventDetails, PlayerState } from '../../src/events.js';
import { testServer } from './env.js';
import { assert, mount, nextEvent, sampleFrames, settle, unmountAll, videoOf } from './helpers.js';

const unhandledRejections: unknown[] = [];
window.addEventListener('unhandledrejection', (event) => unhandledRejections.push(event.reason));

async function viewers(httpUrl: string): Promise<number> {
  const response = await fetch(`${httpUrl}/health`, { cache: 'no-store' });
  const body = (await response.json()) as { viewers?: unknown };
  assert(typeof body.viewers === 'number', `/health has no viewers count: ${JSON.stringify(body)}`);
  return body.viewers;
}

async function waitForViewers(httpUrl: string, predicate: (count: number) => boolean, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let count = await viewers(httpUrl);
  while (!predicate(count)) {
    assert(performance.now() < deadline, `/health viewers stayed at ${count} for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    count = await viewers(httpUrl);
  }
  return count;
}

/** Reads the state afresh (TypeScript would otherwise keep an earlier assertion's narrowing). */
const stateOf = (player: AvatarPlayer): PlayerState => player.state;

describe('<avatar-player> over WebRTC', () => {
  let httpUrl = '';

  before(async () => {
    httpUrl = (await testServer()).httpUrl;
  });

  afterEach(async () => {
    unmountAll();
    await waitForViewers(httpUrl, (count) => count === 0, 10_000);
    unhandledRejections.splice(0);
  });

  it('plays: first frame, one stream with audio and video, state and transport reflected', async () => {
    const { wsUrl } = await testServer();
    const states: string[] = [];
    const player = mount({ src: wsUrl, transports: 'webrtc' });
    player.addEventListener('statechange', (event) => states.push(event.detail.state));
    const transportChange = nextEvent(player, 'transportchange', 10_000);

    const first = await nextEvent(player, 'firstframe', 15_000);
    assert(first.transport === 'webrtc', `firstframe transport ${first.transport}`);
    assert(first.elapsedMs > 0 && first.elapsedMs < 15_000, `firstframe elapsedMs ${first.elapsedMs}`);
    assert((await transportChange).transport === 'webrtc', 'transportchange names webrtc');

    const stream = videoOf(player).srcObject;
    assert(stream instanceof MediaStream, 'the video plays a MediaStream');
    assert(stream.getVideoTracks().length === 1, `video tracks: ${stream.getVideoTracks().length}`);
    assert(stream.getAudioTracks().length === 1, `audio tracks: ${stream.getAudioTracks().length}`);

    assert(player.state === 'playing', `state property ${player.state}`);
    assert(player.getAttribute('state') === 'playing', `state attribute ${player.getAttribute('state')}`);
    assert(player.transport === 'webrtc', `transport property ${player.transport}`);
    assert(player.getAttribute('transport') === 'webrtc', `transport attribute ${player.getAttribute('transport')}`);
    assert(states.join() === 'connecting,playing', `states ${states.join()}`);
    assert(!videoOf(player).muted, 'autoplay with sound was allowed (the runner allows it), so the video is not muted');
    assert(!player.shadowRoot?.querySelector('[part="unmute-button"]'), 'no unmute button when sound was allowed');
    assert((await viewers(httpUrl)) === 1, 'the server counts one viewer');
    assert(unhandledRejections.length === 0, `unhandled rejections: ${unhandledRejections.map(String).join('; ')}`);
  });

  it('keeps presenting new frames for 7 s, across the server splicing clips', async function () {
    this.timeout(40_000);
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl, transports: 'webrtc' });
    await nextEvent(player, 'firstframe', 15_000);

    const samples = await sampleFrames(videoOf(player), 7_500);
    assert(samples.length >= 2, `only ${samples.length} frames presented`);
    const span = samples.at(-1)!.at - samples[0]!.at;
    assert(span >= 7_000, `frames stopped after ${Math.round(span)} ms`);
    let longestGap = 0;
    for (let i = 1; i < samples.length; i++) {
      const [before, after] = [samples[i - 1]!, samples[i]!];
      assert(after.presentedFrames > before.presentedFrames, `presentedFrames went ${before.presentedFrames} → ${after.presentedFrames}`);
      assert(after.mediaTime >= before.mediaTime, `mediaTime went back ${before.mediaTime} → ${after.mediaTime}`);
      longestGap = Math.max(longestGap, after.at - before.at);
    }
    const distinctMediaTimes = new Set(samples.map((sample) => sample.mediaTime)).size;
    const frames = samples.at(-1)!.presentedFrames - samples[0]!.presentedFrames;
    assert(frames >= 70, `only ${frames} frames presented in ${Math.round(span)} ms`);
    assert(distinctMediaTimes >= 70, `only ${distinctMediaTimes} distinct mediaTime values`);
    assert(longestGap < 1_000, `video stalled for ${Math.round(longestGap)} ms`);
    assert(player.state === 'playing', `state ${player.state} after 7 s`);
  });

  it('a ws: src with nothing listening ends in signaling-unreachable and state failed', async () => {
    const player = mount({ src: 'ws://127.0.0.1:1/ws' });
    const error = await nextEvent(player, 'error', 10_000);
    assert(error.code === 'signaling-unreachable', `error code ${error.code}`);
    assert(error.fatal, 'the error is fatal');
    assert(player.state === 'failed' && player.getAttribute('state') === 'failed', `state ${player.state}`);
    assert(player.transport === null && !player.hasAttribute('transport'), 'no transport after failing');
    await settle();
    assert(unhandledRejections.length === 0, `unhandled rejections: ${unhandledRejections.map(String).join('; ')}`);
  });

  it('an http: src is rejected by config without opening any socket', async () => {
    const RealWebSocket = window.WebSocket;
    let socketsOpened = 0;
    window.WebSocket = class extends RealWebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        socketsOpened++;
      }
    };
    try {
      const player = mount({ src: 'http://example.invalid/' });
      const error = await nextEvent(player, 'error', 5_000);
      assert(error.code === 'invalid-attribute', `error code ${error.code}`);
      assert(error.fatal, 'the error is fatal');
      assert(error.message.includes('src'), `the message names the attribute: ${error.message}`);
      assert(player.state === 'failed', `state ${player.state}`);
      await settle();
      assert(socketsOpened === 0, `${socketsOpened} WebSocket(s) opened`);
      assert(unhandledRejections.length === 0, `unhandled rejections: ${unhandledRejections.map(String).join('; ')}`);
    } finally {
      window.WebSocket = RealWebSocket;
    }
  });

  it('reports bad optional attributes as non-fatal errors and plays anyway', async () => {
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl, latency: 'soon', transports: 'webrtc,pigeon' });
    const errors: PlayerEventDetails['error'][] = [];
    player.addEventListener('error', (event) => errors.push(event.detail));
    await nextEvent(player, 'firstframe', 15_000);
    assert(errors.length === 2, `errors ${JSON.stringify(errors)}`);
    assert(errors.every((error) => error.code === 'invalid-attribute' && !error.fatal), `errors ${JSON.stringify(errors)}`);
    assert(errors.some((error) => error.message.startsWith('latency')), 'latency is named');
    assert(errors.some((error) => error.message.includes('pigeon')), 'the unknown transport is named');
  });

  it('error events reach listeners on the element but do not bubble to window.onerror', async () => {
    let bubbled = 0;
    const onWindowError = (event: Event) => {
      if (event instanceof CustomEvent) bubbled++;
    };
    window.addEventListener('error', onWindowError);
    try {
      const player = mount({ src: 'ws://127.0.0.1:1/ws' });
      await nextEvent(player, 'error', 10_000);
      await settle();
      assert(bubbled === 0, 'the error event reached window');
    } finally {
      window.removeEventListener('error', onWindowError);
    }
  });

  it('removing the element from the page closes its socket', async () => {
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl, transports: 'webrtc' });
    await nextEvent(player, 'firstframe', 15_000);
    assert((await viewers(httpUrl)) === 1, 'one viewer while playing');
    player.remove();
    await waitForViewers(httpUrl, (count) => count === 0, 5_000);
    assert(player.state === 'idle', `state ${player.state} after removal`);
  });

  it('reconnects after its socket drops while playing, and plays again', async function () {
    this.timeout(40_000);
    const { wsUrl } = await testServer();
    const RealWebSocket = window.WebSocket;
    const sockets: WebSocket[] = [];
    const socketCount = () => sockets.length;
    window.WebSocket = class extends RealWebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    };
    try {
      const player = mount({ src: wsUrl, transports: 'webrtc' });
      await nextEvent(player, 'firstframe', 15_000);
      const states: string[] = [];
      const errors: PlayerEventDetails['error'][] = [];
      player.addEventListener('statechange', (event) => states.push(event.detail.state));
      player.addEventListener('error', (event) => errors.push(event.detail));
      assert(sockets.length === 1, `${sockets.length} sockets before the drop`);

      sockets[0]!.close(4000, 'test drops the socket');
      await nextEvent(player, 'statechange', 5_000);
      assert(stateOf(player) === 'reconnecting', `state ${player.state} after the drop`);
      while (stateOf(player) !== 'playing') await nextEvent(player, 'statechange', 15_000);

      assert(states.join() === 'reconnecting,playing', `states ${states.join()}`);
      assert(errors.length === 1 && errors[0]!.code === 'signaling-closed' && !errors[0]!.fatal, `errors ${JSON.stringify(errors)}`);
      assert(socketCount() === 2, `${sockets.length} sockets after reconnecting`);
      assert(player.getAttribute('transport') === 'webrtc', 'transport still webrtc');
      const frames = await sampleFrames(videoOf(player), 1_000);
      assert(frames.length >= 10, `only ${frames.length} frames after reconnecting`);
      assert((await viewers(httpUrl)) === 1, 'the server counts one viewer after reconnecting');
    } finally {
      window.WebSocket = RealWebSocket;
    }
  });

  it('with autoplay="false" it waits for connect(), and disconnect() is idempotent', async () => {
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl, transports: 'webrtc', autoplay: 'false' });
    await settle();
    assert(player.state === 'idle', `state ${player.state} before connect()`);
    assert((await viewers(httpUrl)) === 0, 'no viewer before connect()');

    player.connect();
    await nextEvent(player, 'firstframe', 15_000);
    assert(stateOf(player) === 'playing', `state ${player.state} after connect()`);

    player.disconnect();
    player.disconnect();
    assert(stateOf(player) === 'idle', `state ${player.state} after disconnect()`);
    assert(videoOf(player).srcObject === null, 'the stream is detached from the video');
    await waitForViewers(httpUrl, (count) => count === 0, 5_000);
  });
});

// <avatar-player> over WebSocket + MediaSource against the real reference server, in real Chromium.
import '../../components/avatar-player/avatar-player.js';
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';
import type { PlayerEventDetails } from '../../src/events.js';
import { testServer } from './env.js';
import { assert, collectEvents, forgetRememberedPaths, mount, nextEvent, unmountAll, videoOf } from './helpers.js';

interface Health {
  viewers: number;
  clipsPlayed: number;
}

async function health(httpUrl: string): Promise<Health> {
  const response = await fetch(`${httpUrl}/health`, { cache: 'no-store' });
  return (await response.json()) as Health;
}

interface PlaybackLog {
  frames: number;
  /** Clips the server put on air while we watched: one more than the splices. */
  clips: Set<number>;
  backwardsMediaTime: number;
  backwardsCurrentTime: number;
  longestGapMs: number;
  audioBytes: [number, number];
  seconds: number;
}

/** Watches playback for `durationMs`: every presented frame, and the server's clip on air every 100 ms. */
async function watch(player: AvatarPlayer, httpUrl: string, durationMs: number): Promise<PlaybackLog> {
  const video = videoOf(player);
  const log: PlaybackLog = { frames: 0, clips: new Set(), backwardsMediaTime: 0, backwardsCurrentTime: 0, longestGapMs: 0, audioBytes: [audioBytes(video), 0], seconds: 0 };
  let lastMediaTime = -1;
  let lastCurrentTime = -1;
  let lastFrameAt = performance.now();
  const started = performance.now();
  let handle = 0;
  const onFrame: VideoFrameRequestCallback = (now, metadata) => {
    log.frames++;
    if (metadata.mediaTime < lastMediaTime) log.backwardsMediaTime++;
    if (video.currentTime < lastCurrentTime) log.backwardsCurrentTime++;
    lastMediaTime = metadata.mediaTime;
    lastCurrentTime = video.currentTime;
    log.longestGapMs = Math.max(log.longestGapMs, now - lastFrameAt);
    lastFrameAt = now;
    handle = video.requestVideoFrameCallback(onFrame);
  };
  handle = video.requestVideoFrameCallback(onFrame);
  while (performance.now() - started < durationMs) {
    log.clips.add((await health(httpUrl)).clipsPlayed);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  video.cancelVideoFrameCallback(handle);
  log.audioBytes[1] = audioBytes(video);
  log.seconds = (performance.now() - started) / 1000;
  return log;
}

/** Chromium counts the audio bytes it decoded: growing means sound is really playing. */
function audioBytes(video: HTMLVideoElement): number {
  return (video as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount ?? 0;
}

function assertPlayedWell(log: PlaybackLog): void {
  const fps = log.frames / log.seconds;
  assert(fps >= 20, `${log.frames} frames in ${log.seconds.toFixed(1)} s (${fps.toFixed(1)} fps)`);
  assert(log.backwardsMediaTime === 0, `mediaTime went backwards ${log.backwardsMediaTime} times`);
  assert(log.backwardsCurrentTime === 0, `currentTime went backwards ${log.backwardsCurrentTime} times`);
  assert(log.longestGapMs < 500, `no frame for ${Math.round(log.longestGapMs)} ms`);
  assert(log.audioBytes[1] > log.audioBytes[0], `audio decoded bytes ${log.audioBytes.join(' → ')}`);
}

describe('<avatar-player> over WebSocket + MediaSource', () => {
  let httpUrl = '';
  let wsUrl = '';
  const realCanConstruct = Object.getOwnPropertyDescriptor(MediaSource, 'canConstructInDedicatedWorker');

  before(async () => {
    ({ httpUrl, wsUrl } = await testServer());
  });

  afterEach(async () => {
    unmountAll();
    await forgetRememberedPaths();
    if (realCanConstruct) Object.defineProperty(MediaSource, 'canConstructInDedicatedWorker', realCanConstruct);
    const deadline = performance.now() + 10_000;
    while ((await health(httpUrl)).viewers !== 0) {
      assert(performance.now() < deadline, 'the server still counts viewers 10 s after the players left');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('plays across at least 3 clip splices with audio, never going backwards (MediaSource in the worker)', async function () {
    this.timeout(40_000);
    assert(MediaSource.canConstructInDedicatedWorker === true, 'this Chromium lets a worker own the MediaSource');
    const player = mount({ src: wsUrl, transports: 'mse' });
    const errors = collectEvents(player, 'error');
    const first = await nextEvent(player, 'firstframe', 10_000);
    assert(first.transport === 'mse', `first frame over ${first.transport}`);
    assert(player.transport === 'mse' && player.getAttribute('transport') === 'mse', `transport ${player.transport}`);

    const log = await watch(player, httpUrl, 12_000);
    assert(log.clips.size >= 4, `only ${log.clips.size - 1} splices seen`);
    assertPlayedWell(log);
    assert(errors.length === 0, `errors: ${JSON.stringify(errors)}`);
    const stats = player.getStats();
    assert(stats.bufferMs !== null && stats.bufferMs >= 0 && stats.bufferMs < 2_000, `buffer ${stats.bufferMs} ms`);
    assert(stats.latencyMs !== null && stats.latencyMs > 0 && stats.latencyMs < 2_000, `latency ${stats.latencyMs} ms`);
  });

  it('plays with the MediaSource on the main thread where a worker cannot own it', async function () {
    this.timeout(30_000);
    Object.defineProperty(MediaSource, 'canConstructInDedicatedWorker', { value: false, configurable: true });
    const player = mount({ src: wsUrl, transports: 'mse' });
    const first = await nextEvent(player, 'firstframe', 10_000);
    assert(first.transport === 'mse', `first frame over ${first.transport}`);
    assert(videoOf(player).src.startsWith('blob:'), `the video plays a main-thread MediaSource (src ${videoOf(player).src})`);
    assertPlayedWell(await watch(player, httpUrl, 5_000));
  });

  it('plays MSE when WebRTC cannot connect, and says why', async function () {
    this.timeout(40_000);
    // Relay-only with no TURN server: WebRTC has no candidate at all and can never connect.
    const player = mount({ src: wsUrl, 'ice-transport-policy': 'relay' });
    const changes: PlayerEventDetails['transportchange'][] = collectEvents(player, 'transportchange');
    const first = await nextEvent(player, 'firstframe', 25_000);
    assert(first.transport === 'mse', `first frame over ${first.transport}`);
    const deadline = performance.now() + 20_000;
    while (!changes.some((change) => change.cause)) {
      assert(performance.now() < deadline, `no reason given: ${JSON.stringify(changes)}`);
      await nextEvent(player, 'transportchange', deadline - performance.now());
    }
    const [won, why] = changes;
    assert(won?.transport === 'mse' && won.reason === 'race-won', `first change ${JSON.stringify(won)}`);
    assert(why?.transport === 'mse' && why.reason === 'udp-blocked', `second change ${JSON.stringify(why)}`);
    assert(why.cause?.transport === 'webrtc' && why.cause.code === 'webrtc-failed', `cause ${JSON.stringify(why.cause)}`);
    assertPlayedWell(await watch(player, httpUrl, 3_000));
  });
});

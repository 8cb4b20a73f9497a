// <avatar-player mse-src> in real Chromium against the run's fMP4 relay (scripts/fmp4-relay.mjs): ffmpeg-made
// fragmented MP4 over a WebSocket, cut into odd chunk sizes, paced in real time and looped.
import '../../components/avatar-player/avatar-player.js';
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';
import type { PlayerEventDetails } from '../../src/events.js';
import { fmp4Connections, fmp4Relay, fmp4Url, type Fmp4RelayOptions, type Fmp4Variant } from './env.js';
import { assert, collectEvents, mount, nextEvent, sampleFrames, unmountAll, videoOf, type FrameSample } from './helpers.js';

/** The relay's streams run 25 fps; a loaded 2-core machine may drop some frames, never most. */
const MIN_FPS = 15;
const MAX_FRAME_GAP_MS = 1_000;

interface Playing {
  player: AvatarPlayer;
  video: HTMLVideoElement;
  errors: PlayerEventDetails['error'][];
  warnings: PlayerEventDetails['warning'][];
  /** performance.now() when the element was mounted: the relay's t=0 is a few ms later. */
  mountedAt: number;
}

/** Mounts a player on one of the relay's streams (odd chunks unless told otherwise) and waits for its first frame. */
async function play(variant: Fmp4Variant, options: Fmp4RelayOptions = {}): Promise<Playing> {
  const url = await fmp4Url(variant, { chunks: 'odd', ...options });
  const mountedAt = performance.now();
  const player = mount({ 'mse-src': url, transports: 'mse' });
  const errors = collectEvents(player, 'error');
  const warnings = collectEvents(player, 'warning');
  const first = await nextEvent(player, 'firstframe', 5_000);
  assert(first.transport === 'mse', `firstframe transport ${first.transport}`);
  assert(player.transport === 'mse', `transport property ${player.transport}`);
  return { player, video: videoOf(player), errors, warnings, mountedAt };
}

/** Frames kept coming for at least `minSpanMs`, with no long gap, and mediaTime never went back. */
function assertAdvancing(samples: FrameSample[], minSpanMs: number, what: string): void {
  assert(samples.length >= 2, `${what}: only ${samples.length} frames presented`);
  const [first, last] = [samples[0]!, samples.at(-1)!];
  const span = last.at - first.at;
  assert(span >= minSpanMs, `${what}: frames stopped after ${Math.round(span)} ms`);
  let longestGap = 0;
  for (let i = 1; i < samples.length; i++) {
    const [before, after] = [samples[i - 1]!, samples[i]!];
    assert(after.presentedFrames > before.presentedFrames, `${what}: presentedFrames went ${before.presentedFrames} → ${after.presentedFrames}`);
    assert(after.mediaTime >= before.mediaTime, `${what}: mediaTime went back ${before.mediaTime} → ${after.mediaTime}`);
    longestGap = Math.max(longestGap, after.at - before.at);
  }
  assert(longestGap < MAX_FRAME_GAP_MS, `${what}: no frame for ${Math.round(longestGap)} ms`);
  const fps = ((last.presentedFrames - first.presentedFrames) * 1000) / span;
  assert(fps >= MIN_FPS, `${what}: ${fps.toFixed(1)} frames/s`);
}

/** Records every backwards step of video.currentTime until stopped. */
function watchCurrentTime(video: HTMLVideoElement): () => string[] {
  const backwards: string[] = [];
  let last = video.currentTime;
  const timer = setInterval(() => {
    const now = video.currentTime;
    if (now < last) backwards.push(`${last.toFixed(3)} → ${now.toFixed(3)}`);
    last = now;
  }, 50);
  return () => {
    clearInterval(timer);
    return backwards;
  };
}

/** Chromium's count of audio bytes decoded by this element (0 when it has no audio). */
function audioDecodedBytes(video: HTMLVideoElement): number {
  const count = (video as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount;
  assert(typeof count === 'number', 'Chromium exposes webkitAudioDecodedByteCount');
  return count;
}

/** How far playback is behind the newest buffered media, in seconds. */
function lagSeconds(video: HTMLVideoElement): number {
  const { buffered } = video;
  return buffered.length === 0 ? 0 : buffered.end(buffered.length - 1) - video.currentTime;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    assert(performance.now() < deadline, `${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Plays a variant for 3.5 s: frames advance, time never goes back, audio is decoded (or not). */
async function assertPlays(variant: Fmp4Variant, { audio }: { audio: boolean }, options: Fmp4RelayOptions = {}): Promise<Playing> {
  const playing = await play(variant, options);
  const { video } = playing;
  const stopWatch = watchCurrentTime(video);
  const audioBefore = audioDecodedBytes(video);
  const samples = await sampleFrames(video, 3_500);
  assertAdvancing(samples, 3_000, variant);
  assert(stopWatch().length === 0, `${variant}: currentTime went back`);
  const audioAfter = audioDecodedBytes(video);
  if (audio) assert(audioAfter > audioBefore, `${variant}: audio decoded bytes ${audioBefore} → ${audioAfter}`);
  else assert(audioAfter === 0, `${variant}: ${audioAfter} audio bytes decoded from a stream without audio`);
  assert(playing.errors.length === 0, `${variant}: errors ${JSON.stringify(playing.errors)}`);
  return playing;
}

describe('<avatar-player mse-src> on a plain fMP4 WebSocket', () => {
  afterEach(async () => {
    unmountAll();
    const deadline = performance.now() + 5_000;
    while ((await fmp4Connections()) > 0) {
      assert(performance.now() < deadline, 'the removed player did not close its socket to the relay within 5 s');
      await sleep(100);
    }
  });

  it('h264-aac in odd chunks: plays with audio, and keeps going across the loop back to t=0', async () => {
    const { player, video, errors, warnings } = await play('h264-aac');
    const stopWatch = watchCurrentTime(video);
    const audioBefore = audioDecodedBytes(video);
    // The relay's stream is 5 s long: 7.5 s of frames cross its restart at t=0 with a new init.
    const samples = await sampleFrames(video, 7_500);
    assertAdvancing(samples, 7_000, 'h264-aac');
    const mediaSpan = samples.at(-1)!.mediaTime - samples[0]!.mediaTime;
    assert(mediaSpan >= 6.5, `mediaTime advanced only ${mediaSpan.toFixed(2)} s in 7.5 s: the loop did not continue the timeline`);
    assert(stopWatch().length === 0, 'currentTime went back');
    assert(audioDecodedBytes(video) > audioBefore, 'audio is decoded');
    assert(samples[0]!.width === 320 && video.videoWidth === 320, `videoWidth ${video.videoWidth}`);
    assert(errors.length === 0, `errors ${JSON.stringify(errors)}`);
    assert(warnings.length === 0, `warnings ${JSON.stringify(warnings)}`);
    assert(player.state === 'playing', `state ${player.state}`);
  });

  it('bframes: plays, and warns with code b-frames', async () => {
    const { warnings } = await assertPlays('bframes', { audio: true });
    assert(warnings.some((warning) => warning.code === 'b-frames' && warning.message.length > 0), `warnings ${JSON.stringify(warnings)}`);
  });

  it('opus: plays with Opus audio', async () => {
    await assertPlays('opus', { audio: true });
  });

  it('aac-44k: plays with 44.1 kHz AAC audio', async () => {
    await assertPlays('aac-44k', { audio: true });
  });

  it('720p: plays at 1280x720', async () => {
    const { video } = await assertPlays('720p', { audio: true });
    assert(video.videoWidth === 1280 && video.videoHeight === 720, `video ${video.videoWidth}x${video.videoHeight}`);
  });

  it('video-only: plays without an audio track', async () => {
    await assertPlays('video-only', { audio: false });
  });

  it('paced as a live ffmpeg emits it (each 1 s fragment once complete): plays', async () => {
    await assertPlays('h264-aac', { audio: true }, { pace: 'end' });
  });

  it('resolution-change: 320x240, then a new init at 640x360 restarting at t=0, then the loop back to 320x240, without stopping', async () => {
    const { video, errors } = await play('resolution-change');
    const stopWatch = watchCurrentTime(video);
    // Two 3 s parts, looped: 640 wide from about 3 s to 6 s after connecting, then 320 again.
    const samples = await sampleFrames(video, 7_000);
    assertAdvancing(samples, 6_500, 'across the changes');
    const runs: { width: number; height: number; from: number; to: number }[] = [];
    for (const sample of samples) {
      const run = runs.at(-1);
      if (run && run.width === sample.width && run.height === sample.height) run.to = sample.at;
      else runs.push({ width: sample.width, height: sample.height, from: sample.at, to: sample.at });
    }
    const sizes = runs.map((run) => `${run.width}x${run.height}`).join(' → ');
    assert(['320x240 → 640x360', '320x240 → 640x360 → 320x240'].includes(sizes), `frame sizes ${sizes}`);
    const large = runs[1]!;
    assert(large.to - large.from >= 2_000, `640x360 frames for only ${Math.round(large.to - large.from)} ms`);
    assert(stopWatch().length === 0, 'currentTime went back');
    assert(errors.length === 0, `errors ${JSON.stringify(errors)}`);
  });

  it('a corrupt chunk gives a non-fatal error event, and frames advance again from the next keyframe', async () => {
    // Small fragments: the garbage lands before a fragment that does not start with a keyframe.
    const corruptAtMs = 2_500;
    const { player, video, errors, mountedAt } = await play('small-fragments', { corruptAtMs });
    const stopWatch = watchCurrentTime(video);
    const error = await nextEvent(player, 'error', corruptAtMs + 3_000);
    const errorAt = performance.now() - mountedAt;
    assert(typeof error.code === 'string' && error.code.length > 0, `error code ${JSON.stringify(error.code)}`);
    assert(error.fatal === false, 'the error is not fatal');
    assert(errorAt >= corruptAtMs - 100, `the error came at ${Math.round(errorAt)} ms, before the corruption`);
    const after = await sampleFrames(video, 3_000);
    assertAdvancing(after.filter((sample) => sample.at >= after[0]!.at + 1_000), 1_500, 'after the corruption');
    assert(stopWatch().length === 0, 'currentTime went back');
    assert(errors.length === 1, `errors ${JSON.stringify(errors)}`);
    assert(player.state === 'playing', `state ${player.state}`);
  });

  it('a socket stalled for 3 s: playback comes back near the live edge within 2 s', async () => {
    const [stallAtMs, stallMs] = [2_000, 3_000];
    const { player, video, errors, mountedAt } = await play('small-fragments', { stallAtMs, stallMs });
    const stopWatch = watchCurrentTime(video);
    const firstFrameTime = video.currentTime;
    const stallEnd = mountedAt + stallAtMs + stallMs;
    await sleep(stallEnd + 2_000 - performance.now());

    // From 2 s after the stall, for 1 s: playing, under 1 s behind the newest media, and the newest media is the backlog's.
    const lags: number[] = [];
    const framesDuring = sampleFrames(video, 1_000);
    const until = performance.now() + 1_000;
    while (performance.now() < until) {
      lags.push(lagSeconds(video));
      await sleep(100);
    }
    assertAdvancing(await framesDuring, 900, 'after the stall');
    assert(Math.max(...lags) < 1, `lag behind the live edge ${lags.map((lag) => lag.toFixed(2)).join(', ')} s`);
    // 8 s after connecting the relay has sent 8 s of media; the live edge measured above must be that fresh.
    const mediaSinceFirstFrame = video.buffered.end(video.buffered.length - 1) - firstFrameTime;
    assert(mediaSinceFirstFrame >= 6, `only ${mediaSinceFirstFrame.toFixed(2)} s of media buffered past the first frame 8 s after connecting`);
    assert(stopWatch().length === 0, 'currentTime went back');
    assert(errors.length === 0, `errors ${JSON.stringify(errors)}`);
    assert(player.state === 'playing', `state ${player.state}`);
  });

  it('a go2rtc WebSocket API URL: asks for the MSE stream first, then plays it', async () => {
    const { baseUrl } = await fmp4Relay();
    const url = `${baseUrl.replace(/\/fmp4$/, '/api/ws')}?src=h264-aac&chunks=odd`;
    const player = mount({ 'mse-src': url, transports: 'mse' });
    const errors = collectEvents(player, 'error');
    await nextEvent(player, 'firstframe', 5_000);
    assertAdvancing(await sampleFrames(videoOf(player), 2_000), 1_500, 'go2rtc');
    assert(errors.length === 0, `errors ${JSON.stringify(errors)}`);
  });

  it('text messages between the binary ones are ignored: plays, no error', async () => {
    const { video, errors } = await play('h264-aac', { textEveryMs: 200 });
    assertAdvancing(await sampleFrames(video, 3_500), 3_000, 'with text messages');
    assert(errors.length === 0, `errors ${JSON.stringify(errors)}`);
  });
});

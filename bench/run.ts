/**
 * `npm run bench`: the player against the reference server, inside the test network namespace.
 * WebRTC: time from connect() to the first frame (≥ 5 runs) and the frame rate over 10 s.
 * WebSocket + MediaSource: time to first frame; glass-to-glass latency over BENCH_LATENCY_SECONDS (60 s);
 * latency after a 3 s stall of the socket (through bench/tcp-pause-proxy.ts); and the MediaSource in the
 * Worker vs on the main thread, on an idle and on a busy page (BENCH_APPEND_SECONDS each, 20 s).
 * A/V offset and measured glass-to-glass per path (bench/sync.ts, BENCH_SYNC_SECONDS each, 30 s).
 * BENCH_ONLY=sync runs only that, BENCH_ONLY=classic everything else; a partial run keeps the other sections of
 * bench/results/latest.json. Other knobs: BENCH_RUNS (7), BENCH_STALL_PLAY_SECONDS (5: play before the stall), BENCH_MSE_TARGET_MS (the
 * element's `latency`), BENCH_RAW_DIR (write every watch's frames there as JSON).
 * Prints one table and writes bench/results/latest.json and bench/results/report.html.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumFlags } from '../scripts/chromium.mjs';
import { createServer } from 'vite';
import { startReferenceServer } from '../scripts/reference-server.mjs';
import { deliveryLagOf, droppedOf, frameRateOf, framesBetween, stallRecovery, summaryOf } from './frame-analysis.js';
import type { Bench, FirstFrame, WatchOptions, WatchRecord } from './page.js';
import { report, type AppendPath, type Results, type SteadyState } from './report.js';
import { syncBench } from './sync.js';
import { startTcpPauseProxy } from './tcp-pause-proxy.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FPS_SECONDS = 10;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 60);
const APPEND_SECONDS = Number(process.env.BENCH_APPEND_SECONDS ?? 20);
/** The `latency` attribute for the MSE runs; unset: the element's default. */
const MSE_TARGET_MS = process.env.BENCH_MSE_TARGET_MS ? Number(process.env.BENCH_MSE_TARGET_MS) : undefined;
/** Frames this soon after the first one are start-up, not steady state. */
const STARTUP_MS = 2_000;
/** The start-up catch-up (from the GOP's end, ~300 ms behind, down to the target) is over by then. */
const SETTLED_MS = 10_000;
const STALL = { playMs: Number(process.env.BENCH_STALL_PLAY_SECONDS ?? 5) * 1000, stallMs: 3_000, afterMs: 5_000 };
const BUSY_PAGE = { busyMs: 50, periodMs: 100 };
/**
 * Runs start this much apart at most: a first frame waits for the server's next keyframe, and runs started
 * back to back all land at the same point of the GOP, so their pauses are spread evenly over this span.
 */
const PHASE_SPREAD_MS = 1_000;
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && ONLY !== 'sync' && ONLY !== 'classic') throw new Error(`BENCH_ONLY is 'sync' or 'classic', not '${ONLY}'`);
/** If set, every watch's raw frame record is written there as JSON (for plots and for digging). */
const RAW_DIR = process.env.BENCH_RAW_DIR;

type BenchWindow = Window & { bench: Bench };

/** Calls a function of bench/page.ts; the code runs as written there, not as re-transpiled by Playwright. */
function inPage<K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(({ name, args }) => ((window as unknown as BenchWindow).bench[name] as (...a: unknown[]) => Promise<never>)(...args), { name, args }) as never;
}

/** Undo steps (server, Vite, browser, temp dirs), run in reverse order when the bench ends, fails or is interrupted. */
const cleanups: (() => Promise<unknown>)[] = [];

let cleaning: Promise<void> | undefined;

/** Once: a signal and main()'s own finally (when the signal makes it fail) both wait for the same cleanup. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(`bench cleanup: ${String(error)}`));
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  try {
    const logDir = await mkdtemp(join(tmpdir(), 'avatar-bench-log-'));
    cleanups.push(() => rm(logDir, { recursive: true, force: true }));
    const server = ONLY === 'sync' ? undefined : await startReferenceServer({ logFile: join(logDir, 'server.log'), args: ['--port', '0', '--host', '127.0.0.1'], readyTimeoutMs: 120_000 });
    if (server) cleanups.push(() => server.stop());
    // Nothing may reload the page mid-measurement: no file watching or HMR (the repository is edited while we
    // run), and a dependency cache of our own with every dependency named up front (a dependency Vite discovers
    // late, mp4box when the remux worker first loads, or a cache another Vite run rewrote makes it reload).
    const viteCache = await mkdtemp(join(tmpdir(), 'avatar-bench-vite-'));
    cleanups.push(() => rm(viteCache, { recursive: true, force: true }));
    const vite = await createServer({
      configFile: false,
      root: process.cwd(),
      cacheDir: viteCache,
      logLevel: 'error',
      server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: ['lit', 'mp4box'] },
    });
    cleanups.push(() => vite.close());
    await vite.listen();
    const profile = await mkdtemp(join(tmpdir(), 'avatar-bench-'));
    cleanups.push(() => rm(profile, { recursive: true, force: true }));
    // Playwright takes the profile directory itself and refuses a --user-data-dir flag. Its own signal handlers
    // would exit the process before the server and the temp dirs are cleaned up: ours do it all.
    const flags = chromiumFlags(profile).filter((flag) => !flag.startsWith('--user-data-dir'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: flags,
      handleSIGINT: false,
      handleSIGTERM: false,
    });
    cleanups.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    const address = vite.httpServer!.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await page.goto(`http://127.0.0.1:${port}/bench/page.html`);
    await page.waitForFunction('window.bench !== undefined && window.benchSync !== undefined');
    const classic = server ? await measure(page, server.wsUrl) : {};
    await report({ ...classic, ...(ONLY === 'classic' ? {} : { sync: await syncBench(page, cleanups) }) });
  } finally {
    await cleanUp();
  }
}

async function measure(page: Page, wsUrl: string): Promise<Results> {
  const webrtcRuns = await firstFrames(page, wsUrl, 'webrtc');
  const fps = await inPage(page, 'frameRate', wsUrl, 'webrtc', FPS_SECONDS);
  const mseRuns = await firstFrames(page, wsUrl, 'mse');
  const latency = steadyState(await watch(page, 'mse-latency', mseOptions(wsUrl), () => sleep(STARTUP_MS + LATENCY_SECONDS * 1000)));
  const stall = await stallRun(page, wsUrl);
  const appendPaths: AppendPath[] = [];
  for (const mediaSource of ['worker', 'main thread'] as const) {
    for (const busy of [false, true]) appendPaths.push(await appendPath(page, wsUrl, mediaSource, busy));
  }
  return {
    webrtc: { runs: webrtcRuns, fps, fpsSeconds: FPS_SECONDS },
    mse: { targetLatencyMs: MSE_TARGET_MS ?? null, runs: mseRuns, latency, stall, appendPaths },
  };
}

/** A warm-up (module loading and codec start-up are not what we measure), then RUNS measured runs. */
async function firstFrames(page: Page, wsUrl: string, transport: 'webrtc' | 'mse'): Promise<FirstFrame[]> {
  await inPage(page, 'firstFrame', wsUrl, transport);
  const runs: FirstFrame[] = [];
  for (let i = 0; i < RUNS; i++) {
    await sleep((i * PHASE_SPREAD_MS) / RUNS);
    runs.push(await inPage(page, 'firstFrame', wsUrl, transport));
  }
  const wrong = runs.find((run) => run.transport !== transport);
  if (wrong) throw new Error(`asked for ${transport}, the player played on ${wrong.transport}`);
  return runs;
}

function mseOptions(src: string, extra: Partial<WatchOptions> = {}): WatchOptions {
  return { src, transports: 'mse', ...(MSE_TARGET_MS === undefined ? {} : { latencyMs: MSE_TARGET_MS }), ...extra };
}

/** One player watched from its first frame while `during` runs; the page is cleaned up whatever happens. */
async function watch(page: Page, name: string, options: WatchOptions, during: () => Promise<unknown>): Promise<WatchRecord> {
  try {
    const first = await inPage(page, 'startWatch', options);
    if (first.transport !== 'mse') throw new Error(`asked for mse, the player played on ${first.transport}`);
    await during();
    const record = await inPage(page, 'stopWatch');
    if (!record) throw new Error('the watch ended before it was stopped');
    for (const error of record.errors) console.warn(`player error during the bench (${name}): ${error}`);
    if (RAW_DIR) {
      await mkdir(RAW_DIR, { recursive: true });
      await writeFile(join(RAW_DIR, `${name}.json`), JSON.stringify({ options, ...record }));
    }
    return record;
  } finally {
    // A cleanup that fails (the page itself died) must not hide why.
    await inPage(page, 'cleanUp').catch((error: unknown) => console.error(`bench page cleanup: ${String(error)}`));
  }
}

/** Everything after start-up. */
function steadyState(record: WatchRecord): SteadyState {
  const frames = framesBetween(record.frames, STARTUP_MS);
  const seconds = ((frames.at(-1)?.atMs ?? STARTUP_MS) - (frames[0]?.atMs ?? STARTUP_MS)) / 1000;
  return {
    seconds,
    latency: summaryOf(frames, 'latencyMs'),
    settledLatency: summaryOf(framesBetween(record.frames, SETTLED_MS), 'latencyMs'),
    buffer: summaryOf(frames, 'bufferMs'),
    deliveryLag: deliveryLagOf(frames),
    targetBuffer: summaryOf(frames, 'targetBufferMs'),
    jitterDepth: summaryOf(frames, 'jitterDepthMs'),
    playbackRate: summaryOf(frames, 'playbackRate'),
    fps: frameRateOf(frames),
    droppedFrames: droppedOf(frames),
    errors: record.errors,
  };
}

/** Plays through the pause proxy, stops server → client for STALL.stallMs, and watches the recovery. */
async function stallRun(page: Page, wsUrl: string): Promise<NonNullable<Results['mse']>['stall']> {
  const server = new URL(wsUrl);
  const proxy = await startTcpPauseProxy({ host: server.hostname, port: Number(server.port) });
  try {
    const record = await watch(page, 'mse-stall', mseOptions(`ws://127.0.0.1:${proxy.port}${server.pathname}`), async () => {
      await sleep(STALL.playMs);
      await inPage(page, 'markWatch', 'stall');
      proxy.pause();
      await sleep(STALL.stallMs);
      await inPage(page, 'markWatch', 'resume');
      proxy.resume();
      await sleep(STALL.afterMs);
      await inPage(page, 'markWatch', 'end');
    });
    const { stall, resume, end } = record.marks as Record<'stall' | 'resume' | 'end', number>;
    return { ...STALL, ...stallRecovery(framesBetween(record.frames, STARTUP_MS, stall), framesBetween(record.frames, resume, end), resume, end) };
  } finally {
    proxy.resume();
    await proxy.close();
  }
}

async function appendPath(page: Page, wsUrl: string, mediaSource: AppendPath['mediaSource'], busy: boolean): Promise<AppendPath> {
  const load = busy ? BUSY_PAGE : null;
  const options = mseOptions(wsUrl, { mediaSourceOnMainThread: mediaSource === 'main thread', ...(load ? { load } : {}) });
  const name = `mse-${mediaSource === 'worker' ? 'worker' : 'main-thread'}-${busy ? 'busy' : 'idle'}`;
  const record = await watch(page, name, options, () => sleep(STARTUP_MS + APPEND_SECONDS * 1000));
  return { mediaSource, load, ...steadyState(record) };
}

await main();

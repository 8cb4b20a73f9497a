/**
 * `npm run bench`: WebRTC against the reference server, inside the test network namespace.
 * Prints time from connect() to the first frame (≥ 5 runs) and the frame rate over 10 s,
 * and writes bench/results/latest.json.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumFlags } from '../scripts/chromium.mjs';
import { createServer } from 'vite';
import { startReferenceServer } from '../scripts/reference-server.mjs';
import type { Bench, FirstFrame } from './page.js';
import { summary } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FPS_SECONDS = 10;

type BenchWindow = Window & { bench: Bench };

/** Calls a function of bench/page.ts; the code runs as written there, not as re-transpiled by Playwright. */
function inPage<K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> {
  return page.evaluate(({ name, args }) => ((window as unknown as BenchWindow).bench[name] as (...a: unknown[]) => Promise<never>)(...args), { name, args }) as never;
}

async function main(): Promise<void> {
  const logDir = await mkdtemp(join(tmpdir(), 'avatar-bench-log-'));
  const server = await startReferenceServer({ logFile: join(logDir, 'server.log'), args: ['--port', '0', '--host', '127.0.0.1'], readyTimeoutMs: 120_000 });
  const vite = await createServer({ configFile: false, root: process.cwd(), logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await vite.listen();
  const profile = await mkdtemp(join(tmpdir(), 'avatar-bench-'));
  // Playwright takes the profile directory itself and refuses a --user-data-dir flag.
  const flags = chromiumFlags(profile).filter((flag) => !flag.startsWith('--user-data-dir'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: flags });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const address = vite.httpServer!.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await page.goto(`http://127.0.0.1:${port}/bench/page.html`);
    await page.waitForFunction('window.bench !== undefined');
    await inPage(page, 'firstFrame', server.wsUrl); // warm-up: module loading and codec start-up are not what we measure
    const runs: FirstFrame[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await inPage(page, 'firstFrame', server.wsUrl));
    const fps = await inPage(page, 'frameRate', server.wsUrl, FPS_SECONDS);
    await report(runs, fps);
  } finally {
    await browser.close();
    await vite.close();
    await server.stop();
    await rm(profile, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
  }
}

/** gzip size of the built element (npm run build), the budget DESIGN.md sets for element + WebRTC. */
async function bundleGzipKb(): Promise<number> {
  return gzipSync(await readFile('dist/avatar-player.js'), { level: 9 }).byteLength / 1024;
}

async function report(runs: FirstFrame[], fps: number): Promise<void> {
  const element = summary(runs.map((r) => r.elementMs));
  const page = summary(runs.map((r) => r.pageMs));
  const bundleKb = await bundleGzipKb();
  const rows = [
    ['metric', 'n', 'median', 'p95', 'max'],
    ['webrtc first frame (element) ms', element.n, element.median, element.p95, element.max],
    ['webrtc first frame (page) ms', page.n, page.median, page.p95, page.max],
    [`webrtc frame rate over ${FPS_SECONDS} s`, 1, fps, fps, fps],
    ['element + webrtc bundle, kB gzip', 1, bundleKb, bundleKb, bundleKb],
  ];
  for (const row of rows) console.log(row.map((cell, i) => (typeof cell === 'number' && !Number.isInteger(cell) ? cell.toFixed(1) : cell).toString().padEnd(i === 0 ? 36 : 9)).join(''));
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', JSON.stringify({ date: new Date().toISOString(), webrtc: { firstFrame: { element, page }, fps }, bundleGzipKb: bundleKb }, null, 2));
}

await main();

/**
 * `npm run bench`: WebRTC against the reference server, inside the test network namespace.
 * Prints time from connect() to the first frame (≥ 5 runs) and the frame rate over 10 s,
 * and writes bench/results/latest.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { startReferenceServer } from '../scripts/reference-server.mjs';
import { summary } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FPS_SECONDS = 10;
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
];

interface FirstFrame { elementMs: number; pageMs: number }

async function firstFrame(page: Page, src: string): Promise<FirstFrame> {
  return page.evaluate(async (url) => {
    const player = document.createElement('avatar-player');
    const started = performance.now();
    const result = new Promise<{ elementMs: number; pageMs: number }>((resolve, reject) => {
      player.addEventListener('firstframe', (e) => resolve({ elementMs: (e as CustomEvent<{ elapsedMs: number }>).detail.elapsedMs, pageMs: performance.now() - started }));
      player.addEventListener('error', (e) => reject(new Error(JSON.stringify((e as unknown as CustomEvent).detail))));
      setTimeout(() => reject(new Error('no first frame in 15 s')), 15_000);
    });
    player.setAttribute('src', url);
    document.body.append(player);
    try {
      return await result;
    } finally {
      player.remove();
    }
  }, src);
}

async function frameRate(page: Page, src: string, seconds: number): Promise<number> {
  return page.evaluate(async ({ url, seconds }) => {
    const player = document.createElement('avatar-player');
    player.setAttribute('src', url);
    document.body.append(player);
    await new Promise((resolve) => player.addEventListener('firstframe', resolve, { once: true }));
    const video = player.shadowRoot!.querySelector('video')!;
    let frames = 0;
    const count = () => { frames++; video.requestVideoFrameCallback(count); };
    video.requestVideoFrameCallback(count);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    player.remove();
    return frames / seconds;
  }, { url: src, seconds });
}

async function main(): Promise<void> {
  const logDir = await mkdtemp(join(tmpdir(), 'avatar-bench-log-'));
  const server = await startReferenceServer({ logFile: join(logDir, 'server.log'), args: ['--port', '0', '--host', '127.0.0.1'], readyTimeoutMs: 120_000 });
  const vite = await createServer({ configFile: false, root: process.cwd(), logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await vite.listen();
  const profile = await mkdtemp(join(tmpdir(), 'avatar-bench-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`] });
  try {
    const page = await browser.newPage();
    const address = vite.httpServer!.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await page.goto(`http://127.0.0.1:${port}/bench/page.html`);
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
    await firstFrame(page, server.wsUrl); // warm-up: module loading and codec start-up are not what we measure
    const runs: FirstFrame[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await firstFrame(page, server.wsUrl));
    const fps = await frameRate(page, server.wsUrl, FPS_SECONDS);
    await report(runs, fps);
  } finally {
    await browser.close();
    await vite.close();
    await server.stop();
    await rm(profile, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
  }
}

async function report(runs: FirstFrame[], fps: number): Promise<void> {
  const element = summary(runs.map((r) => r.elementMs));
  const page = summary(runs.map((r) => r.pageMs));
  const rows = [
    ['metric', 'n', 'median', 'p95', 'max'],
    ['webrtc first frame (element) ms', element.n, element.median, element.p95, element.max],
    ['webrtc first frame (page) ms', page.n, page.median, page.p95, page.max],
    [`webrtc frame rate over ${FPS_SECONDS} s`, 1, fps, fps, fps],
  ];
  for (const row of rows) console.log(row.map((cell, i) => (typeof cell === 'number' ? cell.toFixed(1) : cell).toString().padEnd(i === 0 ? 36 : 9)).join(''));
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', JSON.stringify({ date: new Date().toISOString(), webrtc: { firstFrame: { element, page }, fps } }, null, 2));
}

await main();

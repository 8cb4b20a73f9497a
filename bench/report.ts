/** The bench's figures: one table on stdout and bench/results/latest.json. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { StallRecovery, Summary } from './frame-analysis.js';
import type { FirstFrame } from './page.js';
import { summary } from './stats.js';

export interface SteadyState {
  seconds: number;
  latency: Summary;
  /** Latency once the start-up catch-up is over (from SETTLED_MS after the first frame). */
  settledLatency: Summary;
  buffer: Summary;
  /** Latency − buffer at display: what delivery, remux and append add (see deliveryLagOf). */
  deliveryLag: Summary;
  targetBuffer: Summary;
  jitterDepth: Summary;
  playbackRate: Summary;
  fps: number;
  droppedFrames: number;
  errors: string[];
}

export interface AppendPath extends SteadyState {
  mediaSource: 'worker' | 'main thread';
  /** The main-thread load while watched; null: an idle page. */
  load: { busyMs: number; periodMs: number } | null;
}

export interface Results {
  webrtc: { runs: FirstFrame[]; fps: number; fpsSeconds: number };
  mse: {
    /** The element's `latency` attribute; null: its default. */
    targetLatencyMs: number | null;
    runs: FirstFrame[];
    latency: SteadyState;
    stall: StallRecovery & { playMs: number; stallMs: number; afterMs: number };
    appendPaths: AppendPath[];
  };
}

type Cell = string | number | null;

/** gzip size of the built element (npm run build), the budget DESIGN.md sets for element + WebRTC. */
async function bundleGzipKb(): Promise<number> {
  return gzipSync(await readFile('dist/avatar-player.js'), { level: 9 }).byteLength / 1024;
}

function summaryRow(metric: string, s: Summary): Cell[] {
  return [metric, s.n, s.median, s.p95, s.max];
}

function valueRow(metric: string, value: number | null): Cell[] {
  return [metric, value === null ? 0 : 1, value, value, value];
}

function mseRows({ runs, latency, stall, appendPaths }: Results['mse']): Cell[][] {
  const seconds = Math.round(latency.seconds);
  return [
    summaryRow('mse first frame (element) ms', summary(runs.map((r) => r.elementMs))),
    summaryRow('mse first frame (page) ms', summary(runs.map((r) => r.pageMs))),
    summaryRow(`mse latency over ${seconds} s ms`, latency.latency),
    summaryRow(`mse latency, settled (from 10 s) ms`, latency.settledLatency),
    summaryRow(`mse buffer over ${seconds} s ms`, latency.buffer),
    summaryRow(`mse delivery lag over ${seconds} s ms`, latency.deliveryLag),
    summaryRow(`mse target buffer over ${seconds} s ms`, latency.targetBuffer),
    summaryRow(`mse playback rate over ${seconds} s`, latency.playbackRate),
    valueRow(`mse frame rate over ${seconds} s`, latency.fps),
    valueRow(`mse dropped frames over ${seconds} s`, latency.droppedFrames),
    summaryRow('mse stall: latency before ms', stall.before),
    valueRow('mse stall: first frame after resume ms', stall.firstAfterResumeMs),
    valueRow('mse stall: max latency after resume ms', stall.maxAfterResumeMs),
    valueRow('mse stall: resume → within 1 s ms', stall.msToWithin1s),
    valueRow('mse stall: resume → within 100 ms ms', stall.msToWithin100ms),
    valueRow('mse stall: frame rate 2 s after resume', stall.frameRateAfterResume),
    summaryRow('mse stall: latency last 2 s ms', stall.lastTwoSeconds.latency),
    summaryRow('mse stall: buffer last 2 s ms', stall.lastTwoSeconds.buffer),
    ...appendPaths.flatMap((path) => {
      const name = `mse ${path.mediaSource === 'worker' ? 'worker' : 'main-thread'} MS, ${path.load ? 'busy' : 'idle'} page`;
      return [
        summaryRow(`${name}: latency ms`, path.latency),
        summaryRow(`${name}: delivery lag ms`, path.deliveryLag),
        valueRow(`${name}: dropped frames`, path.droppedFrames),
        valueRow(`${name}: frame rate`, path.fps),
      ];
    }),
  ];
}

function format(cell: Cell): string {
  if (cell === null) return 'none';
  if (typeof cell !== 'number' || Number.isInteger(cell)) return String(cell);
  return cell.toFixed(Math.abs(cell) < 10 ? 3 : 1);
}

function printTable(rows: Cell[][]): void {
  const firstWidth = Math.max(36, ...rows.map((row) => String(row[0]).length + 2));
  for (const row of rows) console.log(row.map((cell, i) => format(cell).padEnd(i === 0 ? firstWidth : 9)).join(''));
}

export async function report({ webrtc, mse }: Results): Promise<void> {
  const element = summary(webrtc.runs.map((r) => r.elementMs));
  const page = summary(webrtc.runs.map((r) => r.pageMs));
  const bundleKb = await bundleGzipKb();
  printTable([
    ['metric', 'n', 'median', 'p95', 'max'],
    summaryRow('webrtc first frame (element) ms', element),
    summaryRow('webrtc first frame (page) ms', page),
    valueRow(`webrtc frame rate over ${webrtc.fpsSeconds} s`, webrtc.fps),
    valueRow('element + webrtc bundle, kB gzip', bundleKb),
    ...mseRows(mse),
  ]);
  const { runs, ...mseFigures } = mse;
  const mseJson = { ...mseFigures, firstFrame: { element: summary(runs.map((r) => r.elementMs)), page: summary(runs.map((r) => r.pageMs)) } };
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/latest.json',
    JSON.stringify({ date: new Date().toISOString(), webrtc: { firstFrame: { element, page }, fps: webrtc.fps }, bundleGzipKb: bundleKb, mse: mseJson }, null, 2),
  );
}

/** The bench's figures: one table on stdout and bench/results/latest.json. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { StallRecovery, Summary } from './frame-analysis.js';
import type { FirstFrame } from './page.js';
import { reportPage } from './report-page.js';
import { summary } from './stats.js';
import type { Distribution } from './sync-analysis.js';
import type { SyncResults } from './sync.js';

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

/** What one `npm run bench` measured; a section is absent when BENCH_ONLY left it out. */
export interface Results {
  webrtc?: { runs: FirstFrame[]; fps: number; fpsSeconds: number };
  sync?: SyncResults;
  mse?: {
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

function mseRows({ runs, latency, stall, appendPaths }: NonNullable<Results['mse']>): Cell[][] {
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

function distributionRow(metric: string, d: Distribution): Cell[] {
  return [metric, d.n, d.median, d.p95, d.max];
}

/** The A/V offset (flash vs beep) and glass-to-glass (frame code vs send log) rows, per path. */
function syncRows({ transports }: SyncResults): Cell[][] {
  return transports.flatMap((t) => {
    const p = t.transport;
    const g2g = t.glassToGlass;
    return [
      valueRow(`${p} sync: frames with a readable code %`, (100 * t.frames.readable) / Math.max(1, t.frames.presented)),
      distributionRow(`${p} A/V offset (video − audio) ms`, t.avOffset.all),
      valueRow(`${p} A/V offset p5 ms`, t.avOffset.all.p5),
      valueRow(`${p} A/V |offset| p95 ms (goal ≤ 20)`, t.avOffset.all.absP95),
      distributionRow(`${p} A/V offset at splices ms`, t.avOffset.splices),
      valueRow(`${p} A/V |offset| p95 at splices ms`, t.avOffset.splices.absP95),
      distributionRow(`${p} A/V offset from 8 s ms`, t.avOffset.settled),
      distributionRow(`${p} A/V offset at the audio tap ms`, t.avOffset.atTap),
      valueRow(`${p} splice flashes without a beep`, t.avOffset.unpairedSpliceFlashes),
      ...(t.playerAvOffset ? [distributionRow(`${p} player's A/V offset figure ms`, t.playerAvOffset)] : [valueRow(`${p} player's A/V offset figure ms`, null)]),
      ...(g2g
        ? [
            distributionRow(`${p} glass-to-glass, measured ms`, g2g.measured),
            distributionRow(`${p} glass-to-glass from 8 s, measured ms`, g2g.settled),
            ...(g2g.player ? [distributionRow(`${p} glass-to-glass, player's figure ms`, g2g.player)] : [valueRow(`${p} glass-to-glass, player's figure ms`, null)]),
            ...(g2g.disagreement ? [distributionRow(`${p} |player − measured| ms`, g2g.disagreement)] : []),
          ]
        : [valueRow(`${p} glass-to-glass, measured ms`, null)]),
    ];
  });
}

/** The JSON written to bench/results/latest.json (bench/lab.ts adds `lab`). */
export interface LatestJson {
  date: string;
  bundleGzipKb: number;
  webrtc?: { firstFrame: { element: Summary; page: Summary; runs: FirstFrame[] }; fps: number };
  mse?: Omit<NonNullable<Results['mse']>, 'runs'> & { firstFrame: { element: Summary; page: Summary; runs: FirstFrame[] } };
  sync?: SyncResults & { date: string };
  /** When each section was measured: a partial run leaves the others as they were. */
  dates?: Record<string, string>;
  [section: string]: unknown;
}

function firstFrameJson(runs: FirstFrame[]): { element: Summary; page: Summary; runs: FirstFrame[] } {
  return { element: summary(runs.map((r) => r.elementMs)), page: summary(runs.map((r) => r.pageMs)), runs };
}

/** A partial run (BENCH_ONLY) keeps the sections of the last full one. */
async function previousJson(): Promise<Partial<LatestJson>> {
  return readFile('bench/results/latest.json', 'utf8').then(
    (text) => JSON.parse(text) as Partial<LatestJson>,
    () => ({}),
  );
}

export async function report({ webrtc, mse, sync }: Results): Promise<void> {
  const bundleKb = await bundleGzipKb();
  const rows: Cell[][] = [['metric', 'n', 'median', 'p95', 'max']];
  if (webrtc) {
    rows.push(
      summaryRow('webrtc first frame (element) ms', summary(webrtc.runs.map((r) => r.elementMs))),
      summaryRow('webrtc first frame (page) ms', summary(webrtc.runs.map((r) => r.pageMs))),
      valueRow(`webrtc frame rate over ${webrtc.fpsSeconds} s`, webrtc.fps),
    );
  }
  rows.push(valueRow('element + webrtc bundle, kB gzip', bundleKb));
  if (sync) rows.push(...syncRows(sync));
  if (mse) rows.push(...mseRows(mse));
  printTable(rows);
  const date = new Date().toISOString();
  const latest: LatestJson = { ...(await previousJson()), date, bundleGzipKb: bundleKb };
  if (webrtc) latest.webrtc = { firstFrame: firstFrameJson(webrtc.runs), fps: webrtc.fps };
  if (mse) {
    const { runs, ...mseFigures } = mse;
    latest.mse = { ...mseFigures, firstFrame: firstFrameJson(runs) };
  }
  if (sync) latest.sync = { ...sync, date };
  latest.dates = { ...latest.dates, ...Object.fromEntries((['webrtc', 'mse', 'sync'] as const).filter((k) => ({ webrtc, mse, sync })[k]).map((k) => [k, date])) };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', JSON.stringify(latest, null, 2));
  await writeFile('bench/results/report.html', reportPage(latest, rows.map((row) => row.map(format))));
  console.log('wrote bench/results/latest.json and bench/results/report.html');
}

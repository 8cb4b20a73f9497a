/**
 * `npm run bench:lab [-- --scenario NAME ...]`: the restricted-network lab's figures (test/e2e/lab/). For each
 * scenario: time to first frame (the element's `firstframe` elapsedMs) on a first visit (fresh profile) and on
 * a repeat visit (same profile: the player starts on the path it remembered), median of BENCH_LAB_RUNS (3)
 * each, and the steady frame rate. Prints a table, writes bench/results/lab.json and adds a `lab` section to
 * bench/results/latest.json when that exists. Started by scripts/lab.sh --bench (root, unshare -n).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { visit, type Visit } from '../test/e2e/lab/browser.js';
import { Lab } from '../test/e2e/lab/lab.js';
import { LabProcessError, tailOf } from '../test/e2e/lab/processes.js';
import { FIRST_FRAME_TIMEOUT_MS, FPS_WINDOW_MS, withFreshBrowser } from '../test/e2e/lab/run-scenario.js';
import { describePath, isPending, SCENARIOS, type RunnableScenario } from '../test/e2e/lab/scenarios.js';
import { summary } from './stats.js';

const RUNS = Number(process.env['BENCH_LAB_RUNS'] ?? 3);
/** Each visit plays this long after its first frame; the frame rate is taken over its last FPS_WINDOW_MS. */
const PLAY_MS = 4_000;
/** DESIGN.md / issue 4 goals. */
const GOALS: Record<string, string> = {
  open: 'first ≤ 500 ms',
  'udp-blocked': 'first ≤ 1500, repeat ≤ 700 ms',
  'tcp443-only': 'first ≤ 2000 ms',
  lossy: '≥ 25 fps',
};

interface ScenarioFigures {
  scenario: string;
  runs: number;
  firstVisitMs: ReturnType<typeof summary>;
  repeatVisitMs: ReturnType<typeof summary>;
  fps: ReturnType<typeof summary>;
  /** Final paths seen, e.g. {"webrtc relay/udp via tcp": 5, "mse": 1}. */
  paths: Record<string, number>;
  /** Which transport showed the first frame, on first and on repeat visits, e.g. {"mse": 3}. */
  firstFrameBy: { first: Record<string, number>; repeat: Record<string, number> };
  /** Visits with no first frame within FIRST_FRAME_TIMEOUT_MS. */
  noFrame: number;
}

async function measure(lab: Lab, scenario: RunnableScenario): Promise<ScenarioFigures> {
  await lab.apply(scenario.rules);
  const first: Visit[] = [];
  const repeat: Visit[] = [];
  const options = { playMs: PLAY_MS, firstFrameTimeoutMs: FIRST_FRAME_TIMEOUT_MS, fpsWindowMs: FPS_WINDOW_MS };
  for (let run = 0; run < RUNS; run++) {
    await withFreshBrowser(lab, async (browser) => {
      first.push(await visit(browser, lab.pageUrl, lab.playerQuery(), options));
      repeat.push(await visit(browser, lab.pageUrl, lab.playerQuery(), options));
    });
    const a = first.at(-1)!;
    const b = repeat.at(-1)!;
    console.log(`bench:lab: ${scenario.name} run ${run + 1}/${RUNS}: first ${a.firstFrameMs ?? '-'} ms (${describePath(a.transport, a.webrtcPath)}), repeat ${b.firstFrameMs ?? '-'} ms (${describePath(b.transport, b.webrtcPath)})`);
  }
  const visits = [...first, ...repeat];
  const played = visits.filter((v) => v.firstFrameMs !== null);
  const paths = tally(played.map((v) => describePath(v.transport, v.webrtcPath)));
  const firstFrameBy = (list: Visit[]) => tally(list.flatMap((v) => (v.firstFrameTransport ? [v.firstFrameTransport] : [])));
  const times = (list: Visit[]) => list.flatMap((v) => (v.firstFrameMs === null ? [] : [v.firstFrameMs]));
  return {
    scenario: scenario.name,
    runs: RUNS,
    firstVisitMs: summary(times(first)),
    repeatVisitMs: summary(times(repeat)),
    fps: summary(played.map((v) => v.fps)),
    paths,
    firstFrameBy: { first: firstFrameBy(first), repeat: firstFrameBy(repeat) },
    noFrame: visits.length - played.length,
  };
}

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

const listed = (counts: Record<string, number>) => Object.entries(counts).map(([what, n]) => `${what} ×${n}`).join(', ');

function printTable(figures: ScenarioFigures[]): void {
  const ms = (s: ReturnType<typeof summary>) => (s.n === 0 ? '-' : `${Math.round(s.median)} (n=${s.n})`);
  const rows = [
    ['scenario', 'first visit ms', 'repeat visit ms', 'first frame by (first / repeat)', 'fps', 'final paths', 'goal'],
    ...figures.map((f) => [
      f.scenario,
      ms(f.firstVisitMs),
      ms(f.repeatVisitMs),
      `${listed(f.firstFrameBy.first)} / ${listed(f.firstFrameBy.repeat)}`,
      f.fps.n === 0 ? '-' : f.fps.median.toFixed(1),
      listed(f.paths) + (f.noFrame ? `, no frame ×${f.noFrame}` : ''),
      GOALS[f.scenario] ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('');
  console.log('restricted-network lab: time to first frame (median), frame rate (median over visits)');
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

async function writeResults(figures: ScenarioFigures[]): Promise<void> {
  const lab = { date: new Date().toISOString(), playMs: PLAY_MS, fpsWindowMs: FPS_WINDOW_MS, scenarios: figures };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/lab.json', JSON.stringify(lab, null, 2));
  const latest = await readFile('bench/results/latest.json', 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>, () => undefined);
  if (latest) await writeFile('bench/results/latest.json', JSON.stringify({ ...latest, lab }, null, 2));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { scenario: { type: 'string', multiple: true, default: [] } } });
  const scenarios = SCENARIOS.filter((s): s is RunnableScenario => !isPending(s) && (values.scenario.length === 0 || values.scenario.includes(s.name)));
  const lab = new Lab({ repoRoot: process.cwd() });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`bench:lab: ${signal}, cleaning up`);
      void lab.close().finally(() => process.exit(130));
    });
  }
  try {
    await lab.start((line) => console.log(`bench:lab: ${line}`));
    const figures: ScenarioFigures[] = [];
    for (const scenario of scenarios) figures.push(await measure(lab, scenario));
    printTable(figures);
    await writeResults(figures);
    return 0;
  } catch (error) {
    console.error(`bench:lab: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof LabProcessError) console.error(`--- ${error.process.name} log:\n${await tailOf(error.process.logFile)}`);
    console.error(await lab.diagnostics());
    return 1;
  } finally {
    await lab.close();
  }
}

process.exitCode = await main();

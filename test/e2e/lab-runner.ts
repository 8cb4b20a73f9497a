/**
 * `npm run lab [-- --scenario NAME ...]`: the restricted-network lab (test/e2e/lab/). Runs each scenario in
 * the lab's namespaces, prints a table and a last line "lab: N passed, N failed, N pending"; exits 1 when a
 * scenario failed. Started by scripts/lab.sh (root, inside `unshare -n`).
 */
import { parseArgs } from 'node:util';
import { Lab, type TurnMode } from './lab/lab.js';
import { LabProcessError, tailOf } from './lab/processes.js';
import { eventTrail, runScenario, type ScenarioResult } from './lab/run-scenario.js';
import { isPending, SCENARIOS, type Scenario } from './lab/scenarios.js';

const USAGE = `usage: npm run lab -- [--scenario NAME ...] [--transports LIST] [--turn server|page|none] [--debug]
                    [--server-cmd "COMMAND" (--src URL | --whep URL)]
scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`;
/** The whole run, whatever happens; a bound on top of each step's own. */
const RUN_TIMEOUT_MS = 10 * 60_000;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true, default: [] },
      'server-cmd': { type: 'string' },
      src: { type: 'string' },
      whep: { type: 'string' },
      transports: { type: 'string' },
      turn: { type: 'string' },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const unknown = values.scenario.filter((name) => !SCENARIOS.some((s) => s.name === name));
  const turn = values.turn;
  const problems = [
    ...unknown.map((name) => `unknown scenario ${name}`),
    ...(turn !== undefined && !['server', 'page', 'none'].includes(turn) ? [`--turn must be server, page or none`] : []),
    ...(values['server-cmd'] && !values.src && !values.whep ? ['--server-cmd needs --src or --whep (the address the player connects to)'] : []),
    ...(!values['server-cmd'] && (values.src || values.whep) ? ['--src/--whep need --server-cmd: only a server started inside the lab is reachable'] : []),
  ];
  if (values.help || problems.length > 0) {
    for (const problem of problems) console.error(`lab: ${problem}`);
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const scenarios = values.scenario.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => values.scenario.includes(s.name));
  return {
    scenarios,
    lab: {
      serverCmd: values['server-cmd'],
      src: values.src,
      whep: values.whep,
      transports: values.transports,
      turn: turn as TurnMode | undefined,
      debug: values.debug,
      repoRoot: process.cwd(),
    },
  };
}

function printTable(results: ScenarioResult[]): void {
  const rows = [
    ['scenario', 'result', 'final path', 'expected', 'first frame', 'fps', 'time'],
    ...results.map((r) => [
      r.name,
      r.status === 'passed' ? 'passed' : r.status.toUpperCase(),
      r.status === 'pending' ? '-' : r.path,
      r.expected,
      r.firstFrameMs === null ? '-' : `${r.firstFrameMs} ms (${r.visit?.firstFrameTransport ?? '?'})`,
      r.fps === null ? '-' : r.fps.toFixed(1),
      `${r.seconds.toFixed(1)} s`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('');
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const r of results.filter((r) => r.note)) console.log(`  ${r.name}: ${r.note}`);
  const count = (status: ScenarioResult['status']) => results.filter((r) => r.status === status).length;
  console.log(`lab: ${count('passed')} passed, ${count('failed')} failed, ${count('pending')} pending`);
}

async function runAll(lab: Lab, scenarios: readonly Scenario[]): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    if (isPending(scenario)) {
      results.push({ name: scenario.name, status: 'pending', expected: scenario.pending, path: '-', firstFrameMs: null, fps: null, note: '', seconds: 0 });
      console.log(`lab: ${scenario.name}: PENDING (${scenario.pending})`);
      continue;
    }
    console.log(`lab: ${scenario.name}: ${scenario.description}`);
    const result = await runScenario(lab, scenario).catch((error: unknown): ScenarioResult => ({
      name: scenario.name,
      status: 'failed',
      expected: '',
      path: '-',
      firstFrameMs: null,
      fps: null,
      note: `the scenario broke: ${error instanceof Error ? error.message : String(error)}`,
      seconds: 0,
    }));
    results.push(result);
    console.log(`lab: ${scenario.name}: ${result.status} (${result.path}${result.firstFrameMs === null ? '' : `, first frame ${result.firstFrameMs} ms`})`);
    if (result.status === 'failed') {
      if (result.visit) console.log(`  player events:\n    ${eventTrail(result.visit) || '(none)'}`);
      if (result.visit?.console.length) console.log(`  page console:\n    ${result.visit.console.join('\n    ')}`);
      console.log(await lab.diagnostics());
    }
  }
  return results;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const lab = new Lab(options.lab);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`lab: ${signal}, cleaning up`);
      void lab.close().finally(() => process.exit(130));
    });
  }
  const watchdog = setTimeout(() => {
    console.error(`lab: still running after ${RUN_TIMEOUT_MS / 60_000} min, giving up`);
    void lab.close().finally(() => process.exit(1));
  }, RUN_TIMEOUT_MS);
  try {
    await lab.start((line) => console.log(`lab: ${line}`));
    const results = await runAll(lab, options.scenarios);
    printTable(results);
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  } catch (error) {
    console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof LabProcessError) console.error(`--- ${error.process.name} log:\n${await tailOf(error.process.logFile)}`);
    console.error(await lab.diagnostics());
    return 1;
  } finally {
    clearTimeout(watchdog);
    await lab.close();
  }
}

process.exitCode = await main();

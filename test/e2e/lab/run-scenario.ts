/** One scenario: set the client's rules, a fresh Chromium profile, one visit, and the verdict. */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, visit, type Visit, type VisitOptions } from './browser.js';
import type { Lab } from './lab.js';
import { describeExpectation, describePath, pathMatches, type RunnableScenario } from './scenarios.js';

export const FIRST_FRAME_TIMEOUT_MS = 20_000;
export const FPS_WINDOW_MS = 3_000;

export interface ScenarioResult {
  name: string;
  status: 'passed' | 'failed' | 'pending';
  expected: string;
  path: string;
  firstFrameMs: number | null;
  fps: number | null;
  /** Why it failed or is pending, or a note on a pass. */
  note: string;
  seconds: number;
  visit?: Visit;
}

/** A browser with a fresh profile in the client namespace; `use` gets it, and it is closed and removed afterwards. */
export async function withFreshBrowser<T>(lab: Lab, use: (browser: Awaited<ReturnType<typeof launchBrowser>>) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(lab.dir, 'profile-'));
  try {
    const browser = await launchBrowser(lab.chromiumWrapper, profile);
    // A signal while it runs: the lab's cleanup closes it.
    const forget = lab.untilClosed(() => browser.close());
    try {
      return await use(browser);
    } finally {
      forget();
      await browser.close().catch((error: unknown) => console.error(`lab: closing Chromium: ${String(error)}`));
    }
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

export function visitOptions(scenario: RunnableScenario): VisitOptions {
  return { playMs: scenario.expect.afterMs, firstFrameTimeoutMs: FIRST_FRAME_TIMEOUT_MS, fpsWindowMs: FPS_WINDOW_MS };
}

export async function runScenario(lab: Lab, scenario: RunnableScenario): Promise<ScenarioResult> {
  const started = Date.now();
  await lab.apply(scenario.rules);
  const seen = await withFreshBrowser(lab, (browser) => visit(browser, lab.pageUrl, lab.playerQuery(), visitOptions(scenario)));
  const verdict = judge(scenario, seen);
  return {
    name: scenario.name,
    status: verdict.ok ? 'passed' : 'failed',
    expected: describeExpectation(scenario.expect),
    path: describePath(seen.transport, seen.webrtcPath),
    firstFrameMs: seen.firstFrameMs,
    fps: seen.firstFrameMs === null ? null : seen.fps,
    note: verdict.note ?? '',
    seconds: (Date.now() - started) / 1000,
    visit: seen,
  };
}

function judge(scenario: RunnableScenario, seen: Visit): { ok: boolean; note?: string } {
  const errors = seen.events.filter((e) => e.type === 'error').map((e) => `${String(e.detail['code'])}: ${String(e.detail['message'])}`);
  if (seen.firstFrameMs === null) {
    return { ok: false, note: `no first frame within ${FIRST_FRAME_TIMEOUT_MS / 1000} s (state ${seen.state})${errors.length ? `; errors: ${errors.join('; ')}` : ''}` };
  }
  if (seen.state !== 'playing') return { ok: false, note: `state ${seen.state} at the end${errors.length ? `; errors: ${errors.join('; ')}` : ''}` };
  const path = pathMatches(scenario.expect, seen.transport, seen.webrtcPath);
  if (!path.ok) return { ok: false, note: `played on ${describePath(seen.transport, seen.webrtcPath)}, expected ${describeExpectation(scenario.expect)}` };
  if (seen.fps < scenario.expect.minFps) return { ok: false, note: `${seen.fps.toFixed(1)} fps, expected ≥ ${scenario.expect.minFps}` };
  return path.note ? { ok: true, note: path.note } : { ok: true };
}

/** How the player moved between paths, for a failure report: "0 ms statechange connecting, 412 ms transportchange webrtc (first-choice) …". */
export function eventTrail(seen: Visit): string {
  return seen.events
    .filter((e) => e.type !== 'warning')
    .map((e) => {
      const d = e.detail;
      const what =
        e.type === 'statechange' ? String(d['state'])
        : e.type === 'transportchange' ? `${String(d['transport'])} (${String(d['reason'])})`
        : e.type === 'firstframe' ? `${String(d['transport'])} after ${String(d['elapsedMs'])} ms`
        : `${String(d['code'])}: ${String(d['message'])}`;
      return `${e.atMs} ms ${e.type} ${what}`;
    })
    .join('\n    ');
}

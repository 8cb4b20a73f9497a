/** Chromium inside the client namespace, driven by playwright-core over a pipe, and what a visit to the lab page saw. */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_PATH, chromiumFlags } from '../../../scripts/chromium.mjs';

const LAUNCH_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

export interface WebRtcPath {
  localCandidateType: string;
  protocol: 'udp' | 'tcp';
  relayProtocol?: 'udp' | 'tcp' | 'tls';
}

export interface PageEvent {
  type: string;
  atMs: number;
  detail: Record<string, unknown>;
}

export interface PageSample {
  atMs: number;
  frames: number;
  state: string;
  transport: string | null;
  webrtcPath: WebRtcPath | null;
}

interface LabWindow {
  lab?: { events: PageEvent[]; samples: PageSample[] };
}

export interface Visit {
  /** The element's `firstframe` elapsedMs (from connect() to the first frame on screen); null: none in time. */
  firstFrameMs: number | null;
  firstFrameTransport: string | null;
  /** At the end of the visit. */
  transport: string | null;
  state: string;
  webrtcPath: WebRtcPath | null;
  /** Frames per second over the last `fpsWindowMs` of the visit. */
  fps: number;
  events: PageEvent[];
  /** The page's console messages (the element logs its decisions there with `debug`), the first MAX_CONSOLE. */
  console: string[];
}

const MAX_CONSOLE = 400;

export interface VisitOptions {
  /** How long the visit lasts after the first frame (the path is read at its end). */
  playMs: number;
  firstFrameTimeoutMs: number;
  fpsWindowMs: number;
}

/** A script that starts Debian's Chromium inside `namespace`; playwright talks to it over a pipe, which crosses namespaces. */
export async function writeChromiumWrapper(dir: string, namespace: string): Promise<string> {
  const path = join(dir, 'chromium-in-client-ns.sh');
  await writeFile(path, `#!/bin/sh\nexec ip netns exec ${namespace} ${CHROMIUM_PATH} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

export async function launchBrowser(wrapper: string, profileDir: string): Promise<BrowserContext> {
  // Playwright takes the profile itself and refuses --user-data-dir; the lab handles signals itself.
  const args = chromiumFlags(profileDir).filter((flag) => !flag.startsWith('--user-data-dir'));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: wrapper,
    headless: true,
    args,
    timeout: LAUNCH_TIMEOUT_MS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** Opens the lab page with `query`, waits for the first frame, plays `playMs`, and reports what happened. */
export async function visit(context: BrowserContext, pageUrl: string, query: Record<string, string>, options: VisitOptions): Promise<Visit> {
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    if (consoleLines.length < MAX_CONSOLE) consoleLines.push(`${message.type()}: ${message.text()}`);
  });
  try {
    await page.goto(`${pageUrl}?${new URLSearchParams(query).toString()}`, { timeout: 10_000 });
    const read = () => page.evaluate(() => {
      const lab = (window as unknown as LabWindow).lab;
      return { events: lab?.events ?? [], samples: lab?.samples ?? [] };
    });
    const deadline = Date.now() + options.firstFrameTimeoutMs;
    let seen = await read();
    while (!seen.events.some((e) => e.type === 'firstframe') && Date.now() < deadline) {
      await sleep(POLL_MS);
      seen = await read();
    }
    if (seen.events.some((e) => e.type === 'firstframe')) {
      await sleep(options.playMs);
      seen = await read();
    }
    return { ...summarise(seen.events, seen.samples, options.fpsWindowMs), console: consoleLines };
  } finally {
    await page.close().catch(() => undefined);
  }
}

function summarise(events: PageEvent[], samples: PageSample[], fpsWindowMs: number): Omit<Visit, 'console'> {
  const first = events.find((e) => e.type === 'firstframe');
  const last = samples.at(-1);
  const windowStart = samples.find((s) => last !== undefined && s.atMs >= last.atMs - fpsWindowMs);
  const seconds = last && windowStart ? (last.atMs - windowStart.atMs) / 1000 : 0;
  return {
    firstFrameMs: typeof first?.detail['elapsedMs'] === 'number' ? Math.round(first.detail['elapsedMs']) : null,
    firstFrameTransport: typeof first?.detail['transport'] === 'string' ? first.detail['transport'] : null,
    transport: last?.transport ?? null,
    state: last?.state ?? 'no page',
    webrtcPath: last?.webrtcPath ?? null,
    fps: seconds > 0 && last && windowStart ? (last.frames - windowStart.frames) / seconds : 0,
    events,
  };
}

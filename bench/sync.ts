/**
 * The A/V sync and glass-to-glass bench (issue 5): a reference server of its own playing the sync clips
 * (bench/media/), fed by bench/sync-feeder.ts and logging every video sample it sends (--send-log); the page
 * (bench/sync-page.ts) watches one path at a time for BENCH_SYNC_SECONDS and reports frames and beeps.
 * Server and browser run on one machine: the server's Date.now() and the page's performance.timeOrigin +
 * performance.now() read the same system clock, so send and display times compare directly.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { startReferenceServer, type ReferenceServer } from '../scripts/reference-server.mjs';
import { makeSyncClips, SPEAKING_CLIPS, IDLE_CLIP, clipFileName } from './media/sync-clips.js';
import { SyncFeeder } from './sync-feeder.js';
import type { AudioTap, BenchSync, SyncOptions, SyncRecord } from './sync-page.js';
import {
  distribution,
  flashesOf,
  glassToGlass,
  histogram,
  pairWithDrift,
  parseSendLog,
  type AvPair,
  type Distribution,
  type SeenFrame,
  type SendRecord,
} from './sync-analysis.js';
import type { FirstFrame } from './page.js';

export const SYNC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 30);
/** Frames this soon after the first one are start-up (the first keyframe, the jitter buffer filling). */
const STARTUP_MS = 2_000;
/** Later than this, WebRTC's own A/V sync has converged (Chromium takes ≈ 5 s): the "settled" figures. */
const SETTLED_MS = 8_000;
const HISTOGRAM_BIN_MS = 5;
const MEDIA_DIR = resolve('.cache', 'bench-sync');
const RAW_DIR = process.env.BENCH_RAW_DIR;

export type SyncTransport = SyncOptions['transports'];

export interface SyncTransportResult {
  transport: SyncTransport;
  seconds: number;
  firstFrame: FirstFrame;
  audio: AudioTap;
  videoMuted: boolean;
  frames: {
    presented: number;
    /** Frames whose code was read (the others: unreadable or rejected by the check). */
    readable: number;
    skippedCallbacks: number;
    /** Flash by brightness but not a flash frame by its code, or the other way round: misreads. */
    codeFlashMismatches: number;
  };
  avOffset: {
    /** Every flash/beep pair after start-up (video − audio, ms). */
    all: Distribution;
    /** Pairs whose flash is a clip's first frame. */
    splices: Distribution;
    /** Pairs from SETTLED_MS on. */
    settled: Distribution;
    /**
     * The same pairs with the audio time taken where the sound entered the page's AudioContext (output time −
     * how far the context renders ahead): what the media pipeline counted as "played" when Web Audio pulls it.
     */
    atTap: Distribution;
    /** How far the AudioContext rendered ahead of its output at each onset, ms. */
    renderAhead: Distribution;
    unpairedFlashes: number;
    /** Of those, flashes on a clip's first frame: a beep lost (or not heard) at a splice. */
    unpairedSpliceFlashes: number;
    unpairedBeeps: number;
    /** Every pair, `atS` seconds after the first frame. */
    pairs: (AvPair & { atS: number })[];
  };
  /** The player's own A/V offset estimate over the same frames (getStats().avOffsetMs); null: it has none. */
  playerAvOffset: Distribution | null;
  glassToGlass: {
    /** Display time − the server's send time of that frame. */
    measured: Distribution;
    /** The same from SETTLED_MS on: after MSE's start-up catch-up (it starts a GOP behind, then eases in). */
    settled: Distribution;
    /** getStats().latencyMs at the same frames. */
    player: Distribution | null;
    /** |player − measured| per frame. */
    disagreement: Distribution | null;
    matchedFrames: number;
    histogram: ReturnType<typeof histogram>;
    playerHistogram: ReturnType<typeof histogram> | null;
  } | null;
  /** Why there are no glass-to-glass figures, when there are none. */
  glassToGlassMissing?: string;
  statsEvents: number;
  lastStats: unknown;
  pageClockSkewMs: number;
  errors: string[];
}

export interface SyncResults {
  seconds: number;
  clock: string;
  sendLog: 'written' | 'unsupported by the server';
  transports: SyncTransportResult[];
}

type SyncWindow = Window & { benchSync: BenchSync };

function inPage<K extends keyof BenchSync>(page: Page, name: K, ...args: Parameters<BenchSync[K]>): Promise<Awaited<ReturnType<BenchSync[K]>>> {
  return page.evaluate(({ name, args }) => ((window as unknown as SyncWindow).benchSync[name] as (...a: unknown[]) => Promise<never>)(...args), { name, args }) as never;
}

interface SyncServer {
  server: ReferenceServer;
  sendLog: string | null;
}

/** Starts the server with --send-log; a server without that flag (exits on an unknown option) is started without. */
async function startSyncServer(dir: string, clipsDir: string, idle: string): Promise<SyncServer> {
  const base = ['--port', '0', '--host', '127.0.0.1', '--clips', clipsDir, '--idle', idle, '--cache', join(dir, 'cache')];
  const sendLog = join(dir, 'send-log.jsonl');
  try {
    return { server: await startReferenceServer({ logFile: join(dir, 'server.log'), args: [...base, '--send-log', sendLog], readyTimeoutMs: 60_000 }), sendLog };
  } catch (error) {
    console.warn(`bench sync: the server did not start with --send-log (${String(error)}); glass-to-glass is not measured`);
    return { server: await startReferenceServer({ logFile: join(dir, 'server.log'), args: base, readyTimeoutMs: 60_000 }), sendLog: null };
  }
}

export async function syncBench(page: Page, cleanups: (() => Promise<unknown>)[]): Promise<SyncResults> {
  const clips = await makeSyncClips(MEDIA_DIR);
  const dir = await mkdtemp(join(tmpdir(), 'avatar-bench-sync-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const clipsDir = join(dir, 'clips');
  const { server, sendLog } = await startSyncServer(dir, clipsDir, clips.idle);
  cleanups.push(() => server.stop());
  const feeder = new SyncFeeder(clipsDir, clips.speaking);
  cleanups.push(() => feeder.stop());
  const records: { transport: SyncTransport; record: SyncRecord }[] = [];
  for (const transport of ['webrtc', 'mse'] as const) {
    feeder.start();
    try {
      records.push({ transport, record: await watchSync(page, server.wsUrl, transport) });
    } finally {
      await feeder.stop();
    }
  }
  if (RAW_DIR) {
    await mkdir(RAW_DIR, { recursive: true });
    for (const { transport, record } of records) await writeFile(join(RAW_DIR, `sync-${transport}.json`), JSON.stringify(record));
    if (sendLog) await writeFile(join(RAW_DIR, 'sync-send-log.jsonl'), await readFile(sendLog));
  }
  const sends = sendLog ? parseSendLog(await readFile(sendLog, 'utf8').catch(() => '')).sends : null;
  const clipIds = new Map([...feeder.clipIds, [basenameOf(clips.idle), IDLE_CLIP.id], ...SPEAKING_CLIPS.map((spec) => [clipFileName(spec), spec.id] as const)]);
  return {
    seconds: SYNC_SECONDS,
    clock: 'one machine: server Date.now() and page performance.timeOrigin + now() read the same system clock',
    sendLog: sendLog ? 'written' : 'unsupported by the server',
    transports: records.map(({ transport, record }) => analyse(transport, record, sends, (name) => clipIds.get(name) ?? null)),
  };
}

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function watchSync(page: Page, src: string, transport: SyncTransport): Promise<SyncRecord> {
  let record: SyncRecord | null = null;
  try {
    const first = await inPage(page, 'startSync', { src, transports: transport });
    if (first.transport !== transport) throw new Error(`asked for ${transport}, the player played on ${first.transport}`);
    await sleep(STARTUP_MS + SYNC_SECONDS * 1000);
  } finally {
    // Also after a failure: no player or AudioContext may outlive the watch. A failed start stopped itself.
    record = await inPage(page, 'stopSync');
  }
  if (!record) throw new Error('the sync watch ended before it was stopped');
  for (const error of record.errors) console.warn(`player error during the sync bench (${transport}): ${error}`);
  return record;
}

function values<T>(list: readonly T[], pick: (item: T) => number | null): number[] {
  return list.flatMap((item) => {
    const value = pick(item);
    return value === null ? [] : [value];
  });
}

function analyse(transport: SyncTransport, record: SyncRecord, sends: SendRecord[] | null, clipIdOf: (name: string) => number | null): SyncTransportResult {
  const start = record.frames[0]?.displayMs ?? 0;
  const frames = record.frames.filter((f) => f.displayMs >= start + STARTUP_MS);
  const afterStartup = (t: number) => t >= start + STARTUP_MS;
  // Paired over the whole watch, then cut: a beep whose flash came just before the cut must not pair with the next flash.
  const pairs = pairWithDrift(flashesOf(record.frames), record.beepsMs)
    .filter((pair) => afterStartup(pair.videoMs))
    .map((pair) => ({ ...pair, atS: (pair.videoMs - start) / 1000 }));
  const flashes = flashesOf(frames);
  const beeps = record.beepsMs.filter(afterStartup);
  const renderAheadOf = new Map(record.beepsMs.map((t, i) => [t, record.renderAheadMs[i] ?? 0]));
  const paired = new Set(pairs.map((p) => p.videoMs));
  const offsets = (list: typeof pairs) => distribution(list.map((p) => p.offsetMs));
  const playerAv = values(frames, (f) => f.statsAvOffsetMs);
  return {
    transport,
    seconds: ((frames.at(-1)?.displayMs ?? start) - (frames[0]?.displayMs ?? start)) / 1000,
    firstFrame: record.firstFrame,
    audio: record.audio,
    videoMuted: record.videoMuted,
    frames: {
      presented: record.frames.length,
      readable: record.frames.filter((f) => f.clip !== null).length,
      skippedCallbacks: record.skippedCallbacks,
      codeFlashMismatches: codeFlashMismatches(record.frames),
    },
    avOffset: {
      all: offsets(pairs),
      splices: offsets(pairs.filter((p) => p.splice)),
      settled: offsets(pairs.filter((p) => p.videoMs >= start + SETTLED_MS)),
      atTap: distribution(pairs.map((p) => p.offsetMs + (renderAheadOf.get(p.audioMs) ?? 0))),
      renderAhead: distribution(record.renderAheadMs),
      unpairedFlashes: flashes.length - pairs.length,
      unpairedSpliceFlashes: flashes.filter((f) => f.frame === 0 && !paired.has(f.displayMs)).length,
      unpairedBeeps: beeps.length - pairs.filter((p) => afterStartup(p.audioMs)).length,
      pairs,
    },
    playerAvOffset: playerAv.length ? distribution(playerAv) : null,
    ...glassToGlassFigures(frames, sends, clipIdOf),
    statsEvents: record.statsEvents,
    lastStats: record.lastStats,
    pageClockSkewMs: record.pageClockSkewMs,
    errors: record.errors,
  };
}

function codeFlashMismatches(frames: readonly SeenFrame[]): number {
  return frames.filter((f) => f.frame !== null && (f.luma >= 150) !== (f.frame % 25 === 0)).length;
}

function glassToGlassFigures(
  frames: readonly SeenFrame[],
  sends: SendRecord[] | null,
  clipIdOf: (name: string) => number | null,
): Pick<SyncTransportResult, 'glassToGlass' | 'glassToGlassMissing'> {
  if (!sends) return { glassToGlass: null, glassToGlassMissing: 'the server has no --send-log' };
  const matched = glassToGlass(frames, sends, clipIdOf);
  const settledFrom = (frames[0]?.displayMs ?? 0) - STARTUP_MS + SETTLED_MS;
  if (matched.length === 0) return { glassToGlass: null, glassToGlassMissing: `no displayed frame matched one of ${sends.length} logged sends` };
  const measured = matched.map((m) => m.measuredMs);
  const player = values(matched, (m) => m.playerMs);
  const disagreement = values(matched, (m) => (m.playerMs === null ? null : Math.abs(m.playerMs - m.measuredMs)));
  return {
    glassToGlass: {
      measured: distribution(measured),
      settled: distribution(matched.filter((m) => m.displayMs >= settledFrom).map((m) => m.measuredMs)),
      player: player.length ? distribution(player) : null,
      disagreement: disagreement.length ? distribution(disagreement) : null,
      matchedFrames: matched.length,
      histogram: histogram(measured, HISTOGRAM_BIN_MS),
      playerHistogram: player.length ? histogram(player, HISTOGRAM_BIN_MS) : null,
    },
  };
}

/**
 * The whole lab, set up once for a run: the two namespaces, coturn, the avatar server (or the user's own
 * backend), the page server on the client's loopback and the Chromium wrapper. Scenarios then only change the
 * client namespace's rules. `close()` undoes everything in reverse order, whatever failed.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { turnIceServer } from '../../../server/turn/turn-credentials.js';
import { writeChromiumWrapper } from './browser.js';
import { startCoturn, listening, type Coturn } from './coturn.js';
import { createLabNetwork, LAB_ADDRESSES, processAlive, type LabNetwork, type NetworkRules } from './network.js';
import { startInNamespace, tailOf, type LabProcess } from './processes.js';

export const AVATAR_SERVER_PORT = 443;
const SERVER_READY_TIMEOUT_MS = 120_000; // the first start makes the demo clips with ffmpeg
const STATIC_READY_TIMEOUT_MS = 10_000;
const DIR_PREFIX = 'avatar-lab-';

/** How the player gets TURN credentials: from the avatar server (welcome.iceServers), from the page (`ice-servers`), or not at all. */
export type TurnMode = 'server' | 'page' | 'none';

export interface LabOptions {
  /** A shell command that starts the user's own backend inside the server namespace (instead of the reference server). */
  serverCmd?: string;
  /** The player's `src` for the user's backend, e.g. ws://10.232.0.2:443/ws. */
  src?: string;
  /** The player's `whep` for the user's backend. */
  whep?: string;
  /** The player's `transports` attribute; unset: the element's default. */
  transports?: string;
  /** Unset: 'server' for the reference server when it takes --turn-url, else 'page'. */
  turn?: TurnMode;
  /** The element's `debug` attribute and the reference server's debug log. */
  debug?: boolean;
  repoRoot: string;
}

export interface PlayerQuery {
  [attribute: string]: string;
}

export class Lab {
  private readonly undo: (() => Promise<unknown>)[] = [];
  private closing: Promise<void> | undefined;
  dir = '';
  network: LabNetwork | undefined;
  coturn: Coturn | undefined;
  server: LabProcess | undefined;
  pageUrl = '';
  chromiumWrapper = '';
  turnMode: TurnMode = 'none';

  constructor(private readonly options: LabOptions) {}

  async start(log: (line: string) => void): Promise<void> {
    await removeStaleDirs();
    this.dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    this.undo.push(() => rm(this.dir, { recursive: true, force: true }));
    const network = await createLabNetwork(this.dir);
    this.network = network;
    this.undo.push(() => network.destroy());
    log(`namespaces ${network.clientNs} (client ${LAB_ADDRESSES.client}), ${network.linkNs} (link), ${network.serverNs} (server ${LAB_ADDRESSES.server}, TURN ${LAB_ADDRESSES.turn})`);

    const coturn = await startCoturn(network.serverNs, this.dir);
    this.coturn = coturn;
    this.undo.push(() => coturn.process.stop());
    log(`coturn pid ${coturn.process.pid}: ${coturn.urls.join(' ')}`);

    this.turnMode = this.options.turn ?? (this.options.serverCmd ? 'page' : (await referenceServerTakesTurn(this.options.repoRoot)) ? 'server' : 'page');
    const server = this.options.serverCmd ? await this.startOwnBackend(this.options.serverCmd, coturn) : await this.startReferenceServer(coturn);
    this.server = server;
    this.undo.push(() => server.stop());
    log(`${server.name} pid ${server.pid}; the player gets TURN credentials from ${this.turnMode === 'server' ? 'the server' : this.turnMode === 'page' ? 'the page (ice-servers)' : 'nowhere'}`);

    const page = await startInNamespace({
      name: 'page server',
      namespace: network.clientNs,
      command: process.execPath,
      args: [join(this.options.repoRoot, 'scripts', 'lab-static-server.mjs'), '0'],
      logFile: join(this.dir, 'page-server.log'),
      readyLine: /^lab-static ready (http:\S+)$/m,
      readyTimeoutMs: STATIC_READY_TIMEOUT_MS,
    });
    this.undo.push(() => page.stop());
    this.pageUrl = page.readyMatch![1]!;
    this.chromiumWrapper = await writeChromiumWrapper(this.dir, network.clientNs);
  }

  apply(rules: NetworkRules): Promise<void> {
    if (!this.network) throw new Error('the lab is not started');
    return this.network.apply(rules);
  }

  /** The attributes of the page's <avatar-player>, with fresh TURN credentials when the page hands them out. */
  playerQuery(): PlayerQuery {
    const query: PlayerQuery = {};
    if (this.options.whep) query['whep'] = this.options.whep;
    if (this.options.src) query['src'] = this.options.src;
    else if (!this.options.serverCmd) query['src'] = `ws://${LAB_ADDRESSES.server}:${AVATAR_SERVER_PORT}/ws`;
    if (this.options.transports) query['transports'] = this.options.transports;
    if (this.options.debug) query['debug'] = '';
    if (this.turnMode === 'page' && this.coturn) {
      const ice = turnIceServer({ secret: this.coturn.secret, urls: this.coturn.urls, ttlSeconds: 600 }, 'lab');
      query['ice-servers'] = JSON.stringify([ice]);
    }
    return query;
  }

  /** An undo step for something that usually ends on its own (a browser): runs on close() unless forgotten first. */
  untilClosed(step: () => Promise<unknown>): () => void {
    this.undo.push(step);
    return () => {
      const at = this.undo.indexOf(step);
      if (at >= 0) this.undo.splice(at, 1);
    };
  }

  /** Log tails of the server side, for a failure. */
  async diagnostics(): Promise<string> {
    const parts: string[] = [];
    if (this.server) parts.push(`--- ${this.server.name} log (${this.server.logFile}):\n${await tailOf(this.server.logFile)}`);
    if (this.coturn) parts.push(`--- coturn log:\n${await tailOf(this.coturn.process.logFile, 15)}`);
    return parts.join('\n');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const step of this.undo.splice(0).reverse()) {
        await step().catch((error: unknown) => console.error(`lab cleanup: ${String(error)}`));
      }
    })();
    return this.closing;
  }

  private startReferenceServer(coturn: Coturn): Promise<LabProcess> {
    const turnArgs = this.turnMode === 'server' ? coturn.urls.flatMap((url) => ['--turn-url', url]) : [];
    return startInNamespace({
      name: 'reference server',
      namespace: this.network!.serverNs,
      command: process.execPath,
      args: ['--import', 'tsx', 'server/main.ts', '--port', String(AVATAR_SERVER_PORT), '--host', LAB_ADDRESSES.server, ...turnArgs, ...(this.options.debug ? ['--log', 'debug'] : [])],
      cwd: this.options.repoRoot,
      env: this.turnMode === 'server' ? { AVATAR_TURN_SECRET: coturn.secret } : {},
      logFile: join(this.dir, 'server.log'),
      readyLine: /^avatar-server ready (\S+)$/m,
      readyTimeoutMs: SERVER_READY_TIMEOUT_MS,
    });
  }

  /** The user's command, in a shell inside the server namespace; ready when the `src`/`whep` port listens. */
  private startOwnBackend(command: string, coturn: Coturn): Promise<LabProcess> {
    const target = new URL(this.options.whep ?? this.options.src ?? '');
    const port = Number(target.port || (/^(wss|https):$/.test(target.protocol) ? 443 : 80));
    const namespace = this.network!.serverNs;
    return startInNamespace({
      name: 'your server',
      namespace,
      command: 'sh',
      args: ['-c', command],
      cwd: process.env['INIT_CWD'] ?? process.cwd(),
      // For a backend that hands out TURN credentials itself (the lab's coturn, use-auth-secret).
      env: { LAB_TURN_SECRET: coturn.secret, LAB_TURN_URLS: coturn.urls.join(' ') },
      logFile: join(this.dir, 'server.log'),
      readyCheck: () => listening(namespace, port),
      readyTimeoutMs: SERVER_READY_TIMEOUT_MS,
    });
  }
}

/** Whether server/main.ts has the TURN options yet (they land with the server's TURN work). */
async function referenceServerTakesTurn(repoRoot: string): Promise<boolean> {
  const source = await readFile(join(repoRoot, 'server', 'main.ts'), 'utf8').catch(() => '');
  return source.includes("'turn-url'");
}

/** Temp dirs of lab runs that were killed (SIGKILL): named after their PID, which is gone. */
async function removeStaleDirs(): Promise<void> {
  const pattern = new RegExp(`^${DIR_PREFIX}(\\d+)-`);
  for (const name of await readdir(tmpdir())) {
    const match = pattern.exec(name);
    if (match && !processAlive(Number(match[1]))) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

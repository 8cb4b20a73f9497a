/** A real coturn in the server namespace, with the TURN REST API scheme (use-auth-secret) the avatar server issues credentials for. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LAB_ADDRESSES, LAB_SUBNET } from './network.js';
import { startInNamespace, type LabProcess } from './processes.js';
import { runIn } from './run-command.js';

/** One port for TURN over UDP and TCP: 443, so that it also passes the tcp443-only scenario. */
export const TURN_PORT = 443;
export const TURN_URLS = [`turn:${LAB_ADDRESSES.turn}:${TURN_PORT}?transport=udp`, `turn:${LAB_ADDRESSES.turn}:${TURN_PORT}?transport=tcp`];

export interface Coturn {
  process: LabProcess;
  secret: string;
  urls: string[];
}

export async function startCoturn(namespace: string, dir: string): Promise<Coturn> {
  const secret = randomBytes(24).toString('hex');
  const configFile = join(dir, 'turnserver.conf');
  const logFile = join(dir, 'coturn.log');
  await writeFile(configFile, coturnConfig(secret, logFile), { mode: 0o600 });
  const turnserver = await startInNamespace({
    name: 'coturn',
    namespace,
    command: 'turnserver',
    args: ['-c', configFile],
    logFile: join(dir, 'coturn.stdout.log'),
    readyCheck: () => listening(namespace, TURN_PORT, LAB_ADDRESSES.turn),
    readyTimeoutMs: 10_000,
  });
  // Its own log file says more than its output.
  return { process: { ...turnserver, logFile }, secret, urls: TURN_URLS };
}

function coturnConfig(secret: string, logFile: string): string {
  const [first, last] = subnetRange(LAB_SUBNET);
  return [
    `listening-ip=${LAB_ADDRESSES.turn}`,
    `relay-ip=${LAB_ADDRESSES.turn}`,
    `listening-port=${TURN_PORT}`,
    'min-port=49152',
    'max-port=49999',
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    'realm=avatar-lab',
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-software-attribute',
    // coturn refuses relaying to private addresses only when told to; say which peers are fine explicitly.
    `allowed-peer-ip=${first}-${last}`,
    `userdb=${join(dirname(logFile), 'turndb')}`, // not the machine's /var/lib/turn
    `log-file=${logFile}`,
    'simple-log',
    'verbose',
    '',
  ].join('\n');
}

function subnetRange(cidr: string): [string, string] {
  const base = cidr.split('/')[0]!.split('.').slice(0, 3).join('.');
  return [`${base}.0`, `${base}.255`];
}

/** True when something listens on TCP `port` (on `address`, or any) inside the namespace. */
export async function listening(namespace: string, port: number, address?: string): Promise<boolean> {
  const filter = address ? `src ${address}:${port}` : `sport = :${port}`;
  const out = await runIn(namespace, 'ss', ['-Hltn', filter]).catch(() => '');
  return out.trim() !== '';
}

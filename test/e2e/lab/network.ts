/**
 * The lab's network: three named network namespaces in a line, nothing else.
 *
 *   client ns                     link ns (no address)                    server ns
 *   Chromium, page server on lo   bridge, or impair.py (delay, loss)      avatar server, coturn
 *   avl-c 10.232.0.1/24 ── veth ── l-c ═══ l-s ── veth ── avl-s 10.232.0.2/24, lo 10.232.0.3/32 (TURN)
 *
 * No namespace has an interface to the host. The client namespace has a default route onto its veth only
 * because Chromium gathers its ICE host candidates on the interface of the default route and gathers none
 * without one; iptables drops every packet that is not for lo or 10.232.0.0/24 in the client and server
 * namespaces, and the server namespace (no default route, forwarding off) cannot pass anything on.
 * Scenario rules: two chains in the client namespace (LAB-OUT, LAB-IN); delay and loss by impair.py in the
 * link namespace (this kernel has no netem qdisc), which then replaces the bridge.
 */
import { join } from 'node:path';
import { startInNamespace, type LabProcess } from './processes.js';
import { run, runIn } from './run-command.js';

export const LAB_SUBNET = '10.232.0.0/24';
export const LAB_ADDRESSES = { client: '10.232.0.1', server: '10.232.0.2', turn: '10.232.0.3' } as const;
const CLIENT_LINK = 'avl-c';
const SERVER_LINK = 'avl-s';
const LINK_CLIENT_SIDE = 'l-c';
const LINK_SERVER_SIDE = 'l-s';
const BRIDGE = 'l-br';
const NAMESPACE_NAME = /^avl(\d+)-[cls]$/;
const IMPAIR_SCRIPT = join(import.meta.dirname, 'impair.py');

/** What a scenario does to the client's traffic (all optional: an empty one is the open network). */
export interface NetworkRules {
  /** iptables rule specs (without chain) for packets the client sends to the lab subnet, in order; the rest is accepted. */
  outbound?: string[][];
  /** The same for packets the client receives from the lab subnet. */
  inbound?: string[][];
  /** Between client and server, each direction gets this delay and loss (netem-like). */
  impair?: { delayMs: number; lossPercent: number };
}

export interface LabNetwork {
  clientNs: string;
  serverNs: string;
  linkNs: string;
  apply(rules: NetworkRules): Promise<void>;
  destroy(): Promise<void>;
}

/** `logDir` receives impair.py's log. */
export async function createLabNetwork(logDir: string, runId: number = process.pid): Promise<LabNetwork> {
  await removeStaleNamespaces();
  const clientNs = `avl${runId}-c`;
  const linkNs = `avl${runId}-l`;
  const serverNs = `avl${runId}-s`;
  const created: string[] = [];
  let impair: LabProcess | undefined;
  const link = {
    async bridge(): Promise<void> {
      await impair?.stop();
      impair = undefined;
      for (const end of [LINK_CLIENT_SIDE, LINK_SERVER_SIDE]) await run('ip', ['-n', linkNs, 'link', 'set', end, 'master', BRIDGE]);
    },
    async impair(delayMs: number, lossPercent: number): Promise<void> {
      await link.bridge();
      for (const end of [LINK_CLIENT_SIDE, LINK_SERVER_SIDE]) await run('ip', ['-n', linkNs, 'link', 'set', end, 'nomaster']);
      impair = await startInNamespace({
        name: 'impair.py',
        namespace: linkNs,
        command: 'python3',
        args: [IMPAIR_SCRIPT, LINK_CLIENT_SIDE, LINK_SERVER_SIDE, String(delayMs), String(lossPercent)],
        logFile: join(logDir, 'impair.log'),
        readyLine: /^impair ready$/m,
        readyTimeoutMs: 5_000,
      });
    },
  };
  const network: LabNetwork = {
    clientNs,
    serverNs,
    linkNs,
    async apply(rules) {
      await applyClientRules(clientNs, rules);
      if (rules.impair) await link.impair(rules.impair.delayMs, rules.impair.lossPercent);
      else if (impair) await link.bridge();
    },
    async destroy() {
      await impair?.stop();
      await deleteNamespaces(created);
    },
  };
  try {
    for (const ns of [clientNs, linkNs, serverNs]) {
      await run('ip', ['netns', 'add', ns]);
      created.push(ns);
    }
    await run('ip', ['-n', clientNs, 'link', 'add', CLIENT_LINK, 'type', 'veth', 'peer', 'name', LINK_CLIENT_SIDE, 'netns', linkNs]);
    await run('ip', ['-n', serverNs, 'link', 'add', SERVER_LINK, 'type', 'veth', 'peer', 'name', LINK_SERVER_SIDE, 'netns', linkNs]);
    await configureLink(linkNs);
    await configureClient(clientNs);
    await configureServer(serverNs);
    return network;
  } catch (error) {
    await network.destroy();
    throw error;
  }
}

async function configureLink(ns: string): Promise<void> {
  await noIpv6NoForwarding(ns);
  await run('ip', ['-n', ns, 'link', 'add', BRIDGE, 'type', 'bridge']);
  for (const end of [LINK_CLIENT_SIDE, LINK_SERVER_SIDE]) {
    await run('ip', ['-n', ns, 'link', 'set', end, 'master', BRIDGE]);
    // impair.py must see every frame, whatever its destination MAC.
    await run('ip', ['-n', ns, 'link', 'set', end, 'promisc', 'on', 'up']);
  }
  await run('ip', ['-n', ns, 'link', 'set', BRIDGE, 'up']);
}

async function configureClient(ns: string): Promise<void> {
  await bringUp(ns, CLIENT_LINK, `${LAB_ADDRESSES.client}/24`);
  await run('ip', ['-n', ns, 'route', 'add', 'default', 'dev', CLIENT_LINK, 'src', LAB_ADDRESSES.client]);
  await confine(ns);
  for (const [chain, hook, direction, peer] of [['LAB-OUT', 'OUTPUT', '-o', '-d'], ['LAB-IN', 'INPUT', '-i', '-s']] as const) {
    await runIn(ns, 'iptables', ['-N', chain]);
    await runIn(ns, 'iptables', ['-A', chain, '-j', 'ACCEPT']);
    await runIn(ns, 'iptables', ['-A', hook, direction, CLIENT_LINK, peer, LAB_SUBNET, '-j', chain]);
  }
}

async function configureServer(ns: string): Promise<void> {
  await bringUp(ns, SERVER_LINK, `${LAB_ADDRESSES.server}/24`);
  // TURN's address on lo, not the veth, and the server's address as the source of what is sent to it: werift
  // (bound to 0.0.0.0) then has one host candidate and one source address. Otherwise its answers to the relay
  // left from 10.232.0.3, for which the relay had no permission, and its DTLS could leave from the wrong one.
  await run('ip', ['-n', ns, 'addr', 'add', `${LAB_ADDRESSES.turn}/32`, 'dev', 'lo']);
  await run('ip', ['-n', ns, 'route', 'replace', 'table', 'local', 'local', LAB_ADDRESSES.turn, 'dev', 'lo', 'proto', 'kernel', 'scope', 'host', 'src', LAB_ADDRESSES.server]);
  await confine(ns);
  await runIn(ns, 'iptables', ['-A', 'OUTPUT', '-o', SERVER_LINK, '-d', LAB_SUBNET, '-j', 'ACCEPT']);
  await runIn(ns, 'iptables', ['-A', 'INPUT', '-i', SERVER_LINK, '-s', LAB_SUBNET, '-j', 'ACCEPT']);
}

async function noIpv6NoForwarding(ns: string): Promise<void> {
  await runIn(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv4.ip_forward=0']);
}

async function bringUp(ns: string, link: string, address: string): Promise<void> {
  // IPv4 only: the lab addresses are then the only ICE candidates.
  await noIpv6NoForwarding(ns);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'addr', 'add', address, 'dev', link]);
  await run('ip', ['-n', ns, 'link', 'set', link, 'up']);
}

/** Drops everything but loopback; callers then open the lab subnet on the veth. */
async function confine(ns: string): Promise<void> {
  for (const chain of ['INPUT', 'OUTPUT', 'FORWARD']) await runIn(ns, 'iptables', ['-P', chain, 'DROP']);
  await runIn(ns, 'iptables', ['-A', 'OUTPUT', '-o', 'lo', '-j', 'ACCEPT']);
  await runIn(ns, 'iptables', ['-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT']);
}

async function applyClientRules(clientNs: string, rules: NetworkRules): Promise<void> {
  for (const [chain, specs] of [['LAB-OUT', rules.outbound ?? []], ['LAB-IN', rules.inbound ?? []]] as const) {
    await runIn(clientNs, 'iptables', ['-F', chain]);
    for (const spec of specs) await runIn(clientNs, 'iptables', ['-A', chain, ...spec]);
    await runIn(clientNs, 'iptables', ['-A', chain, '-j', 'ACCEPT']);
  }
}

async function deleteNamespaces(names: string[]): Promise<void> {
  for (const ns of names.splice(0)) {
    await run('ip', ['netns', 'delete', ns]).catch((error: unknown) => console.error(`lab: could not delete netns ${ns}: ${String(error)}`));
  }
}

/** Namespaces left by a lab run that was killed (SIGKILL gives no chance to clean up): their PID is gone. */
async function removeStaleNamespaces(): Promise<void> {
  const listing = await run('ip', ['netns', 'list']);
  const stale = listing
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const match = NAMESPACE_NAME.exec(name);
      return match !== null && !processAlive(Number(match[1]));
    });
  await deleteNamespaces(stale);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

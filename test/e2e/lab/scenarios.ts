/**
 * The lab's scenarios: the client namespace's rules, and what the player must end up on. The expectations are
 * one table (EXPECTED) so that they are easy to adjust while the transport race changes.
 */
import type { WebRtcPath } from './browser.js';
import type { NetworkRules } from './network.js';

/** One acceptable final path; for WebRTC, unset fields match anything. */
export type PathExpectation =
  | { transport: 'mse' }
  | { transport: 'webrtc'; localCandidateType?: string[]; protocol?: 'udp' | 'tcp'; relayProtocol?: 'udp' | 'tcp' | 'tls' };

/** Not through a relay. There is no NAT in the lab: a srflx (learnt from coturn) or prflx candidate is the host address. */
const DIRECT = ['host', 'srflx', 'prflx'];

export interface Expectation {
  /** The path is read this long after the first frame. */
  afterMs: number;
  /** The final path must be one of these. */
  paths: PathExpectation[];
  /** Frames per second over the last seconds of the visit, at least. */
  minFps: number;
}

export interface RunnableScenario {
  name: string;
  description: string;
  rules: NetworkRules;
  expect: Expectation;
}

export interface PendingScenario {
  name: string;
  description: string;
  pending: string;
}

export type Scenario = RunnableScenario | PendingScenario;

const DROP_UDP = [['-p', 'udp', '-j', 'DROP']];

/** The only expectations to edit when the player's choices change: final path after `afterMs`. */
const EXPECTED: Record<string, Expectation> = {
  open: { afterMs: 6_000, minFps: 15, paths: [{ transport: 'webrtc', localCandidateType: DIRECT, protocol: 'udp' }] },
  'udp-blocked': {
    afterMs: 4_000,
    minFps: 15,
    paths: [{ transport: 'webrtc', localCandidateType: ['relay'], relayProtocol: 'tcp' }, { transport: 'mse' }],
  },
  'tcp443-only': {
    afterMs: 4_000,
    minFps: 15,
    paths: [{ transport: 'webrtc', localCandidateType: ['relay'], relayProtocol: 'tcp' }, { transport: 'mse' }],
  },
  lossy: { afterMs: 6_000, minFps: 20, paths: [{ transport: 'webrtc' }] },
};

export const SCENARIOS: readonly Scenario[] = [
  { name: 'open', description: 'nothing blocked', rules: {}, expect: EXPECTED['open']! },
  {
    name: 'udp-blocked',
    description: 'all UDP dropped',
    rules: { outbound: DROP_UDP, inbound: DROP_UDP },
    expect: EXPECTED['udp-blocked']!,
  },
  {
    name: 'tcp443-only',
    description: 'only TCP to port 443 leaves the client',
    rules: {
      outbound: [['-p', 'tcp', '--dport', '443', '-j', 'ACCEPT'], ['-j', 'DROP']],
      inbound: [['-p', 'tcp', '--sport', '443', '-j', 'ACCEPT'], ['-j', 'DROP']],
    },
    expect: EXPECTED['tcp443-only']!,
  },
  { name: 'ws-blocked', description: 'WebSockets blocked by a proxy', pending: 'needs the HLS path' },
  {
    name: 'lossy',
    description: '5 % loss and 100 ms RTT (50 ms and 5 % each way)',
    rules: { impair: { delayMs: 50, lossPercent: 5 } },
    expect: EXPECTED['lossy']!,
  },
];

export function isPending(scenario: Scenario): scenario is PendingScenario {
  return 'pending' in scenario;
}

/** e.g. "webrtc relay/udp via tcp", "webrtc host/udp", "mse", "webrtc (path not reported)". */
export function describePath(transport: string | null, path: WebRtcPath | null): string {
  if (transport !== 'webrtc') return transport ?? 'none';
  if (!path) return 'webrtc (path not reported)';
  const via = path.relayProtocol ? ` via ${path.relayProtocol}` : '';
  return `webrtc ${path.localCandidateType}/${path.protocol}${via}`;
}

export function describeExpectation(expect: Expectation): string {
  return expect.paths
    .map((p) => (p.transport === 'mse' ? 'mse' : ['webrtc', p.localCandidateType?.join('/'), p.protocol, p.relayProtocol && `via ${p.relayProtocol}`].filter(Boolean).join(' ')))
    .join(' | ');
}

/**
 * Whether the final path is acceptable. A webrtc path the player does not report yet (getStats().webrtcPath
 * arrives with the WebRTC transport's stats) passes on the transport alone, and says so.
 */
export function pathMatches(expect: Expectation, transport: string | null, path: WebRtcPath | null): { ok: boolean; note?: string } {
  for (const wanted of expect.paths) {
    if (wanted.transport !== transport) continue;
    if (wanted.transport === 'mse') return { ok: true };
    if (!path) return { ok: true, note: 'webrtcPath not reported: only the transport was checked' };
    const fits =
      (wanted.localCandidateType === undefined || wanted.localCandidateType.includes(path.localCandidateType)) &&
      (wanted.protocol === undefined || wanted.protocol === path.protocol) &&
      (wanted.relayProtocol === undefined || wanted.relayProtocol === path.relayProtocol);
    if (fits) return { ok: true };
  }
  return { ok: false };
}

/**
 * What getStats() says about the ICE path (pure: takes the report's entries). Field names as
 * Chromium reports them (W3C webrtc-stats): `transport.selectedCandidatePairId`,
 * `candidate-pair.responsesReceived`, `local-candidate.candidateType` / `protocol` / `relayProtocol`.
 */

export type StatsEntries = Iterable<Readonly<Record<string, unknown>>>;

export interface WebRtcPath {
  localCandidateType: string;
  protocol: 'udp' | 'tcp';
  relayProtocol?: 'udp' | 'tcp' | 'tls';
}

/** What ICE has achieved so far; accumulate over polls with `mergeEvidence`. */
export interface IceEvidence {
  /** Some candidate pair got a STUN response: packets went both ways on some path. */
  responseReceived: boolean;
  /** A TURN relay candidate was gathered. */
  relayCandidate: boolean;
}

export const NO_EVIDENCE: IceEvidence = { responseReceived: false, relayCandidate: false };

/**
 * Why ICE never connected. No pair ever got a response and no relay was gathered, while the
 * signaling (TCP) got through: UDP is blocked. Anything else: ICE failed on a path that looked usable.
 */
export function classifyNeverConnected(evidence: IceEvidence): 'udp-blocked' | 'ice-failed' {
  return !evidence.responseReceived && !evidence.relayCandidate ? 'udp-blocked' : 'ice-failed';
}

export function iceEvidenceOf(entries: StatsEntries): IceEvidence {
  let responseReceived = false;
  let relayCandidate = false;
  for (const entry of entries) {
    if (entry['type'] === 'candidate-pair' && positive(entry['responsesReceived'])) responseReceived = true;
    if (entry['type'] === 'local-candidate' && entry['candidateType'] === 'relay') relayCandidate = true;
  }
  return { responseReceived, relayCandidate };
}

export function mergeEvidence(a: IceEvidence, b: IceEvidence): IceEvidence {
  return { responseReceived: a.responseReceived || b.responseReceived, relayCandidate: a.relayCandidate || b.relayCandidate };
}

/** The path of the selected candidate pair; undefined while there is none. */
export function selectedPathOf(entries: StatsEntries): WebRtcPath | undefined {
  const byId = new Map<string, Readonly<Record<string, unknown>>>();
  for (const entry of entries) if (typeof entry['id'] === 'string') byId.set(entry['id'], entry);
  const pair = selectedPair(byId);
  const local = pair ? byId.get(String(pair['localCandidateId'])) : undefined;
  if (!local) return undefined;
  const protocol = local['protocol'];
  if (protocol !== 'udp' && protocol !== 'tcp') return undefined;
  const path: WebRtcPath = { localCandidateType: String(local['candidateType'] ?? 'unknown'), protocol };
  const relayProtocol = local['relayProtocol'];
  if (relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls') path.relayProtocol = relayProtocol;
  return path;
}

/** The transport names its selected pair; older reports flag the pair itself (`selected`). */
function selectedPair(byId: Map<string, Readonly<Record<string, unknown>>>): Readonly<Record<string, unknown>> | undefined {
  for (const entry of byId.values()) {
    if (entry['type'] !== 'transport' || typeof entry['selectedCandidatePairId'] !== 'string') continue;
    const pair = byId.get(entry['selectedCandidatePairId']);
    if (pair) return pair;
  }
  for (const entry of byId.values()) if (entry['type'] === 'candidate-pair' && entry['selected'] === true) return entry;
  return undefined;
}

function positive(value: unknown): boolean {
  return typeof value === 'number' && value > 0;
}

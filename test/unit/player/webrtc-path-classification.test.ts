import { describe, expect, it } from 'vitest';
import {
  classifyNeverConnected,
  iceEvidenceOf,
  mergeEvidence,
  NO_EVIDENCE,
  selectedPathOf,
} from '../../../src/transports/webrtc/path-classification.js';
import { chromium, editedStats } from './fixtures/chromium-webrtc.js';

const connected = chromium['stats-connected'];
const blocked = chromium['stats-udp-blocked'];

/** The connected snapshot as if the selected pair's local candidate were a TURN relay reached over `relayProtocol`. */
function relayed(relayProtocol: string): Record<string, unknown>[] {
  const transport = connected.find((entry) => entry['type'] === 'transport');
  const pair = connected.find((entry) => entry['id'] === transport?.['selectedCandidatePairId']);
  return editedStats(connected, (entry) =>
    entry['id'] === pair?.['localCandidateId'] ? { candidateType: 'relay', relayProtocol, url: 'turn:10.231.0.2:3478?transport=tcp' } : undefined,
  );
}

describe('selectedPathOf (Chromium getStats)', () => {
  it('a direct host path over UDP', () => {
    expect(selectedPathOf(connected)).toEqual({ localCandidateType: 'host', protocol: 'udp' });
  });

  it('a TURN relay, with the protocol to the TURN server', () => {
    expect(selectedPathOf(relayed('tcp'))).toEqual({ localCandidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' });
    expect(selectedPathOf(relayed('tls'))?.relayProtocol).toBe('tls');
  });

  it('none while no pair is selected (UDP blocked from the start)', () => {
    expect(selectedPathOf(blocked)).toBeUndefined();
    expect(selectedPathOf([])).toBeUndefined();
  });
});

describe('classifyNeverConnected', () => {
  it('UDP blocked, no TURN: no pair got a response, no relay → udp-blocked', () => {
    const evidence = iceEvidenceOf(blocked);
    expect(evidence).toEqual({ responseReceived: false, relayCandidate: false });
    expect(classifyNeverConnected(evidence)).toBe('udp-blocked');
  });

  it('a pair got responses (the path worked at some point) → ice-failed', () => {
    expect(iceEvidenceOf(connected).responseReceived).toBe(true);
    expect(classifyNeverConnected(iceEvidenceOf(connected))).toBe('ice-failed');
  });

  it('a relay candidate was gathered (TURN reachable, so not just UDP blocked) → ice-failed', () => {
    const withRelay = editedStats(blocked, (entry) =>
      entry['type'] === 'local-candidate' && entry['protocol'] === 'udp' ? { candidateType: 'relay', relayProtocol: 'tcp' } : undefined,
    );
    expect(classifyNeverConnected(iceEvidenceOf(withRelay))).toBe('ice-failed');
  });

  it('evidence accumulates across polls: a response once seen is not forgotten', () => {
    const merged = mergeEvidence(iceEvidenceOf(connected), iceEvidenceOf(blocked));
    expect(merged.responseReceived).toBe(true);
    expect(mergeEvidence(NO_EVIDENCE, NO_EVIDENCE)).toEqual(NO_EVIDENCE);
  });
});

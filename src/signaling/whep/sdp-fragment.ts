/**
 * SDP fragments of media type application/trickle-ice-sdpfrag (RFC 8840 §4.4) as WHEP's PATCH
 * requests carry them: the ICE credentials and candidates of the bundle's first m-section.
 */

export const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';

/** What a trickle or ICE-restart fragment says about one side's ICE session. */
export interface IceParameters {
  /** Session-level lines repeated in every fragment (`a=ice-options:…`, `a=group:BUNDLE …`). */
  sessionLines: string[];
  /** The first m-section's `m=` line, e.g. `m=audio 9 UDP/TLS/RTP/SAVPF 111`. */
  mediaLine: string;
  mid: string;
  ufrag: string;
  pwd: string;
}

export interface IceFragment {
  ufrag: string;
  pwd: string;
  /** Candidate attribute values with their `candidate:` prefix, as RTCIceCandidate.candidate. */
  candidates: string[];
  endOfCandidates: boolean;
}

/** The ICE parameters of a local description: its first m-section (with max-bundle the only one that gathers). */
export function iceParametersOf(sdp: string): IceParameters {
  const { session, sections } = splitSdp(sdp);
  const first = sections[0];
  if (!first) throw new SdpError('the SDP has no m-section');
  const mediaLine = first[0] ?? '';
  const mid = attribute(first, 'mid');
  const ufrag = attribute(first, 'ice-ufrag') ?? attribute(session, 'ice-ufrag');
  const pwd = attribute(first, 'ice-pwd') ?? attribute(session, 'ice-pwd');
  if (mid === undefined || ufrag === undefined || pwd === undefined) throw new SdpError('the first m-section lacks a=mid, a=ice-ufrag or a=ice-pwd');
  const sessionLines = session.filter((line) => line.startsWith('a=ice-options:') || line.startsWith('a=group:BUNDLE'));
  return { sessionLines, mediaLine, mid, ufrag, pwd };
}

/** A fragment carrying `candidates` (and end-of-candidates) for the ICE session `parameters` describe. */
export function buildIceFragment(parameters: IceParameters, candidates: readonly string[], endOfCandidates: boolean): string {
  const lines = [
    ...parameters.sessionLines,
    parameters.mediaLine,
    `a=mid:${parameters.mid}`,
    `a=ice-ufrag:${parameters.ufrag}`,
    `a=ice-pwd:${parameters.pwd}`,
    ...candidates.map((candidate) => `a=${candidate}`),
    ...(endOfCandidates ? ['a=end-of-candidates'] : []),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** Reads a server's fragment (the answer to an ICE restart). Throws SdpError when it carries no ICE credentials. */
export function parseIceFragment(text: string): IceFragment {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const ufrag = attribute(lines, 'ice-ufrag');
  const pwd = attribute(lines, 'ice-pwd');
  if (ufrag === undefined || pwd === undefined || !ICE_CHARS.test(ufrag) || !ICE_CHARS.test(pwd)) {
    throw new SdpError('the fragment carries no valid a=ice-ufrag and a=ice-pwd');
  }
  const candidates = lines.filter((line) => line.startsWith('a=candidate:')).map((line) => line.slice(2));
  return { ufrag, pwd, candidates, endOfCandidates: lines.includes('a=end-of-candidates') };
}

/**
 * The remote description after an ICE restart answered by PATCH: the same SDP with the new
 * credentials, and the new candidates in place of the old ones (RFC 9725: discard those not in the new set).
 */
export function withRestartedIce(remoteSdp: string, fragment: IceFragment): string {
  const { session, sections } = splitSdp(remoteSdp);
  const rewrite = (lines: string[], isFirstSection: boolean): string[] => {
    const kept = lines
      .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
      .map((line) => {
        if (line.startsWith('a=ice-ufrag:')) return `a=ice-ufrag:${fragment.ufrag}`;
        if (line.startsWith('a=ice-pwd:')) return `a=ice-pwd:${fragment.pwd}`;
        return line;
      });
    if (!isFirstSection) return kept;
    return [...kept, ...fragment.candidates.map((candidate) => `a=${candidate}`), ...(fragment.endOfCandidates ? ['a=end-of-candidates'] : [])];
  };
  const lines = [...rewrite(session, false), ...sections.flatMap((section, index) => rewrite(section, index === 0))];
  return `${lines.join('\r\n')}\r\n`;
}

export class SdpError extends Error {
  override name = 'SdpError';
}

/** ice-char (RFC 8839): ALPHA / DIGIT / "+" / "/"; ufrag 4–256 and pwd 22–256 characters, loosely. */
const ICE_CHARS = /^[A-Za-z0-9+/]{4,256}$/;

function splitSdp(sdp: string): { session: string[]; sections: string[][] } {
  const session: string[] = [];
  const sections: string[][] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line === '') continue;
    if (line.startsWith('m=')) sections.push([line]);
    else (sections.at(-1) ?? session).push(line);
  }
  return { session, sections };
}

function attribute(lines: readonly string[], name: string): string | undefined {
  const prefix = `a=${name}:`;
  return lines.find((line) => line.startsWith(prefix))?.slice(prefix.length).trim();
}

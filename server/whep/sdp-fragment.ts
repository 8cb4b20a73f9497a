import type { IceCandidate } from '../../src/protocol.js';
import type { LocalIce } from '../outputs/webrtc/webrtc-viewer.js';

/** What a WHEP client's PATCH body (application/trickle-ice-sdpfrag, RFC 8840) says. */
export interface SdpFragment {
  ufrag?: string;
  pwd?: string;
  candidates: IceCandidate[];
  endOfCandidates: boolean;
}

export const SDP_FRAGMENT_TYPE = 'application/trickle-ice-sdpfrag';

export function parseSdpFragment(text: string): SdpFragment | undefined {
  const fragment: SdpFragment = { candidates: [], endOfCandidates: false };
  let mLineIndex = -1;
  let mid: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (!/^[a-z]=/.test(line)) return undefined;
    const [, key, value = ''] = /^a=([^:]+):?(.*)$/.exec(line) ?? [];
    if (line.startsWith('m=')) {
      mLineIndex++;
      mid = null;
    } else if (key === 'mid') mid = value;
    else if (key === 'ice-ufrag') fragment.ufrag = value;
    else if (key === 'ice-pwd') fragment.pwd = value;
    else if (key === 'candidate') fragment.candidates.push({ candidate: `candidate:${value}`, sdpMid: mid, sdpMLineIndex: Math.max(mLineIndex, 0) });
    else if (key === 'end-of-candidates') fragment.endOfCandidates = true;
  }
  return fragment;
}

/** The server's side of an ICE restart: its new credentials and candidates for the first (bundled) m-line. */
export function restartFragment(ice: LocalIce, answerSdp: string): string {
  const mLine = /^m=\S+ \d+ \S+ \S+/m.exec(answerSdp)?.[0] ?? 'm=video 9 UDP/TLS/RTP/SAVPF 96';
  const mid = /^a=mid:(\S+)/m.exec(answerSdp)?.[1] ?? '0';
  const lines = ['a=ice-lite', `a=ice-ufrag:${ice.ufrag}`, `a=ice-pwd:${ice.pwd}`, mLine, `a=mid:${mid}`, ...ice.candidates.map((c) => `a=${c}`), 'a=end-of-candidates'];
  return `${lines.join('\r\n')}\r\n`;
}

import { describe, expect, it } from 'vitest';
import { buildIceFragment, iceParametersOf, parseIceFragment, SdpError, withRestartedIce } from '../../../src/signaling/whep/sdp-fragment.js';
import { chromium } from './fixtures/chromium-webrtc.js';

const localCandidate = /a=(candidate:[^\r\n]+)/.exec(chromium['local-after-gathering'])?.[1] ?? '';

describe('iceParametersOf (a Chromium recvonly offer)', () => {
  it('takes the bundle-tagged first m-section: its m= line, mid and credentials, plus BUNDLE', () => {
    const parameters = iceParametersOf(chromium.offer);
    expect(parameters.mediaLine).toMatch(/^m=audio 9 UDP\/TLS\/RTP\/SAVPF 111 /);
    expect(parameters.mid).toBe('0');
    expect(parameters.ufrag).toBe(/a=ice-ufrag:(\S+)/.exec(chromium.offer)?.[1]);
    expect(parameters.pwd).toBe(/a=ice-pwd:(\S+)/.exec(chromium.offer)?.[1]);
    expect(parameters.sessionLines).toEqual(['a=group:BUNDLE 0 1']);
  });

  it('sees the new credentials of an ICE-restart offer', () => {
    expect(iceParametersOf(chromium['restart-offer']).ufrag).not.toBe(iceParametersOf(chromium.offer).ufrag);
  });

  it('refuses SDP without an m-section or credentials', () => {
    expect(() => iceParametersOf('v=0\r\ns=-\r\n')).toThrow(SdpError);
    expect(() => iceParametersOf('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n')).toThrow(SdpError);
  });
});

describe('buildIceFragment', () => {
  it('writes an RFC 8840 fragment with a real Chromium candidate and end-of-candidates', () => {
    const parameters = iceParametersOf(chromium.offer);
    const fragment = buildIceFragment(parameters, [localCandidate], true);
    const lines = fragment.split('\r\n');
    expect(lines[0]).toBe('a=group:BUNDLE 0 1');
    expect(lines[1]).toBe(parameters.mediaLine);
    expect(lines.slice(2, 5)).toEqual(['a=mid:0', `a=ice-ufrag:${parameters.ufrag}`, `a=ice-pwd:${parameters.pwd}`]);
    expect(lines[5]).toBe(`a=${localCandidate}`);
    expect(lines[5]).toMatch(/^a=candidate:\d+ 1 udp \d+ 10\.231\.0\.1 \d+ typ host/);
    expect(lines[6]).toBe('a=end-of-candidates');
    expect(fragment.endsWith('\r\n')).toBe(true);
  });

  it('round-trips through parseIceFragment', () => {
    const parameters = iceParametersOf(chromium.offer);
    const parsed = parseIceFragment(buildIceFragment(parameters, [localCandidate], false));
    expect(parsed).toEqual({ ufrag: parameters.ufrag, pwd: parameters.pwd, candidates: [localCandidate], endOfCandidates: false });
  });
});

describe('parseIceFragment (a server answering an ICE restart)', () => {
  it('reads the RFC 9725 restart answer', () => {
    const text = [
      'a=ice-lite',
      'a=ice-options:trickle ice2',
      'a=group:BUNDLE 0 1',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=ice-ufrag:289b31b754eaa438',
      'a=ice-pwd:0b66f472495ef0ccac7bda653ab6be49ea13114472a5d10a',
      'a=candidate:1 1 udp 2130706431 198.51.100.1 39132 typ host',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    expect(parseIceFragment(text)).toEqual({
      ufrag: '289b31b754eaa438',
      pwd: '0b66f472495ef0ccac7bda653ab6be49ea13114472a5d10a',
      candidates: ['candidate:1 1 udp 2130706431 198.51.100.1 39132 typ host'],
      endOfCandidates: true,
    });
  });

  it('refuses a fragment without credentials, or with characters ICE does not allow', () => {
    expect(() => parseIceFragment('a=candidate:1 1 udp 1 10.0.0.1 1 typ host\r\n')).toThrow(SdpError);
    expect(() => parseIceFragment('a=ice-ufrag:ab"cd\r\na=ice-pwd:0b66f472495ef0ccac7bda65\r\n')).toThrow(SdpError);
    expect(() => parseIceFragment('<html>nope</html>')).toThrow(SdpError);
  });
});

describe('withRestartedIce (the server answer from the reference server)', () => {
  const fragment = {
    ufrag: 'n3wU',
    pwd: 'f00df00df00df00df00df00d',
    candidates: ['candidate:9 1 udp 2116026367 10.231.0.1 40000 typ host generation 0 ufrag n3wU'],
    endOfCandidates: true,
  };

  it('puts the new credentials in every m-section and replaces the candidates', () => {
    const restarted = withRestartedIce(chromium.answer, fragment);
    const oldUfrag = /a=ice-ufrag:(\S+)/.exec(chromium.answer)?.[1];
    expect(restarted).not.toContain(`a=ice-ufrag:${oldUfrag}\r`);
    expect(restarted.match(/a=ice-ufrag:n3wU/g)).toHaveLength(chromium.answer.match(/a=ice-ufrag:/g)?.length ?? 0);
    expect(restarted.match(/a=ice-pwd:f00d/g)).toHaveLength(chromium.answer.match(/a=ice-pwd:/g)?.length ?? 0);
    expect(restarted.match(/a=candidate:/g)).toEqual(['a=candidate:']);
    expect(restarted).toContain(`a=${fragment.candidates[0]}\r\na=end-of-candidates\r\n`);
    expect(restarted.match(/a=end-of-candidates/g)).toHaveLength(1);
  });

  it('leaves everything that is not ICE alone', () => {
    const strip = (sdp: string) => sdp.split(/\r?\n/).filter((line) => line !== '' && !/^a=(ice-ufrag|ice-pwd|candidate|end-of-candidates)/.test(line));
    expect(strip(withRestartedIce(chromium.answer, fragment))).toEqual(strip(chromium.answer));
  });
});

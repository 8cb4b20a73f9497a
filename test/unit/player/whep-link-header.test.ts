import { describe, expect, it } from 'vitest';
import { iceServersFromLinkHeader } from '../../../src/signaling/whep/link-header.js';

describe('iceServersFromLinkHeader', () => {
  it('reads the RFC 9725 example (several Link fields joined by Headers.get with ", ")', () => {
    const header = [
      '<stun:stun.example.net>; rel="ice-server"',
      '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="myPassword"; credential-type="password"',
      '<turn:turn.example.net?transport=tcp>; rel="ice-server"; username="user"; credential="myPassword"; credential-type="password"',
      '<turns:turn.example.net?transport=tcp>; rel="ice-server"; username="user"; credential="myPassword"; credential-type="password"',
    ].join(', ');
    expect(iceServersFromLinkHeader(header)).toEqual([
      { urls: 'stun:stun.example.net' },
      { urls: 'turn:turn.example.net?transport=udp', username: 'user', credential: 'myPassword' },
      { urls: 'turn:turn.example.net?transport=tcp', username: 'user', credential: 'myPassword' },
      { urls: 'turns:turn.example.net?transport=tcp', username: 'user', credential: 'myPassword' },
    ]);
  });

  it('keeps coturn REST credentials intact: ":" in the username, "+/=" and "," inside quotes', () => {
    const header =
      '<turn:10.231.0.2:3478?transport=tcp>; rel="ice-server"; username="1795531539:whep-3f2a"; credential="q+/Zr8,kQ0Vb1nJ3t6pH8s2Lw4=", <urn:ietf:params:whep:ext:core:server-sent-events>; rel="urn:ietf:params:whep:ext:core:server-sent-events"';
    expect(iceServersFromLinkHeader(header)).toEqual([
      { urls: 'turn:10.231.0.2:3478?transport=tcp', username: '1795531539:whep-3f2a', credential: 'q+/Zr8,kQ0Vb1nJ3t6pH8s2Lw4=' },
    ]);
  });

  it('skips links that are not ice servers, non-STUN/TURN targets, and non-password credentials', () => {
    const header = [
      '<https://whep.example.org/resource/1/sse>; rel="urn:ietf:params:whep:ext:core:server-sent-events"',
      '<https://evil.example/>; rel="ice-server"',
      '<turn:turn.example.net>; rel="ice-server"; username="u"; credential="token"; credential-type="oauth"',
      '<stun:ok.example.net>; rel=ice-server',
    ].join(', ');
    expect(iceServersFromLinkHeader(header)).toEqual([{ urls: 'stun:ok.example.net' }]);
  });

  it('returns nothing for an absent, empty or garbled header', () => {
    expect(iceServersFromLinkHeader(null)).toEqual([]);
    expect(iceServersFromLinkHeader('')).toEqual([]);
    expect(iceServersFromLinkHeader('turn:x; rel="ice-server"')).toEqual([]);
    expect(iceServersFromLinkHeader('<turn:x; rel="ice-server"')).toEqual([]);
  });

  it('bounds the number of servers it takes', () => {
    const header = Array.from({ length: 100 }, (_, i) => `<stun:s${i}.example.net>; rel="ice-server"`).join(', ');
    expect(iceServersFromLinkHeader(header)).toHaveLength(16);
  });
});

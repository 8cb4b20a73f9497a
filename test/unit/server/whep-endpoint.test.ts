import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarServer } from '../../../server/avatar-server.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { recvonlyOffer, VP8_ONLY } from './whep-offer.js';

const SECRET = 'whep-test-secret';
const TURN_URLS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'];
const SDP = { 'Content-Type': 'application/sdp' };
const FRAG = { 'Content-Type': 'application/trickle-ice-sdpfrag' };

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A PATCH whose headers go out now and whose body goes out on `send()`; resolves with the status. */
function heldRequest(url: string, headers: Record<string, string>, body: string): { send(): Promise<number> } {
  const request = httpRequest(url, { method: 'PATCH', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } });
  const status = new Promise<number>((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
  request.flushHeaders();
  return {
    send() {
      request.end(body);
      return status;
    },
  };
}

describe('WHEP endpoint (RFC 9725)', () => {
  let media: MediaDir;
  let server: AvatarServer;
  let noTrickle: AvatarServer;
  let offer: string;
  const base = (s: AvatarServer) => `http://127.0.0.1:${s.port}`;
  const post = (s: AvatarServer, body: string, headers: Record<string, string> = SDP) => fetch(`${base(s)}/whep`, { method: 'POST', headers, body });
  const whepViewers = async (s: AvatarServer) => ((await (await fetch(`${base(s)}/health`)).json()) as { viewers: number; whepViewers: number }).whepViewers;

  beforeAll(async () => {
    media = await makeMediaDir();
    server = await startTestAvatarServer(media.dir, { turn: { secret: SECRET, urls: TURN_URLS, ttlSeconds: 600 } });
    noTrickle = await startTestAvatarServer(media.dir, { whep: { trickle: false, maxResources: 1, idleMs: 400 } });
    offer = await recvonlyOffer();
  });

  afterAll(async () => {
    await server?.close();
    await noTrickle?.close();
    await media?.cleanup();
  });

  it('answers an offer with 201, Location, ETag, TURN Link headers and an H.264 + Opus answer on one stream', async () => {
    const before = Date.now() / 1000;
    const response = await post(server, offer);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/sdp');
    expect(response.headers.get('location')).toMatch(/^\/whep\/[0-9a-f-]{36}$/);
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    expect(response.headers.get('accept-patch')).toBe('application/trickle-ice-sdpfrag');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toContain('Location');
    const answer = await response.text();
    expect(answer).toContain('a=ice-lite');
    expect(answer).toMatch(/^m=video 9 UDP\/TLS\/RTP\/SAVPF 104\r?$/m);
    expect(answer).toContain('packetization-mode=1;profile-level-id=42e01f');
    expect(answer).toMatch(/^a=rtpmap:111 opus\/48000\/2/m);
    expect(answer).toMatch(/^a=candidate:/m);
    const streams = [...answer.matchAll(/^a=msid:(\S+) /gm)].map((m) => m[1]);
    expect(streams).toHaveLength(2);
    expect(streams[0]).toBe(streams[1]);

    const id = response.headers.get('location')!.split('/').pop()!;
    const links = response.headers.get('link')!.split(/,\s*(?=<)/);
    expect(links).toHaveLength(2);
    links.forEach((link, index) => {
      const [, url, username, credential] = /^<([^>]+)>; rel="ice-server"; username="([^"]+)"; credential="([^"]+)"; credential-type="password"$/.exec(link) ?? [];
      expect(url).toBe(TURN_URLS[index]);
      const [expiry, user] = username!.split(':');
      expect(user).toMatch(/^[\w-]{12}$/);
      expect(username).not.toContain(id);
      expect(Number(expiry) - before).toBeGreaterThanOrEqual(599);
      expect(Number(expiry) - before).toBeLessThanOrEqual(601);
      expect(credential).toBe(createHmac('sha1', SECRET).update(username!).digest('base64'));
    });

    expect(await whepViewers(server)).toBe(1);
    const deleted = await fetch(`${base(server)}/whep/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await whepViewers(server)).toBe(0);
    expect((await fetch(`${base(server)}/whep/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers preflights with CORS and Accept-Post / Accept-Patch', async () => {
    const preflight = await fetch(`${base(server)}/whep`, { method: 'OPTIONS', headers: { Origin: 'https://player.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('accept-post')).toBe('application/sdp');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, PATCH, DELETE, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('If-Match');
    expect(preflight.headers.get('access-control-expose-headers')).toBe('Location, Link, ETag, Accept-Patch, Accept-Post');
    const created = await post(server, offer);
    const location = created.headers.get('location')!;
    const resourcePreflight = await fetch(`${base(server)}${location}`, { method: 'OPTIONS' });
    expect(resourcePreflight.status).toBe(204);
    expect(resourcePreflight.headers.get('accept-patch')).toBe('application/trickle-ice-sdpfrag');
    await fetch(`${base(server)}${location}`, { method: 'DELETE' });
    // An unknown or ended resource's preflight passes too, so that the browser can read the 404 that follows.
    for (const gone of [location, '/whep/no-such-id']) {
      const unknown = await fetch(`${base(server)}${gone}`, { method: 'OPTIONS', headers: { Origin: 'https://player.example', 'Access-Control-Request-Method': 'DELETE' } });
      expect(unknown.status).toBe(204);
      expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
      expect(unknown.headers.get('access-control-allow-methods')).toContain('DELETE');
      expect(unknown.headers.get('accept-patch')).toBeNull();
    }
  });

  it('refuses bad requests with 400, 404, 405, 413 and 415, each with CORS', async () => {
    const cases: [Promise<Response>, number, RegExp?][] = [
      [post(server, offer, { 'Content-Type': 'text/plain' }), 415],
      [post(server, 'hello'), 400, /SDP/],
      [post(server, await recvonlyOffer(VP8_ONLY)), 400, /H\.264/],
      [post(server, await recvonlyOffer(undefined, ['audio'])), 400, /video/],
      [post(server, `${offer}${'a=x-padding\r\n'.repeat(6000)}`), 413],
      [fetch(`${base(server)}/whep`), 405],
      [fetch(`${base(server)}/whep/no-such-id`, { method: 'PATCH', headers: FRAG, body: 'a=end-of-candidates\r\n' }), 404],
      [fetch(`${base(server)}/whep/no-such-id`, { method: 'DELETE' }), 404],
    ];
    for (const [request, status, text] of cases) {
      const response = await request;
      expect(response.status).toBe(status);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      if (text) expect(await response.text()).toMatch(text);
    }
    expect(await whepViewers(server)).toBe(0);
  });

  it('takes trickled candidates (204), refuses a stale ETag (412), and restarts ICE with fresh credentials (200)', async () => {
    const created = await post(server, offer);
    const location = `${base(server)}${created.headers.get('location')}`;
    const etag = created.headers.get('etag')!;
    const answer = await created.text();
    const ufrag = /^a=ice-ufrag:(\S+)/m.exec(offer)![1];
    const candidate = `a=ice-ufrag:${ufrag}\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 10.231.0.1 50000 typ host\r\na=end-of-candidates\r\n`;
    expect((await fetch(location, { method: 'PATCH', headers: { ...FRAG, 'If-Match': etag }, body: candidate })).status).toBe(204);
    expect((await fetch(location, { method: 'PATCH', headers: { 'Content-Type': 'application/sdp' }, body: candidate })).status).toBe(415);
    expect((await fetch(location, { method: 'PATCH', headers: { ...FRAG, 'If-Match': '"stale"' }, body: candidate })).status).toBe(412);
    expect((await fetch(location, { method: 'PATCH', headers: FRAG, body: 'a=ice-ufrag:other\r\n' })).status).toBe(422);

    const restart = await fetch(location, { method: 'PATCH', headers: { ...FRAG, 'If-Match': '*' }, body: 'a=ice-ufrag:n3wU\r\na=ice-pwd:n3wpasswordn3wpassword00\r\n' });
    expect(restart.status).toBe(200);
    expect(restart.headers.get('content-type')).toBe('application/trickle-ice-sdpfrag');
    expect(restart.headers.get('etag')).not.toBe(etag);
    const fragment = await restart.text();
    const oldUfrag = /^a=ice-ufrag:(\S+)/m.exec(answer)![1];
    const oldPwd = /^a=ice-pwd:(\S+)/m.exec(answer)![1];
    const newUfrag = /^a=ice-ufrag:(\S+)/m.exec(fragment)?.[1];
    const newPwd = /^a=ice-pwd:(\S+)/m.exec(fragment)?.[1];
    expect(newUfrag).toBeTruthy();
    expect(newUfrag).not.toBe(oldUfrag);
    expect(newPwd).not.toBe(oldPwd);
    expect(fragment).toMatch(/^m=video .*\r\na=mid:0\r\na=candidate:/m);
    expect(fragment).toContain('a=end-of-candidates');
    expect((await fetch(location, { method: 'PATCH', headers: { ...FRAG, 'If-Match': etag }, body: candidate })).status).toBe(412);
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(200);
  });

  it('runs the PATCHes of a resource one at a time: of two concurrent ICE restarts on one ETag, the second gets 412', async () => {
    const created = await post(server, offer);
    const location = `${base(server)}${created.headers.get('location')}`;
    const etag = created.headers.get('etag')!;
    const bodies = ['aaaa', 'bbbb'].map((ufrag) => `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${ufrag}passwordpassword00\r\n`);
    // Both requests are in before either body is: a server that checks If-Match outside the per-resource
    // queue lets both restarts through.
    const requests = bodies.map((body) => heldRequest(location, { ...FRAG, 'If-Match': etag }, body));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statuses = await Promise.all(requests.map((request) => request.send()));
    expect(statuses.sort()).toEqual([200, 412]);
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(200);
  });

  it('without trickle answers PATCH with 405, caps concurrent viewers with 503, and frees an idle resource', async () => {
    const created = await post(noTrickle, offer);
    expect(created.status).toBe(201);
    expect(created.headers.get('accept-patch')).toBeNull();
    expect(created.headers.get('link')).toBeNull();
    const location = `${base(noTrickle)}${created.headers.get('location')}`;
    const patch = await fetch(location, { method: 'PATCH', headers: FRAG, body: 'a=end-of-candidates\r\n' });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('DELETE, OPTIONS');
    const second = await post(noTrickle, offer);
    expect(second.status).toBe(503);
    await until(async () => (await whepViewers(noTrickle)) === 0, 'the idle resource freed');
    expect((await fetch(location, { method: 'DELETE' })).status).toBe(404);
    expect((await post(noTrickle, offer)).status).toBe(201);
  });
});

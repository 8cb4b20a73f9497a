import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarServer } from '../../../server/avatar-server.js';
import { turnConfigFromArgs, TurnConfigError, type TurnArgs } from '../../../server/turn/turn-config.js';
import { turnIceServer, type TurnConfig } from '../../../server/turn/turn-credentials.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { turnAllocate } from '../../fixtures/turn-client.js';
import { startTestTurnServer, type TestTurnServer } from '../../fixtures/turn-server.js';
import { MseClient } from './mse-client.js';
import { recvonlyOffer } from './whep-offer.js';

const SECRET = 'unit-test-shared-secret';

describe('short-lived TURN credentials (coturn use-auth-secret)', () => {
  let coturn: TestTurnServer;
  const config = (): TurnConfig => ({ secret: SECRET, urls: [`turn:127.0.0.1:${coturn.port}?transport=tcp`], ttlSeconds: 300 });

  beforeAll(async () => {
    coturn = await startTestTurnServer(SECRET);
  });

  afterAll(async () => {
    await coturn?.stop();
  });

  it('makes a username that carries its expiry and an HMAC-SHA1 credential (vector from openssl dgst -sha1 -hmac)', () => {
    const server = turnIceServer({ secret: 'north', urls: ['turn:turn.example:3478'], ttlSeconds: 86_400 }, 'alice', 1_700_000_000_000);
    expect(server).toEqual({ urls: ['turn:turn.example:3478'], username: '1700086400:alice', credential: 'SXua5ne/+mDhiHTp0pQJzRO4ESg=' });
  });

  it('is accepted by coturn for an Allocate', async () => {
    const { username, credential } = turnIceServer(config(), 'session-1');
    const result = await turnAllocate(coturn.port, username!, credential!);
    expect(result, await coturn.log()).toMatchObject({ ok: true });
  });

  it('names a fresh random user when given none, which coturn accepts too', async () => {
    const [a, b] = [turnIceServer(config()), turnIceServer(config())];
    expect(a.username).toMatch(/^\d+:[\w-]{12}$/);
    expect(a.username!.split(':')[1]).not.toBe(b.username!.split(':')[1]);
    expect(await turnAllocate(coturn.port, a.username!, a.credential!), await coturn.log()).toMatchObject({ ok: true });
  });

  it('is refused (401) once expired', async () => {
    const anHourAgo = Date.now() - 3_600_000;
    const { username, credential } = turnIceServer(config(), 'session-2', anHourAgo);
    expect(await turnAllocate(coturn.port, username!, credential!)).toMatchObject({ ok: false, status: 401 });
  });

  it('is refused (401) when made with another secret', async () => {
    const { username, credential } = turnIceServer({ ...config(), secret: 'not-the-secret' }, 'session-3');
    expect(await turnAllocate(coturn.port, username!, credential!)).toMatchObject({ ok: false, status: 401 });
  });
});

describe('TURN credentials the reference server hands out', () => {
  let coturn: TestTurnServer;
  let media: MediaDir;
  let server: AvatarServer;

  beforeAll(async () => {
    [coturn, media] = await Promise.all([startTestTurnServer(SECRET), makeMediaDir()]);
    server = await startTestAvatarServer(media.dir, { turn: { secret: SECRET, urls: [`turn:127.0.0.1:${coturn.port}?transport=tcp`], ttlSeconds: 300 } });
  });

  afterAll(async () => {
    await server?.close();
    await coturn?.stop();
    await media?.cleanup();
  });

  // coturn logs the username, and a WHEP resource id is the capability to PATCH and DELETE that session.
  it('name neither the signaling session nor the WHEP resource, and coturn accepts them', async () => {
    const client = await MseClient.connect(server.wsUrl, { type: 'hello', transport: 'webrtc' });
    await client.waitFor(() => client.texts('welcome').length === 1, 'the welcome');
    const welcome = client.texts('welcome')[0]!;
    client.close();
    const whep = await fetch(`http://127.0.0.1:${server.port}/whep`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: await recvonlyOffer() });
    expect(whep.status).toBe(201);
    const resource = whep.headers.get('location')!;
    const [, username, credential] = /username="([^"]+)"; credential="([^"]+)"/.exec(whep.headers.get('link') ?? '') ?? [];
    await fetch(`http://127.0.0.1:${server.port}${resource}`, { method: 'DELETE' });

    const fromWelcome = welcome.iceServers[0]!;
    expect(fromWelcome.username).not.toContain(welcome.session);
    expect(username).not.toContain(resource.split('/').pop());
    for (const [user, password] of [[fromWelcome.username!, fromWelcome.credential!], [username!, credential!]]) {
      expect(await turnAllocate(coturn.port, user!, password!), await coturn.log()).toMatchObject({ ok: true });
    }
  });
});

describe('TURN settings from the command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'avatar-turn-args-'));
    await writeFile(join(dir, 'secret'), 'from-a-file\n');
    await writeFile(join(dir, 'empty'), '\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const urls = ['turn:10.0.0.1:3478?transport=tcp', 'turns:turn.example.com:443'];

  it('takes the secret from the environment or a file, and the TTL in seconds', () => {
    expect(turnConfigFromArgs({ urls }, { AVATAR_TURN_SECRET: 'env-secret' })).toEqual({ secret: 'env-secret', urls, ttlSeconds: 86_400 });
    expect(turnConfigFromArgs({ urls, secretFile: join(dir, 'secret'), ttl: '600' }, {})).toEqual({ secret: 'from-a-file', urls, ttlSeconds: 600 });
    expect(turnConfigFromArgs({ urls: [] }, {})).toBeUndefined();
  });

  it.each<[TurnArgs, NodeJS.ProcessEnv, RegExp]>([
    [{ urls }, {}, /needs a secret/],
    [{ urls: [] }, { AVATAR_TURN_SECRET: 'x' }, /no --turn-url/],
    [{ urls: ['http://turn.example'] }, { AVATAR_TURN_SECRET: 'x' }, /bad --turn-url/],
    [{ urls, ttl: '0' }, { AVATAR_TURN_SECRET: 'x' }, /bad --turn-ttl/],
    [{ urls, ttl: '1.5' }, { AVATAR_TURN_SECRET: 'x' }, /bad --turn-ttl/],
    [{ urls, secretFile: '/nonexistent/secret' }, {}, /cannot read --turn-secret-file/],
    [{ urls, secretFile: 'EMPTY' }, {}, /is empty/],
    [{ urls, secretFile: 'SECRET' }, { AVATAR_TURN_SECRET: 'x' }, /not both/],
  ])('refuses %j with a clear error', (args, env, message) => {
    const resolved = { ...args, secretFile: args.secretFile?.replace('EMPTY', join(dir, 'empty')).replace('SECRET', join(dir, 'secret')) };
    expect(() => turnConfigFromArgs(resolved, env)).toThrow(TurnConfigError);
    expect(() => turnConfigFromArgs(resolved, env)).toThrow(message);
  });
});

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import type { AvatarServer } from '../../../server/avatar-server.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { MseClient } from './mse-client.js';
import { BROWSER_AUDIO_CODECS, BROWSER_VIDEO_CODECS } from './whep-offer.js';

const SECRET = 'ice-restart-test-secret';
const iceUfrag = (sdp: string) => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
const icePwd = (sdp: string) => /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];

/** The browser's side of the negotiation, by werift; only descriptions are made: no ICE runs on this host. */
async function answerTo(offerSdp: string): Promise<{ sdp: string; close(): Promise<void> }> {
  const pc = new RTCPeerConnection({ iceServers: [], codecs: { video: BROWSER_VIDEO_CODECS, audio: BROWSER_AUDIO_CODECS } });
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  const answer = await pc.createAnswer();
  return { sdp: answer.sdp, close: () => pc.close() };
}

describe('avatar protocol: TURN credentials in welcome, and ICE restart', () => {
  let media: MediaDir;
  let server: AvatarServer;

  beforeAll(async () => {
    media = await makeMediaDir();
    server = await startTestAvatarServer(media.dir, { turn: { secret: SECRET, urls: ['turn:127.0.0.1:3478?transport=tcp'], ttlSeconds: 120 } });
  });

  afterAll(async () => {
    await server?.close();
    await media?.cleanup();
  });

  it('gives every session its own fresh TURN credential, named for the session', async () => {
    const [a, b] = await Promise.all([MseClient.connect(server.wsUrl, { type: 'hello', transport: 'webrtc' }), MseClient.connect(server.wsUrl)]);
    await a.waitFor(() => a.texts('welcome').length === 1, 'welcome a');
    await b.waitFor(() => b.texts('welcome').length === 1, 'welcome b');
    const welcomes = [a.texts('welcome')[0]!, b.texts('welcome')[0]!];
    for (const welcome of welcomes) {
      const [turn] = welcome.iceServers;
      expect(turn!.urls).toEqual(['turn:127.0.0.1:3478?transport=tcp']);
      const [expiry, user] = turn!.username!.split(':');
      expect(user).toBe(welcome.session);
      expect(Math.abs(Number(expiry) - (Date.now() / 1000 + 120))).toBeLessThan(5);
      expect(turn!.credential).toBe(createHmac('sha1', SECRET).update(turn!.username!).digest('base64'));
    }
    expect(welcomes[0]!.iceServers[0]!.username).not.toBe(welcomes[1]!.iceServers[0]!.username);
    a.close();
    b.close();
  });

  it('refuses ice-restart in an MSE session and before the first answer, without ending the session', async () => {
    const mse = await MseClient.connect(server.wsUrl);
    await mse.waitFor(() => mse.texts('welcome').length === 1, 'welcome');
    mse.send({ v: 1, type: 'ice-restart' });
    await mse.waitFor(() => mse.texts('error').length === 1, 'an error');
    expect(mse.texts('error')[0]).toMatchObject({ code: 'out-of-order', fatal: false });

    const early = await MseClient.connect(server.wsUrl, { v: 1, type: 'hello', transport: 'webrtc' });
    await early.waitFor(() => early.texts('offer').length === 1, 'the offer');
    early.send({ v: 1, type: 'ice-restart' });
    await early.waitFor(() => early.texts('error').length === 1, 'an error');
    expect(early.texts('error')[0]).toMatchObject({ code: 'out-of-order', fatal: false });
    early.send({ v: 1, type: 'ping', id: 1, t0: 0 });
    await early.waitFor(() => early.texts('pong').length === 1, 'a pong: the session goes on');
    mse.close();
    early.close();
  });

  it('answers ice-restart with a new offer with fresh ICE credentials, and accepts its answer', async () => {
    const client = await MseClient.connect(server.wsUrl, { v: 1, type: 'hello', transport: 'webrtc' });
    await client.waitFor(() => client.texts('offer').length === 1, 'the offer');
    const first = client.texts('offer')[0]!.sdp;
    const firstAnswer = await answerTo(first);
    client.send({ v: 1, type: 'answer', sdp: firstAnswer.sdp });
    client.send({ v: 1, type: 'ice-restart' });
    await client.waitFor(() => client.texts('offer').length === 2, 'the restart offer');
    const restart = client.texts('offer')[1]!.sdp;
    expect(iceUfrag(restart)).toBeTruthy();
    expect(iceUfrag(restart)).not.toBe(iceUfrag(first));
    expect(icePwd(restart)).not.toBe(icePwd(first));
    expect(restart).toMatch(/^a=candidate:.* generation 1/m);
    expect(restart.match(/^a=msid:(\S+) /gm)).toHaveLength(2);
    expect(restart).not.toMatch(/^m=\w+ 0 /m);

    client.send({ v: 1, type: 'ice-restart' });
    await client.waitFor(() => client.texts('error').length === 1, 'an error: the restart offer is not answered yet');
    expect(client.texts('error')[0]).toMatchObject({ code: 'out-of-order', fatal: false });

    const restartAnswer = await answerTo(restart);
    client.send({ v: 1, type: 'answer', sdp: restartAnswer.sdp });
    client.send({ v: 1, type: 'ice-restart' });
    await client.waitFor(() => client.texts('offer').length === 3, 'a second restart offer');
    expect(iceUfrag(client.texts('offer')[2]!.sdp)).not.toBe(iceUfrag(restart));
    expect(client.texts('error')).toHaveLength(1);
    await Promise.all([firstAnswer.close(), restartAnswer.close()]);
    client.close();
  });
});

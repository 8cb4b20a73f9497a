import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import type { AvatarServer } from '../../../server/avatar-server.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { MseClient } from './mse-client.js';
import { BROWSER_AUDIO_CODECS, BROWSER_VIDEO_CODECS } from './whep-offer.js';

const SECRET = 'ice-restart-test-secret';
/**
 * Short stand-ins for the server's 8 s (no RTCP = path lost) and 15 s (wait for an ICE restart). The silence
 * limit stays above werift's receiver-report interval (0.5 to 1.5 s, random), so a live peer is never lost.
 */
const TIMING = { silenceLimitMs: 2_000, restartWaitMs: 600 };
const iceUfrag = (sdp: string) => /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
const icePwd = (sdp: string) => /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];

/** The browser's side of the negotiation, by werift; only descriptions are made: no ICE runs. */
async function answerTo(offerSdp: string): Promise<{ sdp: string; close(): Promise<void> }> {
  const pc = new RTCPeerConnection({ iceServers: [], codecs: { video: BROWSER_VIDEO_CODECS, audio: BROWSER_AUDIO_CODECS } });
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  const answer = await pc.createAnswer();
  return { sdp: answer.sdp, close: () => pc.close() };
}

/**
 * A werift "browser" that really connects, over 127.0.0.1 only: it binds there, and it is given only the
 * server's 127.0.0.1 candidate (the ICE-lite server answers its checks from where they come).
 */
async function loopbackPeer(offerSdp: string): Promise<{ pc: RTCPeerConnection; sdp: string; firstRtp: Promise<void> }> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: { video: BROWSER_VIDEO_CODECS, audio: BROWSER_AUDIO_CODECS },
  });
  const firstRtp = new Promise<void>((resolve) => pc.onTrack.subscribe((track) => track.onReceiveRtp.once(() => resolve())));
  const loopbackOnly = offerSdp.replace(/^a=candidate:(?!.* 127\.0\.0\.1 ).*\r?\n/gm, '');
  expect(loopbackOnly).toMatch(/^a=candidate:.* 127\.0\.0\.1 /m);
  expect(loopbackOnly).not.toMatch(/^a=candidate:(?!.* 127\.0\.0\.1 )/m);
  await pc.setRemoteDescription({ type: 'offer', sdp: loopbackOnly });
  await pc.setLocalDescription(await pc.createAnswer());
  return { pc, sdp: pc.localDescription!.sdp.replace(/^a=candidate:.*\r?\n/gm, ''), firstRtp };
}

let media: MediaDir;
beforeAll(async () => {
  media = await makeMediaDir();
});
afterAll(() => media?.cleanup());

describe('avatar protocol: TURN credentials in welcome, and ICE restart', () => {
  let server: AvatarServer;

  beforeAll(async () => {
    server = await startTestAvatarServer(media.dir, { turn: { secret: SECRET, urls: ['turn:127.0.0.1:3478?transport=tcp'], ttlSeconds: 120 } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('gives every session its own fresh TURN credential, whose username does not name the session', async () => {
    const [a, b] = await Promise.all([MseClient.connect(server.wsUrl, { type: 'hello', transport: 'webrtc' }), MseClient.connect(server.wsUrl)]);
    await a.waitFor(() => a.texts('welcome').length === 1, 'welcome a');
    await b.waitFor(() => b.texts('welcome').length === 1, 'welcome b');
    const welcomes = [a.texts('welcome')[0]!, b.texts('welcome')[0]!];
    for (const welcome of welcomes) {
      const [turn] = welcome.iceServers;
      expect(turn!.urls).toEqual(['turn:127.0.0.1:3478?transport=tcp']);
      const [expiry, user] = turn!.username!.split(':');
      expect(user).toMatch(/^[\w-]{12}$/);
      expect(turn!.username).not.toContain(welcome.session);
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

describe('avatar protocol: when the server gives up on a lost WebRTC path (short timing)', () => {
  let server: AvatarServer;

  beforeAll(async () => {
    server = await startTestAvatarServer(media.dir, { announcedAddresses: ['127.0.0.1'], iceTiming: TIMING });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('an ICE restart that never connects is given up after restartWaitMs', async () => {
    const client = await MseClient.connect(server.wsUrl, { v: 1, type: 'hello', transport: 'webrtc' });
    await client.waitFor(() => client.texts('offer').length === 1, 'the offer');
    const first = await answerTo(client.texts('offer')[0]!.sdp);
    client.send({ v: 1, type: 'answer', sdp: first.sdp });
    const restartAskedAt = Date.now(); // the server arms its timer when the request arrives, i.e. later
    client.send({ v: 1, type: 'ice-restart' });
    await client.waitFor(() => client.texts('offer').length === 2, 'the restart offer');
    const restart = await answerTo(client.texts('offer')[1]!.sdp);
    client.send({ v: 1, type: 'answer', sdp: restart.sdp });
    expect(await client.closed).toBe(1011);
    const elapsed = Date.now() - restartAskedAt;
    expect(client.texts('error')).toEqual([expect.objectContaining({ code: 'internal', fatal: true, message: 'the ICE restart did not connect within 0.6 s' })]);
    expect(elapsed).toBeGreaterThanOrEqual(TIMING.restartWaitMs);
    expect(elapsed).toBeLessThan(TIMING.restartWaitMs + 2_000);
    await Promise.all([first.close(), restart.close()]);
  });

  it('a connected browser that goes silent is lost after silenceLimitMs, and given up restartWaitMs later', async () => {
    const client = await MseClient.connect(server.wsUrl, { v: 1, type: 'hello', transport: 'webrtc' });
    await client.waitFor(() => client.texts('offer').length === 1, 'the offer');
    const browser = await loopbackPeer(client.texts('offer')[0]!.sdp);
    client.send({ v: 1, type: 'answer', sdp: browser.sdp });
    let noRtp: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, reject) => (noRtp = setTimeout(() => reject(new Error('no RTP over loopback within 10 s')), 10_000)));
    await Promise.race([browser.firstRtp, timeout]).finally(() => clearTimeout(noRtp));
    // Connected and receiving, with RTCP going back: more than silenceLimitMs pass without the session ending.
    await new Promise((resolve) => setTimeout(resolve, TIMING.silenceLimitMs + TIMING.restartWaitMs));
    expect(client.texts('error')).toEqual([]);

    const silentAt = Date.now();
    await browser.pc.close();
    expect(await client.closed).toBe(1011);
    const elapsed = Date.now() - silentAt;
    expect(client.texts('error')).toEqual([expect.objectContaining({ code: 'internal', fatal: true, message: 'WebRTC lost its path (no RTCP from the browser) and no ICE restart brought it back' })]);
    expect(elapsed).toBeGreaterThanOrEqual(TIMING.restartWaitMs);
    expect(elapsed).toBeLessThan(TIMING.silenceLimitMs + TIMING.restartWaitMs + 2_000);
  });
});

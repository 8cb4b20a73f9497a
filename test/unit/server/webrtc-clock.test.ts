import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvatarServer } from '../../../server/avatar-server.js';
import type { ClockMessage } from '../../../src/protocol.js';
import { startTestAvatarServer } from '../../fixtures/avatar-server.js';
import { makeGoodClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';
import { watchOverWebRtc } from './webrtc-peer.js';

const RTP_WRAP = 2 ** 32;
/** RTP time from `from` to `to`, in seconds, across a 32-bit wrap. */
const rtpSeconds = (from: number, to: number, rate: number) => (((to - from) % RTP_WRAP) + RTP_WRAP) % RTP_WRAP / rate;

describe('clock samples in a WebRTC session', () => {
  let media: MediaDir;
  let server: AvatarServer;

  beforeAll(async () => {
    media = await makeMediaDir();
    await makeGoodClip(media.dir, { name: 'idle.mp4', seconds: 2 });
    server = await startTestAvatarServer(media.dir, { clipsDir: media.dir });
  });

  afterAll(async () => {
    await server?.close();
    await media?.cleanup();
  });

  it('carry the RTP timestamps that pts has on this viewer’s tracks, from the first frame on, about once a second', async () => {
    const viewer = await watchOverWebRtc(server.wsUrl);
    try {
      const { client, rtp } = viewer;
      await client.waitFor(() => client.texts('clock').length >= 3, 'three clock samples', 15_000);
      const clocks = client.timedTexts('clock');
      const first = clocks[0]!.message as Required<ClockMessage>;
      const video = rtp.filter((p) => p.kind === 'video');
      const audio = rtp.filter((p) => p.kind === 'audio');
      // The first sample goes with the first frame sent: its keyframe, whose packets carry exactly that timestamp.
      expect(first.rtp).toBeDefined();
      expect(video[0]!.timestamp).toBe(first.rtp.video);
      // Every packet's timestamp is a pts on the same line: audio packets 20 ms apart, video frames on the 25 fps grid.
      for (const packet of audio.slice(0, 50)) {
        const pts = first.pts + rtpSeconds(first.rtp.audio, packet.timestamp, 48000);
        expect(Math.abs(pts * 50 - Math.round(pts * 50))).toBeLessThan(0.01);
      }
      for (const { message } of clocks.slice(1)) {
        const clock = message as Required<ClockMessage>;
        const elapsed = clock.pts - first.pts;
        expect(rtpSeconds(first.rtp.video, clock.rtp.video, 90000)).toBeCloseTo(elapsed, 4);
        expect(rtpSeconds(first.rtp.audio, clock.rtp.audio, 48000)).toBeCloseTo(elapsed, 4);
        expect(clock.time - first.time).toBeCloseTo(elapsed * 1000, 6);
      }
      const gaps = clocks.slice(1).map((c, i) => c.message.pts - clocks[i]!.message.pts);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1);
      for (const gap of gaps) expect(gap).toBeLessThan(1.1);
      // `time` is when the sample left: the message arrives right after, on loopback.
      for (const { at, message } of clocks) expect(Math.abs(at - message.time)).toBeLessThan(150);
    } finally {
      await viewer.close();
    }
  });
});

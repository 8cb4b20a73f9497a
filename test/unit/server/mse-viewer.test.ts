import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClockMessage, SkipMessage } from '../../../src/protocol.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { createLogger } from '../../../server/log.js';
import { MseViewer, type MseConnection } from '../../../server/outputs/mse/mse-viewer.js';
import { ClipQueue } from '../../../server/playout/clip-queue.js';
import { Playout } from '../../../server/playout/playout.js';
import { Timeline } from '../../../server/playout/timeline.js';
import { makeGoodClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';

/** The viewer's side of a socket that reads everything at once: it records what was sent. */
class RecordingConnection implements MseConnection {
  readonly bufferedAmount = 0;
  readonly media: Uint8Array[] = [];
  readonly messages: (ClockMessage | SkipMessage)[] = [];
  sendMedia(bytes: Uint8Array): void {
    this.media.push(bytes);
  }
  sendMessage(message: ClockMessage | SkipMessage): void {
    this.messages.push(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MseViewer on a real playout', () => {
  let media: MediaDir;
  let playout: Playout;

  beforeAll(async () => {
    media = await makeMediaDir();
    const clip = await loadClip(await makeGoodClip(media.dir, { seconds: 1 }), { cacheDir: media.dir });
    playout = new Playout(new Timeline(new ClipQueue({ idle: clip })), (error) => {
      throw error;
    });
    playout.start();
  });

  afterAll(async () => {
    playout?.stop();
    await media?.cleanup();
  });

  it('sends nothing more once closed', async () => {
    const connection = new RecordingConnection();
    const viewer = new MseViewer(playout, connection, {}, createLogger('error'));
    viewer.start();
    await sleep(700); // at most one 0.48 s GOP before the first keyframe
    viewer.close();
    const sent = connection.media.length;
    expect(sent).toBeGreaterThan(5);
    await sleep(300);
    expect(connection.media).toHaveLength(sent);
  });
});

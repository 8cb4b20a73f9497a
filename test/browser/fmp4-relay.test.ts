// Proves the fMP4 relay plumbing that mse-src.test.ts stands on: the page reaches the run's relay, a stream
// arrives as its options say, and every stream is media that Chromium's own MediaSource takes as it is, so
// that a failure in mse-src.test.ts is the player's, not the test media's. No player here.
import { fmp4Relay, fmp4Url, type Fmp4Variant } from './env.js';
import { assert } from './helpers.js';

/** What each variant holds, as MediaSource wants it declared (Chromium checks the codec family, not the level). */
const VARIANTS: Record<Fmp4Variant, { codecs: string; width: number }> = {
  'h264-aac': { codecs: 'avc1.42C00D,mp4a.40.2', width: 320 },
  bframes: { codecs: 'avc1.64000D,mp4a.40.2', width: 320 },
  opus: { codecs: 'avc1.42C00D,opus', width: 320 },
  'aac-44k': { codecs: 'avc1.42C00D,mp4a.40.2', width: 320 },
  '720p': { codecs: 'avc1.42C01F,mp4a.40.2', width: 1280 },
  'video-only': { codecs: 'avc1.42C00D', width: 320 },
  'resolution-change': { codecs: 'avc1.42C01E,mp4a.40.2', width: 320 },
  'small-fragments': { codecs: 'avc1.42C00D,mp4a.40.2', width: 320 },
};

interface Received {
  binary: Uint8Array[];
  texts: string[];
}

/** Every message from `url` during `ms` after it opened. */
function receive(url: string, ms: number): Promise<Received> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    const received: Received = { binary: [], texts: [] };
    const guard = setTimeout(() => reject(new Error(`${url}: not open within 5 s`)), 5_000);
    socket.onopen = () => {
      clearTimeout(guard);
      setTimeout(() => {
        socket.close();
        resolve(received);
      }, ms);
    };
    socket.onerror = () => reject(new Error(`${url}: WebSocket error`));
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') received.texts.push(event.data);
      else if (event.data instanceof ArrayBuffer) received.binary.push(new Uint8Array(event.data));
    };
  });
}

/** Appends `bytes` to a fresh MediaSource; resolves with the end of what got buffered and the video's width. */
async function appendAsIs(bytes: ArrayBuffer, type: string): Promise<{ bufferedEnd: number; width: number }> {
  const video = document.createElement('video');
  const mediaSource = new MediaSource();
  video.src = URL.createObjectURL(mediaSource);
  document.body.append(video);
  try {
    await new Promise((resolve) => mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    const sourceBuffer = mediaSource.addSourceBuffer(type);
    await new Promise<void>((resolve, reject) => {
      sourceBuffer.onupdateend = () => resolve();
      sourceBuffer.onerror = () => reject(new Error(`${type}: the SourceBuffer refused the bytes (${video.error?.message ?? 'no detail'})`));
      sourceBuffer.appendBuffer(bytes);
    });
    if (video.readyState < HTMLMediaElement.HAVE_METADATA) {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${type}: no loadedmetadata within 2 s`)), 2_000);
        video.addEventListener('loadedmetadata', () => resolve(clearTimeout(timer)), { once: true });
      });
    }
    const { buffered } = sourceBuffer;
    return { bufferedEnd: buffered.length > 0 ? buffered.end(buffered.length - 1) : 0, width: video.videoWidth };
  } finally {
    URL.revokeObjectURL(video.src);
    video.remove();
  }
}

describe('the fMP4 relay for mse-src tests', () => {
  it('serves every variant', async () => {
    const { variants } = await fmp4Relay();
    assert([...variants].sort().join() === Object.keys(VARIANTS).sort().join(), `variants ${variants.join()}`);
  });

  it('sends a stream from its ftyp in 7, 1000, 3, 4093, 1 byte messages with chunks=odd, text messages as strings', async () => {
    const received = await receive(await fmp4Url('h264-aac', { chunks: 'odd', textEveryMs: 100 }), 350);
    const sizes = received.binary.slice(0, 7).map((message) => message.length);
    // The init (ftyp + moov, about 1.2 kB) ends inside the 4093-byte turn; the first fragment goes on with the next.
    const [a, b, c, initEnd, ...rest] = sizes;
    assert([a, b, c].join() === '7,1000,3' && initEnd! < 4093 && rest.join() === '1,7,1000', `first message sizes ${sizes.join()}`);
    const head = new TextDecoder().decode(received.binary[0]!.subarray(4, 7)) + new TextDecoder().decode(received.binary[1]!.subarray(0, 1));
    assert(head === 'ftyp', `the stream starts with ${JSON.stringify(head)}`);
    assert(received.texts.length >= 2, `${received.texts.length} text messages in 350 ms`);
    const first = JSON.parse(received.texts[0]!) as { type?: unknown };
    assert(first.type === 'metadata', `text message ${received.texts[0]}`);
  });

  it("every stream's bytes go into Chromium's own MediaSource as they are", async () => {
    const { httpUrl } = await fmp4Relay();
    for (const [variant, { codecs, width }] of Object.entries(VARIANTS)) {
      const type = `video/mp4; codecs="${codecs}"`;
      assert(MediaSource.isTypeSupported(type), `${variant}: ${type} is not supported`);
      const bytes = await (await fetch(`${httpUrl}/fmp4/${variant}.mp4`, { cache: 'no-store' })).arrayBuffer();
      const result = await appendAsIs(bytes, type);
      // resolution-change's second part restarts at t=0 and, appended as is, overwrites the first 3 s.
      assert(result.bufferedEnd >= 2.9, `${variant}: buffered to ${result.bufferedEnd.toFixed(2)} s`);
      if (variant !== 'resolution-change') assert(result.width === width, `${variant}: ${result.width} wide, not ${width}`);
    }
  });
});

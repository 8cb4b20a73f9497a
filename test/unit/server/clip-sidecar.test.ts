import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClipSidecar, readClipSidecar } from '../../../server/cues/clip-sidecar.js';
import { SidecarError } from '../../../server/cues/sidecar-error.js';
import { loadClip } from '../../../server/clips/load-clip.js';
import { makeGoodClip, makeMediaDir, type MediaDir } from '../../fixtures/media.js';

function sidecarError(text: string, duration = 2): SidecarError {
  try {
    parseClipSidecar(text, duration, 'talk.json');
  } catch (error) {
    if (error instanceof SidecarError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('clip sidecar (<name>.json)', () => {
  it('reads captions and application cues, sorted by time, ignoring unknown fields', () => {
    const cues = parseClipSidecar(
      JSON.stringify({
        captions: [
          { start: 1, end: 1.5, text: 'second' },
          { start: 0, end: 1, text: 'first', style: 'ignored' },
        ],
        cues: [{ at: 0.5, data: { look: 'left', __proto__: { polluted: true } } }, { at: 0.1, data: null }],
        generator: 'ignored',
      }),
      2,
    );
    expect(cues.captions).toEqual([
      { start: 0, end: 1, text: 'first' },
      { start: 1, end: 1.5, text: 'second' },
    ]);
    expect(cues.app).toEqual([
      { at: 0.1, data: null },
      { at: 0.5, data: { look: 'left' } },
    ]);
    expect(Object.getPrototypeOf(cues.app[1]!.data)).toBe(Object.prototype);
  });

  it('makes `text` alone one caption for the whole clip', () => {
    expect(parseClipSidecar('{"text":"Hello there."}', 1.75)).toEqual({ captions: [{ start: 0, end: 1.75, text: 'Hello there.' }], app: [] });
  });

  it('clamps to the clip: captions cut at its end, cues and captions past it dropped', () => {
    const cues = parseClipSidecar(
      JSON.stringify({
        captions: [
          { start: 1.5, end: 9, text: 'runs over' },
          { start: 2, end: 3, text: 'after the end' },
        ],
        cues: [{ at: 1.99, data: 1 }, { at: 2.5, data: 2 }],
      }),
      2,
    );
    expect(cues.captions).toEqual([{ start: 1.5, end: 2, text: 'runs over' }]);
    expect(cues.app).toEqual([{ at: 1.99, data: 1 }]);
  });

  it.each([
    ['not JSON', '{"text":', 'bad-json', /not JSON/],
    ['not an object', '[1,2]', 'bad-sidecar', /the sidecar must be a JSON object/],
    ['text and captions', '{"text":"a","captions":[]}', 'bad-sidecar', /either "text" or "captions"/],
    ['empty text', '{"text":""}', 'bad-sidecar', /text must be a string of 1 to 2000/],
    ['text too long', JSON.stringify({ text: 'x'.repeat(2001) }), 'bad-sidecar', /text must be a string/],
    ['captions not an array', '{"captions":{}}', 'bad-sidecar', /captions must be an array of at most 500/],
    ['too many captions', JSON.stringify({ captions: Array.from({ length: 501 }, (_, i) => ({ start: i / 1000, end: 1, text: 'x' })) }), 'bad-sidecar', /at most 500/],
    ['negative start', '{"captions":[{"start":-1,"end":1,"text":"x"}]}', 'bad-sidecar', /captions\[0\]\.start must be a finite number/],
    ['end before start', '{"captions":[{"start":1,"end":1,"text":"x"}]}', 'bad-sidecar', /captions\[0\]\.end must be after start/],
    ['start as a string', '{"captions":[{"start":"0","end":1,"text":"x"}]}', 'bad-sidecar', /captions\[0\]\.start/],
    ['caption without text', '{"captions":[{"start":0,"end":1}]}', 'bad-sidecar', /captions\[0\]\.text/],
    ['cue without data', '{"cues":[{"at":0}]}', 'bad-sidecar', /cues\[0\]\.data must be present/],
    ['cue data too large', JSON.stringify({ cues: [{ at: 0, data: 'x'.repeat(8192) }] }), 'bad-sidecar', /cues\[0\]\.data must be at most 8192 bytes/],
    ['cue data too deep', `{"cues":[{"at":0,"data":${'['.repeat(40)}${']'.repeat(40)}}]}`, 'bad-sidecar', /nested at most 32/],
    ['too many cues', JSON.stringify({ cues: Array.from({ length: 501 }, () => ({ at: 0, data: 0 })) }), 'bad-sidecar', /cues must be an array of at most 500/],
  ])('refuses %s with a clear message', (_, text, code, message) => {
    const error = sidecarError(text);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('talk.json');
  });

  describe('with real clips', () => {
    let media: MediaDir;
    let clipPath: string;
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (message: string) => warnings.push(message) };

    beforeAll(async () => {
      media = await makeMediaDir();
      clipPath = await makeGoodClip(media.dir, { name: 'talk.mp4', seconds: 1 });
    });

    afterAll(() => media?.cleanup());

    it('a missing sidecar is normal: the clip has no cues and nothing is logged', async () => {
      expect(await readClipSidecar(join(media.dir, 'none.mp4'), 1)).toBeUndefined();
      warnings.length = 0;
      const clip = await loadClip(clipPath, { cacheDir: media.dir, log });
      expect(clip.cues).toBeUndefined();
      expect(warnings).toEqual([]);
    });

    it('a good sidecar comes with the clip, clamped to the clip’s length', async () => {
      await writeFile(join(media.dir, 'talk.json'), JSON.stringify({ text: 'All of it.', cues: [{ at: 0.5, data: { n: 1 } }, { at: 1.2, data: 2 }] }));
      const clip = await loadClip(clipPath, { cacheDir: media.dir, log });
      expect(clip.duration).toBeCloseTo(1, 1);
      expect(clip.cues).toEqual({ captions: [{ start: 0, end: clip.duration, text: 'All of it.' }], app: [{ at: 0.5, data: { n: 1 } }] });
    });

    it('a bad sidecar is logged and the clip plays without cues', async () => {
      await writeFile(join(media.dir, 'talk.json'), '{"captions":[{"start":2,"end":1,"text":"backwards"}]}');
      warnings.length = 0;
      const clip = await loadClip(clipPath, { cacheDir: media.dir, log });
      expect(clip.cues).toBeUndefined();
      expect(clip.videoSamples.length).toBeGreaterThan(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/talk\.mp4 plays without cues: .*talk\.json: captions\[0\]\.end must be after start \(bad-sidecar\)/);
    });
  });
});

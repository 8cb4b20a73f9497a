import { describe, expect, it } from 'vitest';
import type { Clip } from '../../../server/clips/clip.js';
import type { ClipCues } from '../../../server/cues/clip-cues.js';
import { CueScheduler } from '../../../server/cues/cue-scheduler.js';
import { ClipQueue } from '../../../server/playout/clip-queue.js';
import { DECODER_RESET_SAMPLES } from '../../../server/playout/opus-packet.js';
import { Timeline, type TimelineSample } from '../../../server/playout/timeline.js';
import type { CueMessage } from '../../../src/protocol.js';

const PRE_SKIP = 312;

/** Sample tables shaped like real clips (25 fps, 0.48 s GOP, 20 ms Opus packets), with sidecar cues. */
function clipOf(name: string, seconds: number, cues?: ClipCues): Clip {
  const frames = Math.round(seconds * 25);
  const packets = Math.round(seconds / 0.02);
  return {
    name,
    path: `/clips/${name}.mp4`,
    video: { codec: 'avc1.42c01f', width: 320, height: 240, sps: [], pps: [], avcC: new Uint8Array() },
    audio: { codec: 'opus', sampleRate: 48000, channels: 1, preSkip: PRE_SKIP },
    videoSamples: Array.from({ length: frames }, (_, i) => ({ data: Uint8Array.of(i), time: i / 25, duration: 1 / 25, keyframe: i % 12 === 0 })),
    // A real Opus TOC (CELT, fullband, 20 ms): the timeline reads how long each packet decodes from it.
    audioSamples: Array.from({ length: packets }, (_, i) => ({ data: Uint8Array.of(0xf8, i % 256), time: i * 0.02, duration: 0.02 })),
    duration: packets * 0.02,
    ...(cues ? { cues } : {}),
  };
}

type Event = { kind: 'sample'; sample: TimelineSample } | { kind: 'cue'; cue: CueMessage };

/** Runs a timeline with a cue scheduler, recording samples and cues in the order they come out. */
function run(queue: ClipQueue, seconds: number, onPosition?: (position: number) => void): Event[] {
  const events: Event[] = [];
  const timeline = new Timeline(queue, new CueScheduler((cue) => events.push({ kind: 'cue', cue }), 'test'));
  for (let i = 0; timeline.position < seconds && i < 100_000; i++) {
    onPosition?.(timeline.position);
    events.push({ kind: 'sample', sample: timeline.next() });
  }
  return events;
}

const cuesOf = (events: Event[]) => events.flatMap((e) => (e.kind === 'cue' ? [e.cue] : []));
const samplesOf = (events: Event[]) => events.flatMap((e) => (e.kind === 'sample' ? [e.sample] : []));
const firstVideoOf = (events: Event[], clipSequence: number) =>
  samplesOf(events).find((s) => s.kind === 'video' && s.clipSequence === clipSequence)!;
const indexOfFirstSample = (events: Event[], clipSequence: number) => events.findIndex((e) => e.kind === 'sample' && e.sample.clipSequence === clipSequence);

const idle = clipOf('idle', 2);

describe('cues made from the playout timeline', () => {
  it('gives speaking clips back to back one speech-start and one speech-end, at their first frames', () => {
    const queue = new ClipQueue({ idle });
    queue.enqueue(clipOf('a', 1.2));
    queue.enqueue(clipOf('b', 1.6));
    const events = run(queue, 6);
    const speech = cuesOf(events).filter((c) => c.kind === 'speech-start' || c.kind === 'speech-end');
    expect(speech.map((c) => [c.kind, c.id])).toEqual([
      ['speech-start', 'test:0:speech-start'],
      ['speech-end', 'test:1:speech-end'],
    ]);
    // The first clip opens the stream: its first frame is where the mouth starts to move.
    expect(speech[0]!.pts).toBe(firstVideoOf(events, 0).pts);
    // Speech ends with the first frame of the idle loop, which is where the last speaking frame stops being held.
    const idleFrame = firstVideoOf(events, 2);
    expect(idleFrame.clip).toBe(idle);
    expect(speech[1]!.pts).toBe(idleFrame.pts);
    const lastSpeakingFrame = samplesOf(events).filter((s) => s.kind === 'video' && s.clipSequence === 1).at(-1)!;
    expect(lastSpeakingFrame.pts + lastSpeakingFrame.duration).toBeCloseTo(speech[1]!.pts, 9);
    // Known as soon as the timeline splices to idle: before the idle loop's first sample is handed out.
    expect(events.findIndex((e) => e.kind === 'cue' && e.cue.kind === 'speech-end')).toBeLessThan(indexOfFirstSample(events, 2));
  });

  it('starts speech again after idle, and says nothing for idle loops alone', () => {
    const events = run(new ClipQueue({ idle, rotation: [clipOf('a', 1)] }), 7.5);
    const kinds = cuesOf(events).map((c) => `${c.kind}@${samplesOf(events).find((s) => s.pts === c.pts && s.kind === 'video')?.clip.name}`);
    expect(kinds).toEqual(['speech-start@a', 'speech-end@idle', 'speech-start@a', 'speech-end@idle']);
    expect(run(new ClipQueue({ idle }), 7).filter((e) => e.kind === 'cue')).toEqual([]);
  });

  it('shifts captions and application cues by where the clip starts, cut to its length, before its first sample', () => {
    const a = clipOf('a', 1.2);
    const b = clipOf('b', 1.6, {
      captions: [
        { start: 0, end: 0.5, text: 'one' },
        { start: 0.5, end: 9, text: 'two' },
      ],
      app: [{ at: 0.25, data: { gesture: 'nod', strength: [1, 2] } }],
    });
    const queue = new ClipQueue({ idle });
    queue.enqueue(a);
    queue.enqueue(b);
    const events = run(queue, 6);
    const origin = firstVideoOf(events, 1).pts;
    const next = firstVideoOf(events, 2).pts;
    const byId = new Map(cuesOf(events).map((c) => [c.id, c]));
    expect(byId.get('test:1:caption:0')).toMatchObject({ kind: 'caption', pts: origin, end: origin + 0.5, text: 'one', clip: 'b' });
    expect(byId.get('test:1:caption:1')).toMatchObject({ kind: 'caption', pts: origin + 0.5, text: 'two' });
    expect(byId.get('test:1:caption:1')!.end).toBeCloseTo(next, 9);
    expect(byId.get('test:1:app:0')).toMatchObject({ kind: 'app', pts: origin + 0.25, data: { gesture: 'nod', strength: [1, 2] } });
    // No speech-start between a and b: one utterance.
    expect(byId.has('test:1:speech-start')).toBe(false);
    const firstOfB = indexOfFirstSample(events, 1);
    for (const id of ['test:1:caption:0', 'test:1:caption:1', 'test:1:app:0']) {
      expect(events.findIndex((e) => e.kind === 'cue' && e.cue.id === id)).toBeLessThan(firstOfB);
    }
  });

  it('drops the cues of a cut idle loop past the cut and shortens its caption, releasing each as the timeline reaches it', () => {
    const captionedIdle = clipOf('idle', 3, {
      captions: [
        { start: 0.2, end: 0.6, text: 'before' },
        { start: 0.8, end: 2.5, text: 'across the cut' },
        { start: 1.5, end: 1.8, text: 'after' },
      ],
      app: [{ at: 2, data: 'late' }],
    });
    const queue = new ClipQueue({ idle: captionedIdle });
    let queued = false;
    // Queued at 0.5 s: the idle loop is cut at its next keyframe, 0.96 s.
    const events = run(queue, 4, (position) => {
      if (position < 0.5 || queued) return;
      queued = true;
      queue.enqueue(clipOf('talk', 1));
    });
    const cues = cuesOf(events).filter((c) => c.id.startsWith('test:0:'));
    const cut = firstVideoOf(events, 1).pts;
    expect(cut).toBeCloseTo((PRE_SKIP + DECODER_RESET_SAMPLES) / 48000 + 0.96, 9);
    expect(cues.map((c) => c.text ?? c.kind)).toEqual(['before', 'across the cut']);
    expect(cues[0]!.end).toBeCloseTo(PRE_SKIP / 48000 + 0.6, 9);
    expect(cues[1]!.end).toBeCloseTo(cut, 9);
    // Released with the sample at its pts, not before: the loop could still have been cut.
    for (const cue of cues) {
      const at = events.findIndex((e) => e.kind === 'cue' && e.cue.id === cue.id);
      const before = samplesOf(events.slice(0, at));
      expect(before.at(-1)!.pts).toBeGreaterThanOrEqual(cue.pts - 0.04);
    }
    expect(cuesOf(events).find((c) => c.kind === 'speech-start')!.pts).toBe(cut);
  });
});

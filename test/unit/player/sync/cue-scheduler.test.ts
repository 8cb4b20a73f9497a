import { describe, expect, it } from 'vitest';
import type { CueMessage } from '../../../../src/protocol.js';
import { CueScheduler, type CueWarning, type FiredCue } from '../../../../src/sync/cue-scheduler.js';

const FRAME = 0.04;

function app(id: string, pts: number): CueMessage {
  return { v: 1, type: 'cue', id, kind: 'app', pts, data: { id } };
}
function speech(id: string, kind: 'speech-start' | 'speech-end', pts: number): CueMessage {
  return { v: 1, type: 'cue', id, kind, pts };
}
function caption(id: string, pts: number, end: number, text: string): CueMessage {
  return { v: 1, type: 'cue', id, kind: 'caption', pts, end, text };
}

interface Seen {
  framePts: number;
  fired: FiredCue;
}

/** Displays frames from `from` up to (not including) `to`, one every 40 ms. */
function play(scheduler: CueScheduler, from: number, to: number): Seen[] {
  const seen: Seen[] = [];
  for (let i = 0; from + i * FRAME < to - 1e-9; i++) {
    const framePts = Math.round((from + i * FRAME) * 1e6) / 1e6;
    for (const fired of scheduler.onFrame(framePts, FRAME)) seen.push({ framePts, fired });
  }
  return seen;
}

function summary(seen: Seen[]): string[] {
  return seen.map(({ framePts, fired }) => {
    switch (fired.type) {
      case 'cue':
        return `${framePts.toFixed(2)} cue ${fired.cue.id}${fired.late ? ' late' : ''}`;
      case 'speech':
        return `${framePts.toFixed(2)} ${fired.speaking ? 'speaking' : 'silent'}${fired.late ? ' late' : ''}`;
      case 'caption':
        return `${framePts.toFixed(2)} caption ${fired.text === null ? '-' : JSON.stringify(fired.text)}`;
    }
  });
}

describe('CueScheduler', () => {
  it('fires an early cue on the first frame at or after its pts, not before', () => {
    const scheduler = new CueScheduler();
    scheduler.add(app('a', 1.0));
    scheduler.add(app('b', 1.0105));
    expect(summary(play(scheduler, 0.8, 1.2))).toEqual(['1.00 cue a', '1.04 cue b']);
  });

  it('fires within 1 ms before its pts (frame pts rounding), never earlier', () => {
    const scheduler = new CueScheduler();
    scheduler.add(app('a', 1.0009));
    scheduler.add(app('b', 1.0011));
    expect(scheduler.onFrame(1.0, FRAME).map((fired) => fired.type === 'cue' && fired.cue.id)).toEqual(['a']);
  });

  it('fires a late cue on the next frame, flagged late', () => {
    const scheduler = new CueScheduler();
    play(scheduler, 0, 2);
    scheduler.add(app('late', 1.5));
    const fired = scheduler.onFrame(2.0, FRAME);
    expect(fired).toEqual([{ type: 'cue', cue: app('late', 1.5), late: true }]);
  });

  it('flags a cue late when the display skipped past its frame', () => {
    const scheduler = new CueScheduler();
    scheduler.add(app('a', 1.0));
    scheduler.onFrame(0.96, FRAME);
    expect(scheduler.onFrame(1.5, FRAME)).toEqual([{ type: 'cue', cue: app('a', 1.0), late: true }]);
  });

  it('fires a duplicate once, whenever it comes again', () => {
    const scheduler = new CueScheduler();
    expect(scheduler.add(app('x', 1))).toBe('queued');
    expect(scheduler.add(app('x', 1))).toBe('duplicate');
    const seen = play(scheduler, 0.92, 1.1);
    expect(scheduler.add(app('x', 1))).toBe('duplicate');
    seen.push(...play(scheduler, 1.1, 1.3));
    expect(summary(seen)).toEqual(['1.00 cue x']);
    expect(scheduler.stats().duplicates).toBe(2);
  });

  it('forgets ids beyond maxSeenIds, oldest first', () => {
    const scheduler = new CueScheduler({ maxSeenIds: 3 });
    for (const id of ['a', 'b', 'c', 'd']) scheduler.add(app(id, 5));
    expect(scheduler.add(app('d', 5))).toBe('duplicate');
    expect(scheduler.add(app('a', 5))).toBe('queued');
  });

  it('fires cues that arrived out of order in pts order', () => {
    const scheduler = new CueScheduler();
    scheduler.add(app('c', 1.2));
    scheduler.add(app('a', 1.0));
    scheduler.add(app('b', 1.08));
    scheduler.add(app('a2', 1.0));
    expect(summary(play(scheduler, 0.96, 1.3))).toEqual(['1.00 cue a', '1.00 cue a2', '1.08 cue b', '1.20 cue c']);
  });

  describe('speech', () => {
    it('reports start and end on their frames', () => {
      const scheduler = new CueScheduler();
      scheduler.add(speech('s', 'speech-start', 1));
      scheduler.add(speech('e', 'speech-end', 2.5));
      expect(summary(play(scheduler, 0.8, 3))).toEqual(['1.00 cue s', '1.00 speaking', '2.52 cue e', '2.52 silent']);
      expect(scheduler.isSpeaking).toBe(false);
    });

    it('does not start again while speaking, nor end while silent', () => {
      const scheduler = new CueScheduler();
      scheduler.add(speech('e0', 'speech-end', 0.5));
      scheduler.add(speech('s1', 'speech-start', 1));
      scheduler.add(speech('s2', 'speech-start', 1.5));
      scheduler.add(speech('e1', 'speech-end', 2));
      scheduler.add(speech('e2', 'speech-end', 2.5));
      const events = summary(play(scheduler, 0, 3)).filter((line) => !line.includes(' cue '));
      expect(events).toEqual(['1.00 speaking', '2.00 silent']);
    });

    it('does not flicker between back-to-back clips of one utterance', () => {
      const scheduler = new CueScheduler();
      // clip 1 [1, 2.2), clip 2 [2.2, 3.4): the server marks each clip
      scheduler.add(speech('1:start', 'speech-start', 1));
      scheduler.add(speech('2:start', 'speech-start', 2.2));
      scheduler.add(speech('1:end', 'speech-end', 2.2));
      scheduler.add(speech('2:end', 'speech-end', 3.4));
      const events = summary(play(scheduler, 0.96, 4)).filter((line) => !line.includes(' cue '));
      expect(events).toEqual(['1.00 speaking', '3.40 silent']);
    });

    it('bridges a gap up to speechMergeGapS between clips, not a longer pause', () => {
      const scheduler = new CueScheduler({ speechMergeGapS: 0.1 });
      scheduler.add(speech('1:start', 'speech-start', 1));
      scheduler.add(speech('1:end', 'speech-end', 2));
      scheduler.add(speech('2:start', 'speech-start', 2.08));
      scheduler.add(speech('2:end', 'speech-end', 3));
      scheduler.add(speech('3:start', 'speech-start', 3.2));
      scheduler.add(speech('3:end', 'speech-end', 4));
      const events = summary(play(scheduler, 0.96, 4.2)).filter((line) => !line.includes(' cue '));
      expect(events).toEqual(['1.00 speaking', '3.00 silent', '3.20 speaking', '4.00 silent']);
    });

    it('fires a late start that still matters, and drops one a later end made moot', () => {
      const scheduler = new CueScheduler();
      play(scheduler, 0, 1.2);
      scheduler.add(speech('s', 'speech-start', 1.0));
      expect(summary(play(scheduler, 1.2, 1.3))).toEqual(['1.20 cue s late', '1.20 speaking late']);
      scheduler.add(speech('e', 'speech-end', 1.5));
      play(scheduler, 1.3, 2);
      expect(scheduler.isSpeaking).toBe(false);
      scheduler.add(speech('s-old', 'speech-start', 1.4));
      expect(play(scheduler, 2, 2.2)).toEqual([]);
      expect(scheduler.isSpeaking).toBe(false);
      expect(scheduler.stats().stale).toBe(1);
    });
  });

  describe('captions', () => {
    it('shows a caption from pts to end', () => {
      const scheduler = new CueScheduler();
      scheduler.add(caption('c1', 1, 2, 'Hello'));
      expect(summary(play(scheduler, 0.96, 2.2))).toEqual(['1.00 cue c1', '1.00 caption "Hello"', '2.00 caption -']);
    });

    it('replaces the caption with a newer one, reporting only text changes', () => {
      const scheduler = new CueScheduler();
      scheduler.add(caption('c1', 1, 3, 'Hello'));
      scheduler.add(caption('c2', 1.6, 2.4, 'world'));
      scheduler.add(caption('c3', 2.0, 2.8, 'world'));
      expect(summary(play(scheduler, 0.96, 3.2)).filter((line) => !line.includes(' cue '))).toEqual([
        '1.00 caption "Hello"',
        '1.60 caption "world"',
        '2.80 caption -',
      ]);
      expect(scheduler.captionText).toBeNull();
    });

    it('shows a late caption still running, not one that has ended or was superseded', () => {
      const scheduler = new CueScheduler();
      play(scheduler, 0, 2);
      scheduler.add(caption('ended', 1, 1.9, 'gone'));
      expect(play(scheduler, 2, 2.1)).toEqual([]);
      scheduler.add(caption('running', 1.5, 3, 'still here'));
      expect(summary(play(scheduler, 2.1, 2.2))).toEqual(['2.10 cue running late', '2.10 caption "still here"']);
      scheduler.add(caption('older', 1.2, 4, 'superseded'));
      expect(play(scheduler, 2.2, 2.3)).toEqual([]);
      expect(scheduler.captionText).toBe('still here');
      expect(scheduler.stats().stale).toBe(2);
    });
  });

  describe('a backwards jump of the displayed pts (new server timeline)', () => {
    it('resets: drops pending cues, ends speech, clears the caption, reporting both', () => {
      const scheduler = new CueScheduler();
      scheduler.add(speech('s', 'speech-start', 100));
      scheduler.add(caption('c', 100, 110, 'before'));
      scheduler.add(app('future', 105));
      play(scheduler, 99.96, 101);
      expect(scheduler.isSpeaking).toBe(true);
      const fired = scheduler.onFrame(0.5, FRAME);
      expect(fired).toEqual([
        { type: 'speech', speaking: false, cue: null, late: false },
        { type: 'caption', text: null, cue: null },
      ]);
      expect(scheduler.stats()).toMatchObject({ pending: 0, resets: 1 });
      expect(play(scheduler, 0.54, 6)).toEqual([]);
    });

    it('does not reset on a backwards step up to 1 s, nor refire what already fired', () => {
      const scheduler = new CueScheduler();
      scheduler.add(app('a', 10));
      scheduler.add(speech('s', 'speech-start', 10));
      play(scheduler, 9.96, 10.5);
      expect(play(scheduler, 9.6, 10.5)).toEqual([]);
      expect(scheduler.isSpeaking).toBe(true);
      expect(scheduler.stats().resets).toBe(0);
    });

    it('keeps the new timeline\'s cues that arrived before its first frame, even with reused ids', () => {
      const scheduler = new CueScheduler();
      scheduler.add(app('0:app:0', 0.5));
      play(scheduler, 0, 3);
      // the server restarts: its new timeline starts over at 0 with the same ids
      expect(scheduler.add(app('0:app:0', 0.5))).toBe('held');
      expect(scheduler.add(app('0:app:0', 0.5))).toBe('duplicate');
      expect(scheduler.add(speech('0:speech-start:0', 'speech-start', 0.6))).toBe('held');
      expect(play(scheduler, 3, 3.2)).toEqual([]);
      expect(summary(play(scheduler, 0.4, 0.7))).toEqual([
        '0.52 cue 0:app:0',
        '0.60 cue 0:speech-start:0',
        '0.60 speaking',
      ]);
      expect(scheduler.add(app('0:app:0', 0.5))).toBe('duplicate');
    });

    it('forgets held cues once the display moved on 10 s without jumping back', () => {
      const scheduler = new CueScheduler();
      play(scheduler, 0, 5);
      scheduler.add(app('old', 1));
      expect(scheduler.stats().held).toBe(1);
      play(scheduler, 5, 15.2);
      expect(scheduler.stats()).toMatchObject({ held: 0, stale: 1 });
    });

    it('reset() ends everything on request', () => {
      const scheduler = new CueScheduler();
      scheduler.add(caption('c', 1, 5, 'hi'));
      scheduler.add(app('later', 3));
      play(scheduler, 1, 1.1);
      expect(scheduler.reset()).toEqual([{ type: 'caption', text: null, cue: null }]);
      expect(scheduler.stats().pending).toBe(0);
      // no frame shown yet: any pts is fine, nothing is late
      scheduler.add(app('fresh', 0.2));
      expect(summary(play(scheduler, 40, 40.1))).toEqual(['40.00 cue fresh late']);
    });
  });

  it('bounds the pending queue, dropping the oldest received with a counted warning', () => {
    const warnings: CueWarning[] = [];
    const scheduler = new CueScheduler({ maxPending: 10, onWarning: (warning) => warnings.push(warning) });
    for (let i = 0; i < 115; i++) scheduler.add(app(`a${i}`, 100 - i * 0.1));
    expect(scheduler.stats()).toMatchObject({ pending: 10, overflowed: 105 });
    expect(warnings.map((warning) => warning.dropped)).toEqual([1, 101]);
    expect(warnings[0]!.code).toBe('cue-overflow');
    const fired = play(scheduler, 80, 101).map(({ fired: cue }) => (cue.type === 'cue' ? cue.cue.id : ''));
    expect(fired).toEqual(['a114', 'a113', 'a112', 'a111', 'a110', 'a109', 'a108', 'a107', 'a106', 'a105']);
  });

  it('ignores a frame with a non-finite pts', () => {
    const scheduler = new CueScheduler();
    scheduler.add(app('a', 0));
    expect(scheduler.onFrame(Number.NaN, FRAME)).toEqual([]);
    expect(scheduler.stats().pending).toBe(1);
  });
});

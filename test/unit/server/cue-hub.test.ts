import { describe, expect, it } from 'vitest';
import { CueHub } from '../../../server/cues/cue-hub.js';
import type { CueMessage } from '../../../src/protocol.js';

const cue = (id: string, kind: CueMessage['kind'], pts: number, extra: Partial<CueMessage> = {}): CueMessage => ({ v: 1, type: 'cue', id, kind, pts, ...extra });

describe('CueHub: what a session joining now gets first', () => {
  it('keeps the utterance’s speech-start, captions not over yet and cues not due yet', () => {
    let now = 0;
    const hub = new CueHub(() => now);
    hub.publish(cue('s:1:speech-start', 'speech-start', 10));
    hub.publish(cue('s:1:caption:0', 'caption', 10, { end: 11, text: 'a' }));
    hub.publish(cue('s:1:caption:1', 'caption', 11, { end: 12, text: 'b' }));
    hub.publish(cue('s:1:app:0', 'app', 11.5, { data: 1 }));
    now = 11.2;
    expect(hub.inEffect().map((c) => c.id)).toEqual(['s:1:speech-start', 's:1:caption:1', 's:1:app:0']);
    hub.publish(cue('s:2:speech-end', 'speech-end', 12.5));
    now = 12.4;
    expect(hub.inEffect().map((c) => c.id)).toEqual(['s:1:speech-start', 's:2:speech-end']);
    now = 12.6;
    expect(hub.inEffect()).toEqual([]);
  });

  it('follows: the cues in effect at once, then each new one; nothing after unfollowing', () => {
    const hub = new CueHub(() => 5);
    hub.publish(cue('s:1:speech-start', 'speech-start', 4));
    const got: string[] = [];
    const unfollow = hub.follow((c) => got.push(c.id));
    expect(got).toEqual(['s:1:speech-start']);
    hub.publish(cue('s:1:caption:0', 'caption', 6, { end: 7, text: 'x' }));
    unfollow();
    hub.publish(cue('s:1:caption:1', 'caption', 7, { end: 8, text: 'y' }));
    expect(got).toEqual(['s:1:speech-start', 's:1:caption:0']);
  });

  it('keeps delivering to the others when one session’s listener throws', () => {
    const errors: unknown[] = [];
    const hub = new CueHub(() => 0, (error) => errors.push(error));
    const got: string[] = [];
    hub.follow(() => {
      throw new Error('socket gone');
    });
    hub.follow((c) => got.push(c.id));
    hub.publish(cue('s:0:app:0', 'app', 1, { data: null }));
    expect(got).toEqual(['s:0:app:0']);
    expect(errors).toHaveLength(1);
  });
});

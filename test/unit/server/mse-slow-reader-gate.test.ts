import { describe, expect, it } from 'vitest';
import { SlowReaderGate, type GatedSample } from '../../../server/outputs/mse/slow-reader-gate.js';

const MAX = 1000;
const LOW = 500;
const keyframe = (pts: number): GatedSample => ({ kind: 'video', pts, keyframe: true });
const frame = (pts: number): GatedSample => ({ kind: 'video', pts, keyframe: false });
const audio = (pts: number): GatedSample => ({ kind: 'audio', pts });

describe('SlowReaderGate', () => {
  it('sends everything while the queue stays within the bound', () => {
    const gate = new SlowReaderGate({ maxBufferedBytes: MAX, resumeBelowBytes: LOW });
    expect([keyframe(0), audio(0.01), frame(0.04)].map((s) => gate.decide(s, MAX).action)).toEqual(['send', 'send', 'send']);
  });

  it('drops from the first sample past the bound until a keyframe finds the queue drained, then reports the gap', () => {
    const gate = new SlowReaderGate({ maxBufferedBytes: MAX, resumeBelowBytes: LOW });
    expect(gate.decide(frame(1.04), MAX + 1)).toEqual({ action: 'drop' });
    expect(gate.dropping).toBe(true);
    expect(gate.decide(audio(1.05), 0)).toEqual({ action: 'drop' });
    expect(gate.decide(frame(1.08), 0)).toEqual({ action: 'drop' });
    expect(gate.decide(keyframe(1.5), LOW + 1)).toEqual({ action: 'drop' });
    expect(gate.decide(keyframe(2), LOW)).toEqual({ action: 'resume', from: 1.04, to: 2 });
    expect(gate.dropping).toBe(false);
    expect(gate.decide(audio(2.01), LOW)).toEqual({ action: 'send' });
  });

  it('reports each episode on its own', () => {
    const gate = new SlowReaderGate({ maxBufferedBytes: MAX, resumeBelowBytes: LOW });
    gate.decide(audio(1), MAX + 1);
    expect(gate.decide(keyframe(2), 0)).toEqual({ action: 'resume', from: 1, to: 2 });
    gate.decide(frame(3.04), MAX + 1);
    expect(gate.decide(keyframe(4), 0)).toEqual({ action: 'resume', from: 3.04, to: 4 });
  });
});

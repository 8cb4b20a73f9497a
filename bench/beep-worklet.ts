/**
 * AudioWorklet (loaded by bench/sync-page.ts): finds beep onsets in its input and posts each one as a frame
 * index on the AudioContext's timeline (`currentFrame` + the sample's place in the render quantum).
 */
import { OnsetDetector } from './onset-detector.js';

declare const currentFrame: number;
declare function registerProcessor(name: string, processor: new () => WorkletProcessor): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
interface WorkletProcessor {
  process(inputs: Float32Array[][]): boolean;
}

export interface OnsetMessage {
  /** Sample frame on the AudioContext's timeline. */
  frame: number;
}

class BeepOnsetProcessor extends AudioWorkletProcessor implements WorkletProcessor {
  private readonly detector = new OnsetDetector();

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) for (const frame of this.detector.push(channel, currentFrame)) this.port.postMessage({ frame } satisfies OnsetMessage);
    return true;
  }
}

registerProcessor('beep-onset', BeepOnsetProcessor);

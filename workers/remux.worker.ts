/**
 * The remux Worker: runs the RemuxPipeline off the main thread and, where the browser allows
 * (MediaSource.canConstructInDedicatedWorker), owns the MediaSource too, so that a busy page never
 * delays an append.
 */

/// <reference lib="webworker" />

import type { TrackKind } from './media-sample.js';
import { MseSink } from './mse/mse-sink.js';
import type { TrackSummary, WorkerEvent, WorkerRequest } from './remux-messages.js';
import { RemuxPipeline, type RemuxOutput } from './remux-pipeline.js';

declare const self: DedicatedWorkerGlobalScope;

let pipeline: RemuxPipeline | undefined;
let sink: MseSink | undefined;
let playhead = 0;

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer);
}

/** The bytes as a whole ArrayBuffer of their own (the fMP4 writer's output already is one). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
}

function workerSinkOutput(mediaSource: MediaSource): RemuxOutput {
  sink = new MseSink(mediaSource, {
    playhead: () => playhead,
    onFatal: (message) => post({ type: 'error', code: 'media-error', message, fatal: true }),
    onWarning: (message) => post({ type: 'error', code: 'media-unsupported', message, fatal: false }),
  });
  const target = sink;
  return {
    configure(tracks: TrackSummary[], inits: Map<TrackKind, Uint8Array>) {
      post({ type: 'tracks', tracks });
      target.setTracks(tracks);
      for (const [kind, init] of inits) target.append(kind, ownBuffer(init));
    },
    segment: (kind, data) => target.append(kind, ownBuffer(data)),
    report: (event) => post(event),
  };
}

function mainThreadOutput(): RemuxOutput {
  const send = (kind: TrackKind, bytes: Uint8Array) => {
    const data = ownBuffer(bytes);
    post({ type: 'segment', kind, data }, [data]);
  };
  return {
    configure(tracks, inits) {
      post({ type: 'tracks', tracks });
      for (const [kind, init] of inits) send(kind, init);
    },
    segment: send,
    report: (event) => post(event),
  };
}

function start(ownMediaSource: boolean): void {
  if (pipeline) return;
  let output: RemuxOutput;
  if (ownMediaSource) {
    const mediaSource = new MediaSource();
    output = workerSinkOutput(mediaSource);
    const { handle } = mediaSource as MediaSource & { readonly handle: MediaSourceHandle };
    post({ type: 'handle', handle }, [handle]);
  } else {
    output = mainThreadOutput();
  }
  pipeline = new RemuxPipeline(output);
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    switch (request.type) {
      case 'start':
        return start(request.ownMediaSource);
      case 'bytes':
        return pipeline?.push(new Uint8Array(request.data));
      case 'playhead':
        playhead = request.currentTime;
        pipeline?.played(playhead);
        return sink?.trim();
    }
  } catch (error) {
    // Nothing above is meant to throw; if it does, the main thread decides what happens next.
    post({ type: 'error', code: 'media-error', message: `remux worker: ${error instanceof Error ? error.message : String(error)}`, fatal: true });
  }
};

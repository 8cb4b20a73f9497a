/** The main thread's handle on the remux Worker: typed messages both ways. */

import type { WorkerEvent, WorkerRequest } from '../../../workers/remux-messages.js';

export class RemuxWorkerClient {
  private readonly worker: Worker;

  constructor(onEvent: (event: WorkerEvent) => void, onCrash: (message: string) => void) {
    // A module worker, so that the remuxer loads (with mp4box) only when the MSE path is used.
    this.worker = new Worker(new URL('../../../workers/remux.worker.ts', import.meta.url), { type: 'module', name: 'avatar-player-remux' });
    this.worker.onmessage = (event: MessageEvent<WorkerEvent>) => onEvent(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      onCrash(event.message || 'the remux worker failed to load');
    };
    this.worker.onmessageerror = () => onCrash('a message from the remux worker could not be read');
  }

  send(request: WorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  terminate(): void {
    this.worker.onmessage = this.worker.onerror = this.worker.onmessageerror = null;
    this.worker.terminate();
  }
}

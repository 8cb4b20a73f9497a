/**
 * One SourceBuffer's operations, strictly one at a time: a SourceBuffer throws when it is handed
 * anything while `updating`, and a player that drops the chunk then loses media. Nothing queued here
 * is ever dropped; a full buffer (QuotaExceededError) is answered by trimming what was already played.
 */

type Operation =
  | { kind: 'append'; data: ArrayBuffer | ArrayBufferView<ArrayBuffer> }
  | { kind: 'remove'; start: number; end: number }
  | { kind: 'changeType'; type: string };

export interface AppendQueueHooks {
  /** The current playback position (s): media before it may be removed to make room. */
  playhead(): number;
  /** The SourceBuffer failed or stayed full; the queue stops. */
  onFatal(message: string): void;
}

/** Media kept behind the playhead when the buffer is full. */
const QUOTA_KEEP_BEHIND_S = 1;
const QUOTA_RETRY_MS = 250;
/** About 10 s of waiting for playback to make room before giving up. */
const MAX_QUOTA_RETRIES = 40;

export class AppendQueue {
  private readonly operations: Operation[] = [];
  /**
   * An append or remove has started and its `updateend` has not been handled yet. `buffer.updating`
   * alone is not enough: it turns false a task before `updateend` fires, and an operation started in
   * between would run the head operation a second time.
   */
  private inFlight = false;
  private quotaRetries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly buffer: SourceBuffer,
    private readonly hooks: AppendQueueHooks,
  ) {
    buffer.addEventListener('updateend', this.onUpdateEnd);
    buffer.addEventListener('error', this.onBufferError);
  }

  append(data: ArrayBuffer | ArrayBufferView<ArrayBuffer>): void {
    this.enqueue({ kind: 'append', data });
  }

  remove(start: number, end: number): void {
    if (end > start) this.enqueue({ kind: 'remove', start, end });
  }

  changeType(type: string): void {
    this.enqueue({ kind: 'changeType', type });
  }

  get bufferedStart(): number | undefined {
    const { buffered } = this.buffer;
    return buffered.length > 0 ? buffered.start(0) : undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.operations.length = 0;
    this.buffer.removeEventListener('updateend', this.onUpdateEnd);
    this.buffer.removeEventListener('error', this.onBufferError);
  }

  private enqueue(operation: Operation): void {
    if (this.stopped) return;
    this.operations.push(operation);
    this.pump();
  }

  /** Starts the operation at the head; it stays there until its `updateend`. */
  private pump(): void {
    const operation = this.operations[0];
    if (this.stopped || !operation || this.inFlight || this.buffer.updating || this.retryTimer) return;
    try {
      this.run(operation);
    } catch (error) {
      this.onRunError(operation, error);
    }
  }

  private run(operation: Operation): void {
    switch (operation.kind) {
      case 'append':
        this.buffer.appendBuffer(operation.data);
        this.inFlight = true;
        return;
      case 'remove':
        this.buffer.remove(operation.start, operation.end);
        this.inFlight = true;
        return;
      case 'changeType':
        this.buffer.changeType(operation.type);
        // changeType is synchronous: no updateend follows.
        this.operations.shift();
        return this.pump();
    }
  }

  private onRunError(operation: Operation, error: unknown): void {
    if (operation.kind === 'append' && error instanceof DOMException && error.name === 'QuotaExceededError') {
      return this.makeRoom();
    }
    this.fail(`${operation.kind} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Removes the played part if there is one, else waits for playback to move on; bounded. */
  private makeRoom(): void {
    if (++this.quotaRetries > MAX_QUOTA_RETRIES) return this.fail('the media buffer stays full');
    const keepFrom = this.hooks.playhead() - QUOTA_KEEP_BEHIND_S;
    const start = this.bufferedStart;
    if (start !== undefined && keepFrom > start) {
      this.operations.unshift({ kind: 'remove', start, end: keepFrom });
      return this.pump();
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, QUOTA_RETRY_MS);
  }

  private readonly onUpdateEnd = (): void => {
    if (!this.inFlight) return;
    this.inFlight = false;
    const done = this.operations.shift();
    if (done?.kind === 'append') this.quotaRetries = 0;
    this.pump();
  };

  private readonly onBufferError = (): void => this.fail('the SourceBuffer reported an error');

  private fail(message: string): void {
    if (this.stopped) return;
    this.stop();
    this.hooks.onFatal(message);
  }
}

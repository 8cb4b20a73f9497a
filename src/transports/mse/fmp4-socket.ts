/**
 * `mse-src`: any WebSocket whose binary messages form a plain fragmented-MP4 byte stream
 * (ffmpeg relayed to a WebSocket, go2rtc's MSE stream, ...). Text messages are metadata: ignored.
 * go2rtc is asked for its MSE stream first (see go2rtc.ts).
 */

import { PlayerError } from '../../events.js';
import { TypedEmitter } from '../../typed-emitter.js';
import type { DebugLog } from '../transport.js';
import { go2rtcMseRequest } from './go2rtc.js';
import type { MediaFeed } from './media-feed.js';

export interface Fmp4SocketEvents {
  bytes: { data: ArrayBuffer };
  /** The socket closed after it had opened, and not because of `close()`. */
  closed: { code: number; reason: string };
}

export class Fmp4Socket extends TypedEmitter<Fmp4SocketEvents> {
  private socket: WebSocket | undefined;
  private textMessages = 0;
  /** Ends a pending open() (its promise rejects, its timer stops) when close() comes first. */
  private abortOpen: ((message: string) => void) | undefined;

  constructor(
    private readonly url: string,
    private readonly log: DebugLog,
  ) {
    super();
  }

  /** Opens the socket; rejects with PlayerError 'signaling-unreachable'. */
  open(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        this.abortOpen = undefined;
        this.close();
        reject(new PlayerError('signaling-unreachable', message));
      };
      this.abortOpen = fail;
      const timer = setTimeout(() => fail(`no WebSocket connection to ${this.url} within ${timeoutMs} ms`), timeoutMs);
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.url);
      } catch (error) {
        return fail(`cannot open a WebSocket to ${this.url}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.socket = socket;
      socket.binaryType = 'arraybuffer';
      socket.onerror = () => undefined; // a close event with the details always follows
      socket.onclose = (event) => fail(`WebSocket to ${this.url} closed before it opened (code ${event.code})`);
      socket.onopen = () => {
        clearTimeout(timer);
        this.abortOpen = undefined;
        try {
          const request = go2rtcMseRequest(this.url);
          if (request) socket.send(request);
        } catch (error) {
          return fail(`cannot ask ${this.url} for its stream: ${error instanceof Error ? error.message : String(error)}`);
        }
        socket.onclose = (event) => {
          this.detach();
          this.emit('closed', { code: event.code, reason: event.reason });
        };
        resolve();
      };
      socket.onmessage = (event: MessageEvent<unknown>) => this.receive(event.data);
    });
  }

  /** The MSE view: no skips, no way to ask for a keyframe (and no clock samples: latency stays unknown). */
  mediaFeed(): MediaFeed {
    return {
      onBytes: (listener) => this.on('bytes', ({ data }) => listener(data)),
      onSkip: () => () => undefined,
      requestKeyframe: () => undefined,
    };
  }

  close(): void {
    this.abortOpen?.('closed while connecting');
    const socket = this.socket;
    this.detach();
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, '');
  }

  private receive(data: unknown): void {
    if (data instanceof ArrayBuffer) return this.emit('bytes', { data });
    if (this.textMessages++ === 0) this.log(`mse-src: text messages are metadata and ignored: ${String(data).slice(0, 80)}`);
  }

  private detach(): void {
    const socket = this.socket;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    this.socket = undefined;
  }
}

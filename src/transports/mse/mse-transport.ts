/**
 * The WebSocket + MediaSource path: media bytes from a MediaFeed go to the remux Worker, which
 * hands back fMP4 segments on one continuous timeline (or owns the MediaSource itself where the
 * browser allows); a live-edge driver keeps playback near the newest media.
 */

import { PlayerError } from '../../events.js';
import { avOffsetFromMediaTime, currentTimeAt } from '../../sync/av-offset.js';
import type { PresentedFrame } from '../../sync/media-clock.js';
import { MediaTimeMap } from '../../sync/media-time-map.js';
import { TypedEmitter } from '../../typed-emitter.js';
import { MseSink } from '../../../workers/mse/mse-sink.js';
import type { WorkerErrorCode, WorkerEvent } from '../../../workers/remux-messages.js';
import { ByteRate } from '../byte-rate.js';
import type { DebugLog, Transport, TransportEvents, TransportStats } from '../transport.js';
import { LiveEdgeDriver } from './live-edge-driver.js';
import type { MediaFeed } from './media-feed.js';
import { RemuxWorkerClient } from './remux-worker-client.js';

export interface MseTransportOptions {
  feed: MediaFeed;
  /** Target delay behind the newest media, in ms. */
  targetLatencyMs: number;
  log: DebugLog;
}

export class MseTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly kind = 'mse';
  private readonly mediaTimes = new MediaTimeMap();
  private readonly received = new ByteRate();
  private readonly unsubscribers: (() => void)[] = [];
  private worker: RemuxWorkerClient | undefined;
  private driver: LiveEdgeDriver | undefined;
  /** Only when the MediaSource lives on the main thread. */
  private sink: MseSink | undefined;
  private objectUrl: string | undefined;
  private video: HTMLVideoElement | undefined;
  private frameCallback = 0;
  private startCallbacks: { resolve: () => void; reject: (error: PlayerError) => void } | undefined;
  private jitterDepthMs: number | undefined;
  private sawFrame = false;
  private closed = false;

  constructor(private readonly options: MseTransportOptions) {
    super();
  }

  start(video: HTMLVideoElement): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed || this.video) return reject(new PlayerError('mse-failed', 'the transport cannot be started twice'));
      if (typeof MediaSource === 'undefined') return reject(new PlayerError('mse-failed', 'this browser has no MediaSource'));
      this.startCallbacks = { resolve, reject };
      this.video = video;
      const ownMediaSource = MediaSource.canConstructInDedicatedWorker === true;
      try {
        this.worker = new RemuxWorkerClient(
          (event) => this.onWorkerEvent(event),
          (message) => this.fail(new PlayerError('mse-failed', message)),
        );
      } catch (error) {
        return this.fail(new PlayerError('mse-failed', `cannot start the remux worker: ${String(error)}`));
      }
      this.options.log(`mse: MediaSource ${ownMediaSource ? 'in the worker' : 'on the main thread'}`);
      this.worker.send({ type: 'start', ownMediaSource });
      this.listenToFeed();
      video.addEventListener('error', this.onVideoError);
      this.driver = new LiveEdgeDriver(video, {
        targetMs: this.options.targetLatencyMs,
        onPlayhead: (currentTime) => this.onPlayhead(currentTime),
        log: this.options.log,
      });
      this.driver.start();
      this.watchFrames(video);
      if (!ownMediaSource) this.attachMainThreadMediaSource(video);
    });
  }

  stats(): TransportStats {
    return {
      bufferMs: this.driver?.lagMs,
      targetBufferMs: this.driver?.targetMs,
      jitterDepthMs: this.jitterDepthMs,
      playbackRate: this.video?.playbackRate,
      bitrateKbps: this.received.kbps(performance.now()),
    };
  }

  ptsOfFrame(metadata: VideoFrameCallbackMetadata): number | undefined {
    return this.mediaTimes.streamTimeOf(metadata.mediaTime);
  }

  /** Chromium drives currentTime from the audio clock: the frame's media time against it is the offset. */
  avOffsetOf(frame: PresentedFrame): number | undefined {
    const video = this.video;
    if (!video || video.paused) return undefined;
    const reading = { currentTime: video.currentTime, readAt: performance.now(), playbackRate: video.playbackRate };
    const displayTime = frame.displayedAt - performance.timeOrigin;
    return avOffsetFromMediaTime({ frameMediaTime: frame.mediaTime, elementCurrentTimeAtDisplay: currentTimeAt(displayTime, reading) });
  }

  quietNow(): boolean | undefined {
    return this.driver?.quietNow;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.driver?.stop();
    this.worker?.terminate();
    this.sink?.close();
    const { video } = this;
    if (video) {
      video.cancelVideoFrameCallback?.(this.frameCallback);
      video.removeEventListener('error', this.onVideoError);
      if (video.srcObject || (this.objectUrl && video.src === this.objectUrl)) {
        video.srcObject = null;
        video.removeAttribute('src');
        video.load();
      }
    }
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.startCallbacks?.reject(new PlayerError('mse-failed', 'closed before the media arrived'));
    this.startCallbacks = undefined;
    this.emit('closed', {});
  }

  private listenToFeed(): void {
    const { feed } = this.options;
    this.unsubscribers.push(
      feed.onBytes((data) => {
        this.received.add(data.byteLength, performance.now());
        this.worker?.send({ type: 'bytes', data }, [data]);
      }),
      feed.onSkip(({ from, to }) =>
        this.emit('warning', {
          code: 'media-skipped',
          message: `the server dropped ${Math.round((to - from) * 1000)} ms of media because this client read too slowly`,
        }),
      ),
    );
  }

  private attachMainThreadMediaSource(video: HTMLVideoElement): void {
    const mediaSource = new MediaSource();
    this.sink = new MseSink(mediaSource, {
      playhead: () => video.currentTime,
      onFatal: (message) => this.fail(new PlayerError('mse-failed', message)),
      onWarning: (message) => this.emit('recovered', { error: new PlayerError('media-error', message) }),
    });
    this.objectUrl = URL.createObjectURL(mediaSource);
    video.src = this.objectUrl;
    this.attached();
  }

  private onWorkerEvent(event: WorkerEvent): void {
    if (this.closed) return;
    switch (event.type) {
      case 'handle':
        if (this.video) attachHandle(this.video, event.handle);
        return this.attached();
      case 'tracks':
        this.options.log(`mse: ${event.tracks.map((track) => track.mimeType).join(', ')}`);
        return this.sink?.setTracks(event.tracks);
      case 'segment':
        return this.sink?.append(event.kind, event.data);
      case 'anchor':
        return this.mediaTimes.addAnchor(event.outputTime, event.sourceTime);
      case 'silence':
        return this.driver?.setSilentRanges(event.ranges);
      case 'jitter':
        this.jitterDepthMs = event.depthMs;
        return this.driver?.setJitterDepth(event.depthMs);
      case 'warning':
        return this.emit('warning', { code: event.code, message: event.message });
      case 'error':
        return this.onWorkerError(event.code, event.message, event.fatal);
    }
  }

  private onWorkerError(code: WorkerErrorCode, message: string, fatal: boolean): void {
    if (fatal) return this.fail(new PlayerError('mse-failed', message));
    if (code === 'media-corrupt') this.options.feed.requestKeyframe();
    this.emit('recovered', { error: new PlayerError(code === 'media-corrupt' ? 'media-corrupt' : 'media-error', message) });
  }

  private onPlayhead(currentTime: number): void {
    this.worker?.send({ type: 'playhead', currentTime });
    this.sink?.trim();
  }

  /** The first presented frame is reported (the session's MediaClock watches the rest). */
  private watchFrames(video: HTMLVideoElement): void {
    if (typeof video.requestVideoFrameCallback !== 'function') {
      video.addEventListener('loadeddata', () => this.onFrame(), { once: true });
      return;
    }
    this.frameCallback = video.requestVideoFrameCallback(() => this.onFrame());
  }

  private onFrame(): void {
    if (this.sawFrame || this.closed) return;
    this.sawFrame = true;
    this.emit('firstframe', {});
  }

  private attached(): void {
    this.startCallbacks?.resolve();
    this.startCallbacks = undefined;
  }

  private readonly onVideoError = (): void => {
    const error = this.video?.error;
    this.fail(new PlayerError('media-error', `the video element failed: ${error?.message || `code ${error?.code ?? '?'}`}`));
  };

  private fail(error: PlayerError): void {
    if (this.closed) return;
    if (this.startCallbacks) {
      this.startCallbacks.reject(error);
      this.startCallbacks = undefined;
    } else {
      this.emit('error', { error });
    }
  }
}

/** TypeScript's DOM types do not list MediaSourceHandle among what srcObject takes; Chromium does. */
function attachHandle(video: HTMLVideoElement, handle: MediaSourceHandle): void {
  Reflect.set(video, 'srcObject', handle);
}

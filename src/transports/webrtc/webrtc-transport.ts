/**
 * The WebRTC media path, whoever offers (the signaling decides: see webrtc-signaling.ts). Audio and
 * video arrive as one MediaStream on the video element. It keeps the path alive — one ICE restart
 * per incident (ice-restart-policy.ts) — watches frames and stats, and says why it failed. Trouble
 * that may pass (ICE disconnected, frames stopped, heavy loss) is `degraded` first, so the session
 * can warm a standby; the path fails only when the trouble outlasts its bound.
 */

import { PlayerError, toPlayerError, type TransportFailureReason } from '../../events.js';
import type { IceServer } from '../../protocol.js';
import { avOffsetFromSync } from '../../sync/av-offset.js';
import type { PresentedFrame } from '../../sync/media-clock.js';
import type { StreamTimeline } from '../../sync/stream-timeline.js';
import { TypedEmitter } from '../../typed-emitter.js';
import type { DebugLog, Transport, TransportEvents, TransportStats } from '../transport.js';
import { DegradedCauses, type DegradedCause } from './degraded-causes.js';
import { FrameWatch } from './frame-watch.js';
import type { HeavyLossChange } from './heavy-loss.js';
import { DEFAULT_ICE_RESTART_TIMING, IceRestartPolicy, type IceDecision, type IceRestartTiming } from './ice-restart-policy.js';
import { classifyNeverConnected } from './path-classification.js';
import { StatsWatch } from './stats-watch.js';
import type { WebRtcSignaling } from './webrtc-signaling.js';

export interface WebRtcTransportOptions {
  signaling: WebRtcSignaling;
  iceServers: IceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  log: DebugLog;
  /** Tests shorten these; the defaults are DEFAULT_ICE_RESTART_TIMING. */
  iceTiming?: IceRestartTiming;
}


export class WebRtcTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly kind = 'webrtc';
  private pc: RTCPeerConnection | undefined;
  private video: HTMLVideoElement | undefined;
  private stream: MediaStream | undefined;
  private startCallbacks: { resolve: () => void; reject: (error: PlayerError) => void } | undefined;
  private readonly policy: IceRestartPolicy;
  private readonly degradedBy = new DegradedCauses();
  private frameWatch: FrameWatch | undefined;
  private iceTimer: ReturnType<typeof setTimeout> | undefined;
  private statsWatch: StatsWatch | undefined;
  private failed = false;
  private closed = false;

  constructor(private readonly options: WebRtcTransportOptions) {
    super();
    this.policy = new IceRestartPolicy(options.iceTiming ?? DEFAULT_ICE_RESTART_TIMING);
  }

  start(video: HTMLVideoElement): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed || this.pc) return reject(new PlayerError('webrtc-failed', 'the transport cannot be started twice'));
      this.startCallbacks = { resolve, reject };
      this.video = video;
      let pc: RTCPeerConnection;
      try {
        pc = this.createPeerConnection();
      } catch (error) {
        return this.fail(toPlayerError(error, 'webrtc-failed'));
      }
      this.statsWatch = new StatsWatch(pc, this.options.log, {
        onMediaSilence: () => this.act(this.policy.onMediaSilence(performance.now())),
        onMediaFlowing: () => this.act(this.policy.onMediaFlowing()),
        onHeavyLoss: (change) => this.onHeavyLoss(change),
      });
      this.statsWatch.start();
      this.options.signaling.negotiate(pc, this.options.log).then(
        () => this.attachMedia(),
        (error: unknown) => this.fail(toPlayerError(error, 'webrtc-failed')),
      );
    });
  }

  stats(): TransportStats {
    const path = this.statsWatch?.path;
    const receive = this.statsWatch?.receive;
    return {
      playbackRate: this.video?.playbackRate,
      bufferMs: receive?.jitterBufferMs,
      jitterDepthMs: receive?.jitterTargetMs,
      bitrateKbps: receive?.bitrateKbps,
      packetLoss: receive?.packetLoss,
      ...(path ? { webrtcPath: { ...path } } : {}),
    };
  }

  ptsOfFrame(metadata: VideoFrameCallbackMetadata, timeline: StreamTimeline): number | undefined {
    return metadata.rtpTimestamp === undefined ? undefined : timeline.ptsOfVideoRtp(metadata.rtpTimestamp);
  }

  /** The audio receiver's synchronization source says which RTP time of the sound was played, and when. */
  avOffsetOf(frame: PresentedFrame, timeline: StreamTimeline): number | undefined {
    const receiver = this.pc?.getReceivers().find(({ track }) => track.kind === 'audio');
    const source = receiver?.getSynchronizationSources()[0];
    const audioRtpPts = source && timeline.ptsOfAudioRtp(source.rtpTimestamp);
    if (frame.pts === undefined || audioRtpPts === undefined || !source) return undefined;
    return avOffsetFromSync({ videoPts: frame.pts, videoDisplayedAt: frame.displayedAt, audioRtpPts, audioPlayedAt: source.timestamp });
  }

  /** Why no media came: when ICE never connected, whether UDP looked blocked; otherwise a plain timeout. */
  async failureReason(): Promise<TransportFailureReason> {
    if (this.policy.everConnected || !this.statsWatch) return 'timeout';
    await this.statsWatch.poll();
    return classifyNeverConnected(this.statsWatch.evidence);
  }

  /** Ends the path and the signaling session (WHEP: DELETE); the last ICE evidence stays for failureReason(). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.iceTimer);
    this.statsWatch?.stop();
    this.frameWatch?.stop();
    this.options.signaling.close();
    this.pc?.close();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    if (this.video && this.video.srcObject === this.stream) this.video.srcObject = null;
    this.startCallbacks?.reject(new PlayerError('webrtc-failed', 'closed before the media arrived'));
    this.startCallbacks = undefined;
    this.emit('closed', {});
  }

  private createPeerConnection(): RTCPeerConnection {
    const pc = new RTCPeerConnection({
      iceServers: this.options.iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy,
      bundlePolicy: 'max-bundle',
    });
    this.pc = pc;
    const stream = new MediaStream();
    this.stream = stream;
    pc.addEventListener('track', ({ track }) => {
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
    });
    pc.addEventListener('iceconnectionstatechange', () => this.onIceState(pc));
    pc.addEventListener('connectionstatechange', () => {
      // DTLS failing over a working ICE path: no restart helps.
      if (pc.connectionState === 'failed' && (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed')) {
        this.fail(new PlayerError('webrtc-failed', 'the DTLS handshake failed', 'failed'));
      }
    });
    return pc;
  }

  /** Runs after the first remote description is applied: every remote track has been announced by then. */
  private attachMedia(): void {
    const { video, stream } = this;
    if (this.closed || !video || !stream || video.srcObject === stream) return;
    if (stream.getVideoTracks().length === 0) return this.fail(new PlayerError('webrtc-failed', 'the session carries no video track', 'failed'));
    video.srcObject = stream;
    this.frameWatch = new FrameWatch(video, {
      onFirstFrame: () => this.emit('firstframe', {}),
      onStall: () => this.degrade('no-frames'),
      onResume: () => this.restore('no-frames'),
    });
    this.startCallbacks?.resolve();
    this.startCallbacks = undefined;
  }

  private onIceState(pc: RTCPeerConnection): void {
    if (this.closed) return;
    const state = pc.iceConnectionState;
    this.options.log(`ice ${state}, connection ${pc.connectionState}`);
    this.act(this.policy.onState(state, performance.now()));
  }

  private act(decision: IceDecision): void {
    if (this.closed || this.failed) return;
    clearTimeout(this.iceTimer);
    if (this.policy.inTrouble) this.degrade('ice-disconnected');
    else this.restore('ice-disconnected');
    if (decision.action === 'restart') this.restartIce();
    if (decision.action === 'give-up') void this.giveUp(decision);
    const wakeAt = this.policy.wakeAt();
    if (wakeAt !== undefined && !this.closed) {
      this.iceTimer = setTimeout(() => this.act(this.policy.onTimer(performance.now())), Math.max(0, wakeAt - performance.now()));
    }
  }

  private restartIce(): void {
    this.options.log('ice restart');
    const { restartTimeoutMs } = this.options.iceTiming ?? DEFAULT_ICE_RESTART_TIMING;
    this.options.signaling.restartIce(restartTimeoutMs).then(
      () => this.options.log('ice restart negotiated'),
      // The signaling left the old ICE session in place: it may still come back before the
      // restart's deadline, at which the policy gives up.
      (error: unknown) => this.options.log(`ice restart not negotiated: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private async giveUp({ neverConnected, tooManyRestarts }: { neverConnected: boolean; tooManyRestarts: boolean }): Promise<void> {
    if (tooManyRestarts) {
      return this.fail(new PlayerError('webrtc-failed', 'the ICE connection keeps getting lost: too many ICE restarts in a short time', 'ice-failed'));
    }
    if (!neverConnected) {
      return this.fail(new PlayerError('webrtc-failed', 'the ICE connection was lost and an ICE restart did not bring it back', 'ice-failed'));
    }
    await this.statsWatch?.poll();
    const reason = this.statsWatch ? classifyNeverConnected(this.statsWatch.evidence) : 'ice-failed';
    const message = reason === 'udp-blocked' ? 'ICE failed: no candidate pair got a response and there is no TURN relay (UDP blocked?)' : 'ICE failed';
    this.fail(new PlayerError('webrtc-failed', message, reason));
  }

  private onHeavyLoss(change: HeavyLossChange): void {
    switch (change.kind) {
      case 'heavy':
        return this.degrade('heavy-loss', `heavy loss: ${change.description}`);
      case 'cleared':
        return this.restore('heavy-loss');
      case 'sustained':
        return this.fail(new PlayerError('webrtc-failed', `heavy loss: ${change.description}`, 'heavy-loss'));
    }
  }

  private degrade(cause: DegradedCause, message?: string): void {
    if (this.closed || this.failed) return;
    const detail = this.degradedBy.start(cause, message);
    if (!detail) return;
    this.options.log(`degraded: ${detail.message}`);
    this.emit('degraded', detail);
  }

  private restore(cause: DegradedCause): void {
    if (this.closed || !this.degradedBy.end(cause)) return;
    this.options.log('restored');
    this.emit('restored', {});
  }

  private fail(error: PlayerError): void {
    if (this.closed || this.failed) return;
    this.failed = true;
    clearTimeout(this.iceTimer);
    this.statsWatch?.stop();
    if (this.startCallbacks) {
      this.startCallbacks.reject(error);
      this.startCallbacks = undefined;
    } else {
      this.emit('error', { error });
    }
  }
}

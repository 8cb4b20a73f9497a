/**
 * The WebRTC media path: the server offers, this side answers; ICE candidates trickle both ways.
 * Audio and video arrive as one MediaStream on the video element.
 */

import { PlayerError, toPlayerError } from '../../events.js';
import type { IceCandidate, IceServer } from '../../protocol.js';
import { TypedEmitter } from '../../typed-emitter.js';
import type { DebugLog, Transport, TransportEvents, TransportStats } from '../transport.js';
import { RemoteCandidates } from './remote-candidates.js';
import type { WebRtcSignaling } from './webrtc-signaling.js';

export interface WebRtcTransportOptions {
  signaling: WebRtcSignaling;
  iceServers: IceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  log: DebugLog;
}

export class WebRtcTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly kind = 'webrtc';
  private pc: RTCPeerConnection | undefined;
  private video: HTMLVideoElement | undefined;
  private stream: MediaStream | undefined;
  private startCallbacks: { resolve: () => void; reject: (error: PlayerError) => void } | undefined;
  private negotiation: Promise<void> = Promise.resolve();
  private readonly unsubscribers: (() => void)[] = [];
  private stopFrameWatch: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: WebRtcTransportOptions) {
    super();
  }

  start(video: HTMLVideoElement): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closed || this.pc) return reject(new PlayerError('webrtc-failed', 'the transport cannot be started twice'));
      this.startCallbacks = { resolve, reject };
      this.video = video;
      try {
        this.pc = this.createPeerConnection();
      } catch (error) {
        return this.fail(toPlayerError(error, 'webrtc-failed'));
      }
      const candidates = new RemoteCandidates(this.pc, this.options.log);
      const { signaling } = this.options;
      this.unsubscribers.push(
        signaling.onOffer((sdp) => this.enqueueOffer(sdp, candidates)),
        signaling.onCandidate((candidate) => candidates.add(candidate)),
      );
    });
  }

  /** The browser buffers and lip-syncs WebRTC itself: its delay is not measured here yet. */
  stats(): TransportStats {
    return { playbackRate: this.video?.playbackRate };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.stopFrameWatch?.();
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
    const stream = new MediaStream();
    this.stream = stream;
    pc.ontrack = ({ track }) => {
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate === null) this.options.signaling.sendCandidate(null);
      else if (candidate.candidate !== '') this.options.signaling.sendCandidate(toIceCandidate(candidate));
    };
    const watchState = () => {
      this.options.log(`ice ${pc.iceConnectionState}, connection ${pc.connectionState}`);
      if (pc.iceConnectionState === 'failed' || pc.connectionState === 'failed') {
        this.fail(new PlayerError('webrtc-failed', `WebRTC connection failed (ICE ${pc.iceConnectionState})`));
      }
    };
    pc.oniceconnectionstatechange = watchState;
    pc.onconnectionstatechange = watchState;
    return pc;
  }

  private enqueueOffer(sdp: string, candidates: RemoteCandidates): void {
    this.negotiation = this.negotiation
      .then(() => this.answer(sdp, candidates))
      .catch((error: unknown) => this.fail(toPlayerError(error, 'webrtc-failed')));
  }

  private async answer(sdp: string, candidates: RemoteCandidates): Promise<void> {
    const pc = this.pc;
    if (!pc || this.closed) return;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    candidates.remoteDescriptionSet();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (this.closed) return;
    this.options.signaling.sendAnswer(pc.localDescription?.sdp ?? answer.sdp ?? '');
    this.attachMedia();
  }

  /** Runs after the offer is applied: every track of the offer has been announced by then. */
  private attachMedia(): void {
    const { video, stream } = this;
    if (!video || !stream || video.srcObject === stream) return;
    if (stream.getVideoTracks().length === 0) throw new PlayerError('webrtc-failed', 'the offer carries no video track');
    video.srcObject = stream;
    this.stopFrameWatch = watchFirstFrame(video, () => this.emit('firstframe', {}));
    this.startCallbacks?.resolve();
    this.startCallbacks = undefined;
  }

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

function toIceCandidate(candidate: RTCIceCandidate): IceCandidate {
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
  return { candidate: candidate.candidate, sdpMid, sdpMLineIndex, usernameFragment };
}

/** Calls `onFrame` once, when the first video frame is presented; returns a function that cancels. */
function watchFirstFrame(video: HTMLVideoElement, onFrame: () => void): () => void {
  if (typeof video.requestVideoFrameCallback === 'function') {
    const handle = video.requestVideoFrameCallback(() => onFrame());
    return () => video.cancelVideoFrameCallback(handle);
  }
  video.addEventListener('loadeddata', onFrame, { once: true });
  return () => video.removeEventListener('loadeddata', onFrame);
}

/**
 * The answering side of a signaling where the remote peer offers (the avatar protocol): every
 * remote offer — the first, and those after an ICE restart — is answered in order. An ICE restart
 * asks the remote side for a new offer; it is refused when the remote side answers the request
 * with an error, or sends no offer in time.
 */

import { PlayerError, toPlayerError } from '../../events.js';
import type { IceCandidate } from '../../protocol.js';
import type { DebugLog } from '../transport.js';
import { RemoteCandidates } from './remote-candidates.js';
import type { WebRtcSignaling } from './webrtc-signaling.js';
import { toIceCandidate } from './ice-candidate.js';

/** The messages such a signaling carries. */
export interface OfferAnswerChannel {
  /** Subscribes to remote SDP offers; returns the function that unsubscribes. */
  onOffer(listener: (sdp: string) => void): () => void;
  /** Subscribes to trickled remote candidates (null = end of candidates). */
  onCandidate(listener: (candidate: IceCandidate | null) => void): () => void;
  sendAnswer(sdp: string): void;
  sendCandidate(candidate: IceCandidate | null): void;
  /** Subscribes to the remote side's error reports (e.g. one refusing an ICE restart); returns the function that unsubscribes. */
  onError(listener: (message: string) => void): () => void;
  /** Asks the remote side for a new offer with fresh ICE credentials; false when the request could not be sent. */
  requestIceRestart(): boolean;
}

export class RemoteOfferNegotiation implements WebRtcSignaling {
  private readonly unsubscribers: (() => void)[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** Settled by the next answered offer: the first one, or the one an ICE restart asked for. */
  private waiting: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private closed = false;
  private log: DebugLog = () => undefined;
  /** Stops waiting for the offer an ICE restart asked for (its timer and listeners). */
  private stopRestartWait: () => void = () => undefined;

  constructor(private readonly channel: OfferAnswerChannel) {}

  negotiate(pc: RTCPeerConnection, log: DebugLog): Promise<void> {
    this.log = log;
    const candidates = new RemoteCandidates(pc, log);
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate === null) this.channel.sendCandidate(null);
      else if (candidate.candidate !== '') this.channel.sendCandidate(toIceCandidate(candidate));
    });
    this.unsubscribers.push(
      this.channel.onOffer((sdp) => this.enqueue(pc, sdp, candidates)),
      this.channel.onCandidate((candidate) => candidates.add(candidate)),
    );
    return this.nextAnswer();
  }

  restartIce(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.reject(restartRefused('the signaling was closed'));
    const answered = this.nextAnswer();
    this.awaitRestartOffer(timeoutMs);
    if (!this.channel.requestIceRestart()) this.refuseRestart('the request could not be sent (the signaling channel is closed)');
    return answered;
  }

  close(): void {
    this.closed = true;
    this.stopRestartWait();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.waiting?.reject(new Error('the signaling was closed'));
    this.waiting = undefined;
  }

  private nextAnswer(): Promise<void> {
    this.waiting?.reject(new Error('superseded by a newer negotiation'));
    return new Promise<void>((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Until the restart's offer comes: an error from the remote side, or `timeoutMs` without an offer, refuses it. */
  private awaitRestartOffer(timeoutMs: number): void {
    this.stopRestartWait();
    const timer = setTimeout(() => this.refuseRestart(`no new offer within ${timeoutMs} ms`), timeoutMs);
    const offOffer = this.channel.onOffer(() => this.stopRestartWait());
    const offError = this.channel.onError((message) => this.refuseRestart(`the remote side refused it: ${message}`));
    this.stopRestartWait = () => {
      clearTimeout(timer);
      offOffer();
      offError();
      this.stopRestartWait = () => undefined;
    };
  }

  private refuseRestart(why: string): void {
    this.stopRestartWait();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(restartRefused(why));
  }

  private enqueue(pc: RTCPeerConnection, sdp: string, candidates: RemoteCandidates): void {
    candidates.hold();
    this.queue = this.queue.then(() => this.answer(pc, sdp, candidates)).then(
      () => this.settle(undefined),
      (error: unknown) => this.settle(toPlayerError(error, 'webrtc-failed')),
    );
  }

  private async answer(pc: RTCPeerConnection, sdp: string, candidates: RemoteCandidates): Promise<void> {
    if (this.closed) return;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    candidates.remoteDescriptionSet();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (this.closed) return;
    this.channel.sendAnswer(pc.localDescription?.sdp ?? answer.sdp ?? '');
  }

  private settle(error: unknown): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (error === undefined) return waiting?.resolve();
    if (waiting) return waiting.reject(error);
    // An offer nobody waited for (the server renegotiated on its own): ICE monitoring sees what follows.
    this.log(`a remote offer could not be answered: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function restartRefused(why: string): PlayerError {
  return new PlayerError('webrtc-failed', `ICE restart not negotiated: ${why}`, 'ice-failed');
}

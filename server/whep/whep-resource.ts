import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { iceCredentialsOf } from '../outputs/webrtc/ice-credentials.js';
import type { WebRtcViewer, WebRtcViewerEvents } from '../outputs/webrtc/webrtc-viewer.js';
import { restartFragment, type SdpFragment } from './sdp-fragment.js';

/** A resource whose browser has no media connection for this long is freed (RFC 9725 leaves it to us). */
export const WHEP_IDLE_MS = 20_000;

export type PatchOutcome =
  | { kind: 'trickled' }
  | { kind: 'restarted'; fragment: string; etag: string }
  | { kind: 'stale-etag' }
  | { kind: 'ufrag-mismatch' }
  | { kind: 'ended' };

/**
 * One WHEP viewer (RFC 9725): a WebRtcViewer in the answerer role behind `/whep/<id>`. It answers the
 * offer once, takes trickled candidates and ICE restarts by PATCH, and ends on DELETE or when idle.
 */
export class WhepResource {
  readonly id = randomUUID();
  private readonly viewer: WebRtcViewer;
  private generation = 0;
  private remoteUfrag = '';
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private patching: Promise<unknown> = Promise.resolve();

  constructor(
    makeViewer: (events: WebRtcViewerEvents) => WebRtcViewer,
    private readonly idleMs: number,
    private readonly log: Logger,
    private readonly onEnded: (resource: WhepResource) => void,
  ) {
    this.viewer = makeViewer({
      onLocalCandidate: () => undefined, // all of ours are in the answer: ICE-lite gathers host candidates only
      onConnected: () => {
        clearTimeout(this.idleTimer);
        this.log.info(`WHEP ${this.id}: media flowing`);
      },
      onDisconnected: (reason) => {
        this.log.info(`WHEP ${this.id}: media path lost (${reason})`);
        this.armIdleTimer();
      },
    });
    this.armIdleTimer();
  }

  /** Changes with every ICE session (RFC 9725 §4.4): a PATCH with another If-Match is stale. */
  get etag(): string {
    return `"${this.id}.${this.generation}"`;
  }

  async answer(offerSdp: string): Promise<string> {
    this.remoteUfrag = iceCredentialsOf(offerSdp).ufrag ?? '';
    return this.viewer.answerOffer(offerSdp);
  }

  /**
   * One PATCH at a time, If-Match included: a late trickle PATCH never lands in the middle of an ICE
   * restart, and of two restarts made on one ETag the second finds it stale.
   */
  patch(fragment: SdpFragment, ifMatch: string | undefined): Promise<PatchOutcome> {
    const outcome = this.patching.catch(() => undefined).then(() => this.applyPatch(fragment, ifMatch));
    this.patching = outcome;
    return outcome;
  }

  private async applyPatch(fragment: SdpFragment, ifMatch: string | undefined): Promise<PatchOutcome> {
    if (this.ended) return { kind: 'ended' };
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== this.etag) return { kind: 'stale-etag' };
    if (fragment.ufrag !== undefined && fragment.ufrag !== this.remoteUfrag) {
      if (fragment.pwd === undefined) return { kind: 'ufrag-mismatch' };
      const restarted = await this.restart(fragment.ufrag, fragment.pwd);
      return { kind: 'restarted', fragment: restarted, etag: this.etag };
    }
    for (const candidate of fragment.candidates) await this.viewer.addRemoteCandidate(candidate);
    if (fragment.endOfCandidates) await this.viewer.addRemoteCandidate(null);
    return { kind: 'trickled' };
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    this.viewer.close();
    this.log.info(`WHEP ${this.id}: ended (${reason})`);
    this.onEnded(this);
  }

  private async restart(ufrag: string, pwd: string): Promise<string> {
    this.log.info(`WHEP ${this.id}: ICE restart`);
    const ice = await this.viewer.restartIceAsAnswerer({ ufrag, pwd });
    this.remoteUfrag = ufrag;
    this.generation++;
    this.armIdleTimer();
    return restartFragment(ice, this.viewer.localDescription);
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.end(`no media connection for ${this.idleMs / 1000} s`), this.idleMs);
  }
}

import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { WebRtcViewer, WebRtcViewerEvents } from '../outputs/webrtc/webrtc-viewer.js';
import { restartFragment, type SdpFragment } from './sdp-fragment.js';

/** A resource whose browser has no media connection for this long is freed (RFC 9725 leaves it to us). */
export const WHEP_IDLE_MS = 20_000;

export type PatchOutcome =
  | { kind: 'trickled' }
  | { kind: 'restarted'; fragment: string }
  | { kind: 'ufrag-mismatch' };

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
    this.remoteUfrag = /^a=ice-ufrag:(\S+)/m.exec(offerSdp)?.[1] ?? '';
    return this.viewer.answerOffer(offerSdp);
  }

  async patch(fragment: SdpFragment): Promise<PatchOutcome> {
    if (fragment.ufrag !== undefined && fragment.ufrag !== this.remoteUfrag) {
      if (fragment.pwd === undefined) return { kind: 'ufrag-mismatch' };
      return { kind: 'restarted', fragment: await this.restart(fragment.ufrag, fragment.pwd) };
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

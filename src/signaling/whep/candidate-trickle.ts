/**
 * Trickles local ICE candidates to a WHEP session (RFC 9725 §4.3.1): held until the session's URL
 * (and after an ICE restart its new entity-tag) is known, then sent in batches, one PATCH at a
 * time. A session that answers 405, 501 or 422 does not take candidates: trickling stops for good
 * and ICE relies on the candidates the server already has (peer-reflexive ones from our checks).
 */

import type { DebugLog } from '../../transports/transport.js';
import { buildIceFragment, SDPFRAG_TYPE, type IceParameters } from './sdp-fragment.js';
import { sendWhepRequest } from './whep-http.js';

/** Candidates gathered this close together go in one PATCH. */
const BATCH_MS = 20;
const NOT_SUPPORTED = new Set([405, 422, 501]);

export interface TrickleTarget {
  url: string;
  etag: string | null;
  token: string | null;
}

export class CandidateTrickle {
  private target: TrickleTarget | undefined;
  private parameters: IceParameters | undefined;
  private pending: string[] = [];
  private ended = false;
  private unsupported = false;
  private inFlight = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly log: DebugLog) {}

  /** A new local ICE session (the first offer, or an ICE restart): what was queued for the old one is dropped. */
  startSession(parameters: IceParameters): void {
    this.parameters = parameters;
    this.pending = [];
    this.ended = false;
  }

  /** Holds candidates until `release` (while an ICE restart's new entity-tag is unknown). */
  hold(): void {
    this.target = undefined;
  }

  release(target: TrickleTarget): void {
    this.target = target;
    this.schedule();
  }

  /** A local candidate of the ICE session with username fragment `ufrag`; null = end of candidates. */
  add(candidate: string | null, ufrag: string | null): void {
    if (this.unsupported || this.closed) return;
    if (ufrag && this.parameters && ufrag !== this.parameters.ufrag) return;
    if (candidate === null) this.ended = true;
    else this.pending.push(candidate);
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.inFlight || !this.target || this.closed) return;
    if (this.pending.length === 0 && !this.ended) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, BATCH_MS);
  }

  private async flush(): Promise<void> {
    const { target, parameters } = this;
    if (!target || !parameters || this.unsupported || this.closed) return;
    const candidates = this.pending.splice(0);
    const ended = this.ended;
    if (candidates.length === 0 && !ended) return;
    this.ended = false;
    this.inFlight = true;
    try {
      const response = await sendWhepRequest({
        method: 'PATCH',
        url: target.url,
        token: target.token,
        contentType: SDPFRAG_TYPE,
        body: buildIceFragment(parameters, candidates, ended),
        ...(target.etag ? { ifMatch: target.etag } : {}),
      });
      if (NOT_SUPPORTED.has(response.status)) {
        this.unsupported = true;
        this.log(`WHEP session does not take trickled candidates (HTTP ${response.status}): relying on those in the offer/answer`);
      } else if (response.status >= 200 && response.status <= 299) {
        this.log(`WHEP trickled ${candidates.length} candidates${ended ? ' and their end' : ''} (HTTP ${response.status})`);
      } else {
        this.log(`WHEP trickle PATCH answered HTTP ${response.status}; ${candidates.length} candidates not delivered`);
      }
    } catch (error) {
      this.log(`WHEP trickle PATCH failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}

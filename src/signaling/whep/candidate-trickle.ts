/**
 * Trickles local ICE candidates to a WHEP session (RFC 9725 §4.3.1): held until the session's URL
 * (and after an ICE restart its new entity-tag) is known, then sent in batches, one PATCH at a
 * time. A session that answers 405, 501 or 422 does not take candidates: trickling stops for good
 * and ICE relies on the candidates the server already has (peer-reflexive ones from our checks).
 *
 * During an ICE restart (`hold` … `startSession`) the new credentials are not known yet, but the
 * browser may already gather for them: candidates of every ICE session are kept, and `startSession`
 * keeps those of the session it starts.
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

/** A gathered candidate (null: the end of candidates) and the ICE session (ufrag) it belongs to. */
interface Gathered {
  candidate: string | null;
  ufrag: string | null;
}

export class CandidateTrickle {
  private target: TrickleTarget | undefined;
  private parameters: IceParameters | undefined;
  /** Between `hold` and `startSession`: which ICE session candidates belong to is not known yet. */
  private sessionUnknown = false;
  private pending: Gathered[] = [];
  private unsupported = false;
  private inFlight = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly log: DebugLog) {}

  /**
   * The local ICE session now (the first offer, an ICE restart, or the previous one again after a
   * restart was rolled back): only its candidates are kept.
   */
  startSession(parameters: IceParameters): void {
    this.parameters = parameters;
    this.sessionUnknown = false;
    this.pending = this.pending.filter(({ ufrag }) => ufrag === null || ufrag === parameters.ufrag);
  }

  /** The session being restarted: holds candidates until `release`, and keeps every one until `startSession`. */
  hold(): void {
    this.target = undefined;
    this.sessionUnknown = true;
  }

  /** The parameters of the current local ICE session, if one started. */
  get session(): IceParameters | undefined {
    return this.parameters;
  }

  release(target: TrickleTarget): void {
    this.target = target;
    this.schedule();
  }

  /** A local candidate of the ICE session with username fragment `ufrag`; null = end of candidates. */
  add(candidate: string | null, ufrag: string | null): void {
    if (this.unsupported || this.closed) return;
    if (this.sessionUnknown) {
      // An end of candidates names no session; it is kept for whichever starts (a spare one is harmless).
      this.pending.push({ candidate, ufrag });
      return;
    }
    if (ufrag && this.parameters && ufrag !== this.parameters.ufrag) return;
    this.pending.push({ candidate, ufrag: this.parameters?.ufrag ?? ufrag });
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.inFlight || !this.target || this.closed) return;
    if (this.pending.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, BATCH_MS);
  }

  private async flush(): Promise<void> {
    const { target, parameters } = this;
    if (!target || !parameters || this.sessionUnknown || this.unsupported || this.closed) return;
    const batch = this.pending.splice(0);
    const candidates = batch.flatMap(({ candidate }) => (candidate === null ? [] : [candidate]));
    const ended = batch.some(({ candidate }) => candidate === null);
    if (batch.length === 0) return;
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

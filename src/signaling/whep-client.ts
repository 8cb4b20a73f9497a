/**
 * A WHEP player (WebRTC-HTTP Egress Protocol; HTTP usage as RFC 9725, WHIP, defines it): this side
 * offers recvonly audio + video, POSTs the offer and applies the 201's answer; ICE servers come
 * from `Link` headers, local candidates trickle by PATCH, an ICE restart is a PATCH with new
 * credentials, and `close()` DELETEs the session. Every HTTP answer is untrusted.
 *
 * The offer is POSTed as soon as it is created, before ICE gathering (RFC 9725 §4.3.1 "as soon as
 * possible"); the Link ICE servers are applied with setConfiguration before setLocalDescription
 * starts gathering (§4.6), so they need no ICE restart. A session that takes no trickled
 * candidates still connects: the server's candidates are in the answer and it learns ours as
 * peer-reflexive from our connectivity checks.
 */

import { PlayerError, toPlayerError } from '../events.js';
import { clip } from '../text.js';
import type { DebugLog } from '../transports/transport.js';
import type { WebRtcSignaling } from '../transports/webrtc/webrtc-signaling.js';
import { CandidateTrickle } from './whep/candidate-trickle.js';
import { iceServersFromLinkHeader } from './whep/link-header.js';
import { buildIceFragment, iceParametersOf, parseIceFragment, SDPFRAG_TYPE, SdpError, withRestartedIce, type IceParameters } from './whep/sdp-fragment.js';
import { mediaTypeOf, sendWhepRequest, whepError, type WhepRequest, type WhepResponse } from './whep/whep-http.js';

export interface WhepClientOptions {
  /** Sent as `Authorization: Bearer <token>` on every request when set. */
  token: string | null;
  /** Bounds every HTTP request (default 5 s). */
  requestTimeoutMs?: number;
}

interface WhepSession {
  url: string;
  etag: string | null;
}

export class WhepClient implements WebRtcSignaling {
  private pc: RTCPeerConnection | undefined;
  private session: WhepSession | undefined;
  private trickle: CandidateTrickle | undefined;
  private log: DebugLog = () => undefined;
  /** Only the answer to the latest restart counts (RFC 9725 §4.3.2). */
  private restartSerial = 0;
  private closed = false;

  constructor(
    private readonly endpoint: string,
    private readonly options: WhepClientOptions,
  ) {}

  async negotiate(pc: RTCPeerConnection, log: DebugLog): Promise<void> {
    this.pc = pc;
    this.log = log;
    const trickle = new CandidateTrickle(log);
    this.trickle = trickle;
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate === null) trickle.add(null, null);
      else if (candidate.candidate !== '') trickle.add(candidate.candidate, candidate.usernameFragment);
    });
    const offer = await pc.createOffer();
    const offerSdp = offer.sdp ?? '';
    trickle.startSession(sdpParameters(offerSdp));
    const response = await this.request({ method: 'POST', url: this.endpoint, contentType: 'application/sdp', body: offerSdp });
    const answer = this.acceptCreated(response);
    this.session = { url: answer.location, etag: response.headers.get('ETag') };
    if (this.closed) {
      this.deleteSession(this.session);
      throw whepError('closed while the WHEP session was being created');
    }
    this.applyLinkIceServers(pc, response.headers.get('Link'));
    await pc.setLocalDescription(offer);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    trickle.release(this.trickleTarget());
  }

  /**
   * RFC 9725 §4.3.2: new local ufrag/pwd in a PATCH (If-Match: "*"); the 200's fragment gives the
   * server's. When the PATCH fails (an HTTP error, no answer, a network error) or its answer is
   * unusable, the restart offer is rolled back: the peer connection stays on its previous ICE
   * session (local and remote), trickling goes on for it, and this rejects.
   */
  async restartIce(timeoutMs: number): Promise<void> {
    const { pc, session, trickle } = this;
    if (!pc || !session || !trickle || this.closed) throw whepError('no WHEP session to restart');
    const serial = ++this.restartSerial;
    const previous = trickle.session;
    trickle.hold();
    try {
      pc.restartIce();
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
      // The new credentials are read from the applied description, not from the offer.
      const parameters = sdpParameters(pc.localDescription?.sdp ?? '');
      trickle.startSession(parameters);
      const response = await this.request({
        method: 'PATCH',
        url: session.url,
        contentType: SDPFRAG_TYPE,
        body: buildIceFragment(parameters, [], false),
        ifMatch: '*',
        timeoutMs,
      });
      this.checkStillCurrent(serial);
      const fragment = this.acceptRestart(response);
      const remote = pc.remoteDescription?.sdp;
      if (!remote) throw whepError('the WHEP session has no remote description to restart');
      await pc.setRemoteDescription({ type: 'answer', sdp: withRestartedIce(remote, fragment) });
      session.etag = response.headers.get('ETag') ?? session.etag;
    } catch (error) {
      if (serial === this.restartSerial && !this.closed) await this.rollBackRestart(pc, trickle, previous);
      throw toPlayerError(error, 'webrtc-failed');
    }
    trickle.release(this.trickleTarget());
  }

  /** DELETEs the session with keepalive, so that it is sent even when the page is being unloaded. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.trickle?.close();
    if (this.session) this.deleteSession(this.session);
  }

  /** A newer restart, or close(), took over while this one waited. */
  private checkStillCurrent(serial: number): void {
    if (this.closed) throw whepError('closed during the ICE restart');
    if (serial !== this.restartSerial) throw whepError('superseded by a newer ICE restart');
  }

  /** Back to the ICE session before the restart: the remote description was not touched, the local offer is rolled back. */
  private async rollBackRestart(pc: RTCPeerConnection, trickle: CandidateTrickle, previous: IceParameters | undefined): Promise<void> {
    if (pc.signalingState === 'have-local-offer') {
      await pc.setLocalDescription({ type: 'rollback' }).catch((error: unknown) => {
        this.log(`WHEP ICE restart rollback failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    if (previous) trickle.startSession(previous);
    trickle.release(this.trickleTarget());
    this.log('WHEP ICE restart rolled back: the previous ICE session stays');
  }

  private deleteSession(session: WhepSession): void {
    void this.request({ method: 'DELETE', url: session.url, keepalive: true }).then(
      ({ status }) => this.log(`WHEP DELETE answered HTTP ${status}`),
      (error: unknown) => this.log(`WHEP DELETE failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private request(request: Omit<WhepRequest, 'token'>): Promise<WhepResponse> {
    return sendWhepRequest({ timeoutMs: this.options.requestTimeoutMs, ...request, token: this.options.token });
  }

  /** The POST's answer must be 201 + Location + an SDP answer; anything else ends the attempt. */
  private acceptCreated(response: WhepResponse): { location: string; sdp: string } {
    const where = `WHEP endpoint ${this.endpoint}`;
    if (response.status !== 201) throw whepError(`${where} answered HTTP ${response.status}${problemOf(response)}, not 201 Created`);
    const location = response.headers.get('Location');
    if (!location) throw whepError(`${where} sent no Location header (is it exposed to CORS?)`);
    let url: URL;
    try {
      url = new URL(location, response.url);
    } catch {
      throw whepError(`${where} sent a Location that is not a URL: ${clip(location)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw whepError(`${where} sent a Location that is not http(s): ${clip(location)}`);
    if (mediaTypeOf(response.headers) !== 'application/sdp') throw whepError(`${where} answered with ${mediaTypeOf(response.headers) || 'no content type'}, not application/sdp`);
    if (!/^v=0\r?\n/.test(response.body) || !/^m=/m.test(response.body)) throw whepError(`${where} answered with a body that is not an SDP answer`);
    return { location: url.href, sdp: response.body };
  }

  private acceptRestart(response: WhepResponse): ReturnType<typeof parseIceFragment> {
    if (response.status !== 200) throw whepError(`the WHEP session refused the ICE restart: HTTP ${response.status}${problemOf(response)}`);
    if (mediaTypeOf(response.headers) !== SDPFRAG_TYPE) throw whepError(`the WHEP session answered the ICE restart with ${mediaTypeOf(response.headers) || 'no content type'}`);
    try {
      return parseIceFragment(response.body);
    } catch (error) {
      throw whepError(`the WHEP session's ICE restart answer is unusable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The page's own ICE servers come first, the session's (`Link`) after them. */
  private applyLinkIceServers(pc: RTCPeerConnection, link: string | null): void {
    const servers = iceServersFromLinkHeader(link);
    if (servers.length === 0) return;
    const configuration = pc.getConfiguration();
    try {
      pc.setConfiguration({ ...configuration, iceServers: [...(configuration.iceServers ?? []), ...servers] });
      this.log(`WHEP ICE servers from Link: ${servers.map(({ urls }) => String(urls)).join(', ')}`);
    } catch (error) {
      this.log(`WHEP Link ICE servers not applied: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private trickleTarget() {
    return { url: this.session?.url ?? this.endpoint, etag: this.session?.etag ?? null, token: this.options.token };
  }
}

function sdpParameters(sdp: string) {
  try {
    return iceParametersOf(sdp);
  } catch (error) {
    if (error instanceof SdpError) throw new PlayerError('webrtc-failed', `the local offer is unusable: ${error.message}`, 'failed');
    throw error;
  }
}

/** An RFC 9457 problem's title or a short text body, to make the error say why. */
function problemOf(response: WhepResponse): string {
  const text = response.body.trim();
  if (text === '') return '';
  if (mediaTypeOf(response.headers).includes('json')) {
    try {
      const problem: unknown = JSON.parse(text);
      const title = typeof problem === 'object' && problem !== null ? (problem as Record<string, unknown>)['title'] ?? (problem as Record<string, unknown>)['detail'] : undefined;
      if (typeof title === 'string') return ` (${clip(title)})`;
    } catch {
      // not JSON after all: fall through to the text
    }
  }
  return ` (${clip(text.split('\n')[0] ?? '')})`;
}

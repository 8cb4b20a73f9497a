import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IceServer } from '../../src/protocol.js';
import type { Logger } from '../log.js';
import { checkViewerOffer } from '../outputs/webrtc/viewer-offer.js';
import type { WebRtcViewer, WebRtcViewerEvents } from '../outputs/webrtc/webrtc-viewer.js';
import { parseSdpFragment, SDP_FRAGMENT_TYPE } from './sdp-fragment.js';
import { WHEP_IDLE_MS, WhepResource } from './whep-resource.js';

export interface WhepOptions {
  /** Accept trickled candidates and ICE restarts by PATCH; without it PATCH answers 405. */
  trickle: boolean;
  /** Concurrent WHEP viewers; one more gets 503. */
  maxResources?: number;
  /** A resource without a media connection for this long is freed (default 20 s). */
  idleMs?: number;
}

export interface WhepEndpointDeps extends WhepOptions {
  /** The H.264 profile-level-id we send, to pick the browser's matching format. */
  profileLevelId: string;
  makeViewer(events: WebRtcViewerEvents): WebRtcViewer;
  /** ICE servers for the Link headers, e.g. TURN with a fresh credential (whose username names no resource). */
  iceServers(): IceServer[];
  log: Logger;
}

export const WHEP_PATH = '/whep';
const MAX_BODY_BYTES = 64 * 1024;
const BODY_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESOURCES = 64;
const SDP_TYPE = 'application/sdp';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * WHEP (RFC 9725) on the server's HTTP port: `POST /whep` with the browser's offer makes a resource at
 * `/whep/<id>`; `PATCH` trickles candidates or restarts ICE; `DELETE` ends it. Every answer carries CORS
 * headers, so that a player on any origin can read Location, Link and ETag.
 */
export class WhepEndpoint {
  private readonly resources = new Map<string, WhepResource>();

  constructor(private readonly deps: WhepEndpointDeps) {}

  get viewers(): number {
    return this.resources.size;
  }

  handles(path: string): boolean {
    return path === WHEP_PATH || path.startsWith(`${WHEP_PATH}/`);
  }

  serve(request: IncomingMessage, response: ServerResponse, path: string): void {
    setCors(response);
    this.route(request, response, path).catch((error: unknown) => {
      if (error instanceof HttpError) return reply(response, error.status, error.message, error.headers);
      this.deps.log.error(`WHEP ${request.method} ${path}: ${String(error)}`);
      reply(response, 500, 'internal error');
    });
  }

  closeAll(): void {
    for (const resource of this.resources.values()) resource.end('server shutting down');
  }

  private async route(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const method = request.method ?? 'GET';
    if (path === WHEP_PATH) {
      if (method === 'OPTIONS') return reply(response, 204, '', { 'Accept-Post': SDP_TYPE });
      if (method === 'POST') return this.create(request, response);
      throw new HttpError(405, 'use POST with an SDP offer', { Allow: 'POST, OPTIONS' });
    }
    const resource = this.resources.get(path.slice(WHEP_PATH.length + 1));
    // A preflight is answered even for an unknown resource: the browser then sees the real status (404) of
    // the request that follows, instead of a CORS failure that hides it.
    if (method === 'OPTIONS') return reply(response, 204, '', resource && this.deps.trickle ? { 'Accept-Patch': SDP_FRAGMENT_TYPE } : {});
    if (!resource) throw new HttpError(404, 'no such WHEP resource');
    switch (method) {
      case 'PATCH':
        return this.patch(request, response, resource);
      case 'DELETE':
        resource.end('DELETE');
        return reply(response, 200, '');
      default:
        throw new HttpError(405, 'a WHEP resource takes PATCH and DELETE', { Allow: this.resourceMethods() });
    }
  }

  private async create(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requireType(request, SDP_TYPE);
    const offer = await readBody(request);
    const checked = checkViewerOffer(offer, this.deps.profileLevelId);
    if (!checked.ok) throw new HttpError(400, checked.message);
    if (this.resources.size >= (this.deps.maxResources ?? DEFAULT_MAX_RESOURCES)) {
      throw new HttpError(503, 'too many WHEP viewers', { 'Retry-After': '10' });
    }
    const resource = new WhepResource(this.deps.makeViewer, this.deps.idleMs ?? WHEP_IDLE_MS, this.deps.log, (ended) => this.resources.delete(ended.id));
    this.resources.set(resource.id, resource);
    let answer: string;
    try {
      answer = await resource.answer(checked.sdp);
    } catch (error) {
      resource.end('the offer could not be answered');
      throw new HttpError(400, `the offer could not be answered: ${(error as Error).message}`);
    }
    const links = this.deps.iceServers().flatMap(linkHeaders);
    if (links.length > 0) response.setHeader('Link', links);
    if (this.deps.trickle) response.setHeader('Accept-Patch', SDP_FRAGMENT_TYPE);
    reply(response, 201, answer, { 'Content-Type': SDP_TYPE, Location: `${WHEP_PATH}/${resource.id}`, ETag: resource.etag });
  }

  private async patch(request: IncomingMessage, response: ServerResponse, resource: WhepResource): Promise<void> {
    if (!this.deps.trickle) throw new HttpError(405, 'this server takes no trickle: all candidates go in the offer', { Allow: 'DELETE, OPTIONS' });
    requireType(request, SDP_FRAGMENT_TYPE);
    const fragment = parseSdpFragment(await readBody(request));
    if (!fragment) throw new HttpError(400, 'the body is not an SDP fragment');
    const outcome = await resource.patch(fragment, request.headers['if-match']);
    switch (outcome.kind) {
      case 'trickled':
        return reply(response, 204, '');
      case 'restarted':
        return reply(response, 200, outcome.fragment, { 'Content-Type': SDP_FRAGMENT_TYPE, ETag: outcome.etag });
      case 'stale-etag':
        throw new HttpError(412, 'stale ETag: the ICE session changed');
      case 'ufrag-mismatch':
        throw new HttpError(422, 'the candidates belong to another ICE session (ice-ufrag does not match)');
      case 'ended':
        throw new HttpError(404, 'no such WHEP resource');
    }
  }

  private resourceMethods(): string {
    return this.deps.trickle ? 'PATCH, DELETE, OPTIONS' : 'DELETE, OPTIONS';
  }
}

function setCors(response: ServerResponse): void {
  response.setHeader('Access-Control-Allow-Origin', '*');
  response.setHeader('Access-Control-Allow-Methods', 'POST, PATCH, DELETE, OPTIONS');
  response.setHeader('Access-Control-Allow-Headers', 'Content-Type, If-Match, Authorization');
  response.setHeader('Access-Control-Expose-Headers', 'Location, Link, ETag, Accept-Patch, Accept-Post');
  response.setHeader('Access-Control-Max-Age', '600');
}

function reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) return void response.destroy();
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  if (body !== '' && !response.hasHeader('Content-Type')) response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(body !== '' && !body.endsWith('\n') && status >= 400 ? `${body}\n` : body);
}

function requireType(request: IncomingMessage, type: string): void {
  const given = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (given !== type) throw new HttpError(415, `expected Content-Type ${type}`, type === SDP_TYPE ? { 'Accept-Post': SDP_TYPE } : { 'Accept-Patch': type });
}

/** The whole body, bounded in size and time; an oversized one is drained so that the 413 reaches the client. */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES ? Infinity : 0;
    const fail = (error: HttpError) => {
      clearTimeout(timer);
      size = Infinity;
      reject(error);
    };
    const timer = setTimeout(() => fail(new HttpError(408, 'the body did not arrive in time')), BODY_TIMEOUT_MS);
    if (size === Infinity) fail(new HttpError(413, `bodies are limited to ${MAX_BODY_BYTES} bytes`));
    request.on('data', (chunk: Buffer) => {
      if (size === Infinity) return;
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) return fail(new HttpError(413, `bodies are limited to ${MAX_BODY_BYTES} bytes`));
      chunks.push(chunk);
    });
    request.on('end', () => {
      clearTimeout(timer);
      if (size !== Infinity) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => fail(new HttpError(400, error.message)));
  });
}

/** RFC 9725 §4.6: one Link per ICE server URL, with the TURN credential as attributes. */
function linkHeaders(server: IceServer): string[] {
  const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
  return urls.map((url) => {
    const credentials = server.username !== undefined && server.credential !== undefined
      ? `; username="${server.username}"; credential="${server.credential}"; credential-type="password"`
      : '';
    return `<${url}>; rel="ice-server"${credentials}`;
  });
}

/**
 * The HTTP side of WHEP: every request bounded in time, every response untrusted and bounded in size.
 * Failures are PlayerError('webrtc-failed', …, 'failed') with a message that names the request.
 */

import { PlayerError } from '../../events.js';

export const REQUEST_TIMEOUT_MS = 5_000;
/** An SDP answer with every candidate of a busy server stays far below this. */
export const MAX_BODY_BYTES = 128 * 1024;

export interface WhepRequest {
  method: 'POST' | 'PATCH' | 'DELETE';
  url: string;
  token: string | null;
  contentType?: string;
  body?: string;
  ifMatch?: string;
  /** Lets the request outlive the page (DELETE on unload). */
  keepalive?: boolean;
  timeoutMs?: number;
}

export interface WhepResponse {
  status: number;
  /** The URL the answer came from, after redirects: relative `Location`s resolve against it. */
  url: string;
  headers: Headers;
  body: string;
}

export function whepError(message: string): PlayerError {
  return new PlayerError('webrtc-failed', message, 'failed');
}

/** Sends one request and reads its whole (bounded) body; rejects with a PlayerError, never with anything else. */
export async function sendWhepRequest(request: WhepRequest): Promise<WhepResponse> {
  const timeoutMs = request.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const what = `WHEP ${request.method} ${request.url}`;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: headersOf(request),
      body: request.body,
      keepalive: request.keepalive ?? false,
      signal: controller.signal,
      cache: 'no-store',
      redirect: 'follow',
    });
    const body = await readBoundedText(response, MAX_BODY_BYTES, what);
    return { status: response.status, url: response.url || request.url, headers: response.headers, body };
  } catch (error) {
    if (error instanceof PlayerError) throw error;
    if (controller.signal.aborted) throw whepError(`${what}: no answer within ${timeoutMs} ms`);
    throw whepError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

function headersOf(request: WhepRequest): Headers {
  const headers = new Headers();
  if (request.contentType) headers.set('Content-Type', request.contentType);
  if (request.ifMatch) headers.set('If-Match', request.ifMatch);
  // RFC 9725 §4.5: no Authorization header at all when there is no token.
  if (request.token) headers.set('Authorization', `Bearer ${request.token}`);
  return headers;
}

/** Reads at most `maxBytes`; a longer body is an error, and its rest is never downloaded. */
async function readBoundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('Content-Length') ?? NaN);
  if (declared > maxBytes) throw whepError(`${what}: the answer of ${declared} bytes is larger than ${maxBytes}`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      void reader.cancel();
      throw whepError(`${what}: the answer is larger than ${maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** The media type of a response, without parameters, in lower case ('' when absent). */
export function mediaTypeOf(headers: Headers): string {
  return (headers.get('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Element attributes → PlayerConfig. Every attribute is untrusted input: a bad value gets a
 * ConfigError with a stable code and the attribute's name, and the default is used instead.
 */

import type { IceServer, TransportKind } from './protocol.js';
import { PROTOCOL_LIMITS } from './protocol-validation.js';
import { clip } from './text.js';

export interface PlayerConfig {
  /** The avatar server's signaling WebSocket URL (ws: or wss:); null when absent or invalid. */
  src: string | null;
  /** A WHEP endpoint (http: or https:) for the `webrtc` path, used instead of `src`; null when absent or invalid. */
  whep: string | null;
  /** A WebSocket carrying a plain fragmented-MP4 byte stream, for the `mse` path; null when absent or invalid. */
  mseSrc: string | null;
  /** Media paths to try, in order. */
  transports: TransportKind[];
  iceServers: IceServer[];
  iceTransportPolicy: 'all' | 'relay';
  /** Target latency in ms; null leaves it to the transport. */
  latencyMs: number | null;
  muted: boolean;
  autoplay: boolean;
  token: string | null;
  debug: boolean;
}

export type ConfigErrorCode = 'invalid-attribute';

export interface ConfigError {
  code: ConfigErrorCode;
  /** The attribute's name as written in HTML, e.g. 'ice-servers'. */
  attribute: AttributeName;
  message: string;
  /** True when the player cannot play with this config at all. */
  fatal: boolean;
}

export const ATTRIBUTE_NAMES = [
  'src',
  'whep',
  'mse-src',
  'transports',
  'ice-servers',
  'ice-transport-policy',
  'latency',
  'muted',
  'autoplay',
  'token',
  'debug',
] as const;

export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

/** Attribute values as `getAttribute` returns them: null (or absent) when the attribute is not set. */
export type AttributeValues = Partial<Record<AttributeName, string | null>>;

export const KNOWN_TRANSPORTS: readonly TransportKind[] = ['webrtc', 'mse'];

const MAX_LATENCY_MS = 60_000;
const ICE_URL_SCHEMES = ['stun:', 'stuns:', 'turn:', 'turns:'];

export function defaultConfig(): PlayerConfig {
  return {
    src: null,
    whep: null,
    mseSrc: null,
    transports: [...KNOWN_TRANSPORTS],
    iceServers: [],
    iceTransportPolicy: 'all',
    latencyMs: null,
    muted: false,
    autoplay: true,
    token: null,
    debug: false,
  };
}

export function parseConfig(attributes: AttributeValues): { config: PlayerConfig; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const config = defaultConfig();
  const read = <T>(name: AttributeName, parse: (value: string) => T, apply: (value: T) => void): void => {
    const raw = attributes[name];
    if (raw === null || raw === undefined) return;
    try {
      apply(parse(raw));
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      errors.push({ code: 'invalid-attribute', attribute: name, message: error.message, fatal: error.fatal });
    }
  };

  read('src', (raw) => parseWebSocketUrl('src', raw, true), (value) => (config.src = value));
  read('whep', parseHttpUrl, (value) => (config.whep = value));
  // Not fatal: the mse path then falls back to the avatar server at src, if there is one.
  read('mse-src', (raw) => parseWebSocketUrl('mse-src', raw, false), (value) => (config.mseSrc = value));
  read('transports', (raw) => parseTransports(raw, errors), (value) => (config.transports = value));
  read('ice-servers', parseIceServers, (value) => (config.iceServers = value));
  read('ice-transport-policy', parseIcePolicy, (value) => (config.iceTransportPolicy = value));
  read('latency', parseLatency, (value) => (config.latencyMs = value));
  read('muted', parseBoolean, (value) => (config.muted = value));
  read('autoplay', parseBoolean, (value) => (config.autoplay = value));
  read('token', parseToken, (value) => (config.token = value));
  read('debug', parseBoolean, (value) => (config.debug = value));
  return { config, errors };
}

class InvalidValue extends Error {
  constructor(
    message: string,
    readonly fatal = false,
  ) {
    super(message);
  }
}

function parseWebSocketUrl(name: AttributeName, raw: string, fatal: boolean): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidValue(`${name} "${clip(raw)}" is not a URL`, fatal);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new InvalidValue(`${name} must be a ws: or wss: URL, not ${url.protocol}`, fatal);
  }
  return url.href;
}

/** Fatal like a bad `src`: a page that names a WHEP endpoint means to play from it. */
function parseHttpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidValue(`whep "${clip(raw)}" is not a URL`, true);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidValue(`whep must be an http: or https: URL, not ${url.protocol}`, true);
  return url.href;
}

function parseTransports(raw: string, errors: ConfigError[]): TransportKind[] {
  const names = raw
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const known = names.filter(isKnownTransport);
  const unknown = names.filter((name) => !isKnownTransport(name));
  if (known.length === 0) {
    errors.push({
      code: 'invalid-attribute',
      attribute: 'transports',
      message: `transports "${clip(raw)}" names no known transport (${KNOWN_TRANSPORTS.join(', ')})`,
      fatal: true,
    });
  } else if (unknown.length > 0) {
    errors.push({
      code: 'invalid-attribute',
      attribute: 'transports',
      message: `unknown transports ignored: ${unknown.map(clip).join(', ')}`,
      fatal: false,
    });
  }
  return [...new Set(known)];
}

function isKnownTransport(name: string): name is TransportKind {
  return (KNOWN_TRANSPORTS as readonly string[]).includes(name);
}

function parseIceServers(raw: string): IceServer[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidValue('ice-servers is not valid JSON');
  }
  if (!Array.isArray(value)) throw new InvalidValue('ice-servers must be a JSON array of RTCIceServer');
  if (value.length > PROTOCOL_LIMITS.iceServersCount) {
    throw new InvalidValue(`ice-servers lists more than ${PROTOCOL_LIMITS.iceServersCount} servers`);
  }
  return value.map((entry, index) => parseIceServer(entry, index));
}

function parseIceServer(entry: unknown, index: number): IceServer {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new InvalidValue(`ice-servers[${index}] is not an object`);
  }
  const fields = entry as Record<string, unknown>;
  const urls = fields['urls'];
  const list = typeof urls === 'string' ? [urls] : urls;
  if (!Array.isArray(list) || list.length === 0 || list.length > PROTOCOL_LIMITS.iceUrlsCount) {
    throw new InvalidValue(`ice-servers[${index}].urls must be a URL or a non-empty array of URLs`);
  }
  for (const url of list) {
    if (typeof url !== 'string' || url.length > PROTOCOL_LIMITS.iceUrlLength || !hasIceScheme(url)) {
      throw new InvalidValue(`ice-servers[${index}].urls has an entry that is not a stun:/turn: URL`);
    }
  }
  const server: IceServer = { urls: typeof urls === 'string' ? urls : [...(list as string[])] };
  for (const key of ['username', 'credential'] as const) {
    const field = fields[key];
    if (field === undefined) continue;
    if (typeof field !== 'string' || field.length > PROTOCOL_LIMITS.iceCredentialLength) {
      throw new InvalidValue(`ice-servers[${index}].${key} must be a string`);
    }
    server[key] = field;
  }
  return server;
}

function hasIceScheme(url: string): boolean {
  const lower = url.toLowerCase();
  return ICE_URL_SCHEMES.some((scheme) => lower.startsWith(scheme) && lower.length > scheme.length);
}

function parseIcePolicy(raw: string): 'all' | 'relay' {
  if (raw === 'all' || raw === 'relay') return raw;
  throw new InvalidValue(`ice-transport-policy must be "all" or "relay", not "${clip(raw)}"`);
}

function parseLatency(raw: string): number {
  const trimmed = raw.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_LATENCY_MS) {
    throw new InvalidValue(`latency must be a whole number of ms between 1 and ${MAX_LATENCY_MS}, not "${clip(raw)}"`);
  }
  return value;
}

/** HTML boolean attributes: present means true; "false" is accepted as an explicit no (autoplay="false"). */
function parseBoolean(raw: string): boolean {
  return raw.trim().toLowerCase() !== 'false';
}

function parseToken(raw: string): string | null {
  if (raw.length > PROTOCOL_LIMITS.tokenLength) {
    throw new InvalidValue(`token is longer than ${PROTOCOL_LIMITS.tokenLength} characters`);
  }
  return raw === '' ? null : raw;
}

/**
 * ICE servers from WHEP `Link` headers (RFC 9725 §4.6, RFC 8288):
 * `<turn:turn.example.net?transport=tcp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"`.
 * The header is untrusted: anything that is not a well-formed ice-server link is skipped.
 */

import type { IceServer } from '../../protocol.js';

const ICE_SCHEMES = ['stun:', 'stuns:', 'turn:', 'turns:'];
const MAX_LINKS = 16;
const MAX_VALUE_LENGTH = 1024;

/** Parses one `Link` field value (several links, comma-separated, as `Headers.get` joins them). */
export function iceServersFromLinkHeader(header: string | null): IceServer[] {
  if (!header) return [];
  const servers: IceServer[] = [];
  for (const link of splitLinks(header).slice(0, MAX_LINKS)) {
    const server = iceServerOf(link);
    if (server) servers.push(server);
  }
  return servers;
}

interface Link {
  target: string;
  params: Map<string, string>;
}

/** Splits at commas outside `<…>` and quoted strings; each part parsed into its target and parameters. */
function splitLinks(header: string): Link[] {
  const links: Link[] = [];
  let index = 0;
  while (index < header.length) {
    const open = header.indexOf('<', index);
    if (open < 0) break;
    const close = header.indexOf('>', open + 1);
    if (close < 0) break;
    const target = header.slice(open + 1, close).trim();
    const { params, end } = readParams(header, close + 1);
    links.push({ target, params });
    index = end;
  }
  return links;
}

/** Reads `; name=value` or `; name="quoted"` pairs up to the next top-level comma. */
function readParams(header: string, start: number): { params: Map<string, string>; end: number } {
  const params = new Map<string, string>();
  const pattern = /\s*;\s*([A-Za-z0-9!#$&+\-.^_`|~*]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*)))?/y;
  let index = start;
  for (;;) {
    pattern.lastIndex = index;
    const match = pattern.exec(header);
    if (!match) break;
    const name = (match[1] ?? '').toLowerCase();
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    if (!params.has(name)) params.set(name, value);
    index = pattern.lastIndex;
  }
  const comma = header.indexOf(',', index);
  return { params, end: comma < 0 ? header.length : comma + 1 };
}

function iceServerOf({ target, params }: Link): IceServer | undefined {
  const rel = params.get('rel');
  if (!rel || !rel.toLowerCase().split(/\s+/).includes('ice-server')) return undefined;
  if (target.length > MAX_VALUE_LENGTH || !ICE_SCHEMES.some((scheme) => target.toLowerCase().startsWith(scheme))) return undefined;
  const server: IceServer = { urls: target };
  const username = params.get('username');
  const credential = params.get('credential');
  const credentialType = params.get('credential-type');
  if (credentialType !== undefined && credentialType !== 'password') return undefined;
  if (username !== undefined && username.length <= MAX_VALUE_LENGTH) server.username = username;
  if (credential !== undefined && credential.length <= MAX_VALUE_LENGTH) server.credential = credential;
  return server;
}

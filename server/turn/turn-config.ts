import { readFileSync } from 'node:fs';
import type { TurnConfig } from './turn-credentials.js';

export const DEFAULT_TURN_TTL_SECONDS = 86_400;
const MAX_TURN_TTL_SECONDS = 7 * 86_400;

export class TurnConfigError extends Error {
  readonly code = 'bad-turn-config';
}

export interface TurnArgs {
  urls: string[];
  secretFile?: string;
  ttl?: string;
}

/**
 * TURN settings from the command line and the environment. The secret never comes from an argument
 * (`ps` would show it): from AVATAR_TURN_SECRET or a file. No URL and no secret means no TURN.
 */
export function turnConfigFromArgs(args: TurnArgs, env: NodeJS.ProcessEnv = process.env): TurnConfig | undefined {
  const secret = readSecret(args.secretFile, env);
  if (args.urls.length === 0 && secret === undefined) {
    if (args.ttl !== undefined) throw new TurnConfigError('--turn-ttl needs --turn-url and a TURN secret');
    return undefined;
  }
  if (args.urls.length === 0) throw new TurnConfigError('a TURN secret is set but no --turn-url is given');
  if (secret === undefined) throw new TurnConfigError('--turn-url needs a secret: set AVATAR_TURN_SECRET or pass --turn-secret-file FILE');
  return { secret, urls: args.urls.map(checkTurnUrl), ttlSeconds: parseTtl(args.ttl) };
}

function readSecret(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file !== undefined) {
    if (env.AVATAR_TURN_SECRET) throw new TurnConfigError('give the TURN secret either in AVATAR_TURN_SECRET or in --turn-secret-file, not both');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new TurnConfigError(`cannot read --turn-secret-file ${file}: ${(error as Error).message}`);
    }
    const secret = text.trim();
    if (secret === '') throw new TurnConfigError(`--turn-secret-file ${file} is empty`);
    return secret;
  }
  const secret = env.AVATAR_TURN_SECRET?.trim();
  return secret ? secret : undefined;
}

function checkTurnUrl(url: string): string {
  if (!/^turns?:[^\s?]+(\?transport=(udp|tcp))?$/.test(url)) {
    throw new TurnConfigError(`bad --turn-url ${JSON.stringify(url)}: expected turn:HOST[:PORT][?transport=udp|tcp] or turns:…`);
  }
  return url;
}

function parseTtl(ttl: string | undefined): number {
  if (ttl === undefined) return DEFAULT_TURN_TTL_SECONDS;
  const seconds = Number(ttl);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > MAX_TURN_TTL_SECONDS) {
    throw new TurnConfigError(`bad --turn-ttl ${JSON.stringify(ttl)}: whole seconds from 60 to ${MAX_TURN_TTL_SECONDS}`);
  }
  return seconds;
}

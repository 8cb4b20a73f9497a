import { createHmac, randomBytes } from 'node:crypto';
import type { IceServer } from '../../src/protocol.js';

/** A TURN server that shares a secret with us (coturn `use-auth-secret` + `static-auth-secret`). */
export interface TurnConfig {
  secret: string;
  /** turn:/turns: URLs handed to clients, e.g. `turn:turn.example.com:3478?transport=tcp`. */
  urls: string[];
  ttlSeconds: number;
}

/**
 * A short-lived TURN credential (the "TURN REST API" scheme coturn implements): the username carries its
 * own expiry, the password is the HMAC of the username under the shared secret, so the TURN server
 * checks it without asking us, and refuses it once the expiry has passed. The user part defaults to a
 * fresh random name: the username ends up in the TURN server's logs, so it must not carry a session or
 * WHEP resource id (a WHEP resource id is the capability to PATCH and DELETE that session).
 */
export function turnIceServer(config: TurnConfig, user = anonymousTurnUser(), nowMs = Date.now()): IceServer {
  const expiryUnixSeconds = Math.floor(nowMs / 1000) + config.ttlSeconds;
  const username = `${expiryUnixSeconds}:${user}`;
  const credential = createHmac('sha1', config.secret).update(username).digest('base64');
  return { urls: [...config.urls], username, credential };
}

/** 72 random bits, base64url: unguessable, unlinkable to any session, and free of the `:` separator. */
export function anonymousTurnUser(): string {
  return randomBytes(9).toString('base64url');
}

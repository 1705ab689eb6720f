import type { IncomingMessage } from 'node:http';
import type { ApiKeyRole } from './api-key.js';

/** Who is calling: an API key's identity, resolved from its secret. */
export interface Principal {
  keyId: string;
  role: ApiKeyRole;
  merchantId: string | null;
  /** How the desk names this key's holder: the key's name, else its prefix. */
  label?: string;
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * The peer address failed authentications are counted against. The socket's
 * own address, never X-Forwarded-For: a header any caller can set would let
 * a guesser pick a fresh address per attempt.
 */
export function clientAddress(request: Pick<IncomingMessage, 'socket'>): string {
  return request.socket.remoteAddress ?? 'unknown';
}

import type { ApiKeyRole } from './api-key.entity.js';

/** Who is calling: an API key's identity, resolved from its secret. */
export interface Principal {
  keyId: string;
  role: ApiKeyRole;
  merchantId: string | null;
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

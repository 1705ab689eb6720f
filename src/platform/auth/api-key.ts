export const API_KEY_ROLES = ['ingest', 'reviewer', 'merchant'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** An API key as stored: the secret itself is shown once and never kept. */
export interface ApiKey {
  id: string;
  role: ApiKeyRole;
  merchantId: string | null;
  /** Who holds the key ("Lin, T&S night shift"), shown on claims and decisions; optional. */
  name?: string | null;
  /** SHA-256 of the secret. */
  keyHash: string;
  /** The first characters of the secret, so an operator can tell keys apart. */
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

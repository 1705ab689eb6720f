import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/database.module.js';
import type { ApiKey, ApiKeyRole } from './api-key.js';

interface ApiKeyRow {
  id: string;
  role: ApiKeyRole;
  merchant_id: string | null;
  name: string | null;
  key_hash: string;
  key_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const API_KEY_COLUMNS = 'id, role, merchant_id, name, key_hash, key_prefix, created_at, revoked_at';

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    role: row.role,
    merchantId: row.merchant_id,
    name: row.name,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** The `api_keys` table. */
@Injectable()
export class ApiKeyRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async create(key: Pick<ApiKey, 'role' | 'merchantId' | 'name' | 'keyHash' | 'keyPrefix'>): Promise<ApiKey> {
    const { rows } = await this.pool.query<ApiKeyRow>(
      `INSERT INTO api_keys (role, merchant_id, name, key_hash, key_prefix) VALUES ($1, $2, $3, $4, $5) RETURNING ${API_KEY_COLUMNS}`,
      [key.role, key.merchantId, key.name ?? null, key.keyHash, key.keyPrefix],
    );
    return toApiKey(rows[0]!);
  }

  /** Newest first, revoked ones included. */
  async list(): Promise<ApiKey[]> {
    const { rows } = await this.pool.query<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id`);
    return rows.map(toApiKey);
  }

  /** The unrevoked key with this secret hash, if any. */
  async findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    const { rows } = await this.pool.query<ApiKeyRow>(
      `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  /** Revokes the key now; false when there is no key with this id. Revoking a revoked key keeps its first revocation time. */
  async revoke(id: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH revoked AS (UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id)
       SELECT id FROM revoked UNION ALL SELECT id FROM api_keys WHERE id = $1`,
      [id],
    );
    return rows.length > 0;
  }
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { ApiKeyRole } from './api-key.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { KeyRevocations } from './key-revocations.js';
import type { Principal } from './principal.js';

/** How long a resolved key is trusted without asking PostgreSQL again; revocations are pushed, so this is only a safety net. */
const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 10_000;

export interface CreatedApiKey {
  id: string;
  role: ApiKeyRole;
  merchantId: string | null;
  name: string | null;
  key: string;
}

export interface ApiKeyView {
  id: string;
  role: ApiKeyRole;
  merchantId: string | null;
  keyPrefix: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}

@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, { principal: Principal | null; expiresAt: number }>();
  private readonly adminKeyHash: Buffer;

  constructor(
    private readonly keys: ApiKeyRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly revocations: KeyRevocations,
  ) {
    this.adminKeyHash = sha256(config.ADMIN_KEY);
    revocations.onRevoked((keyId) => {
      for (const [hash, entry] of this.cache) if (entry.principal?.keyId === keyId) this.cache.delete(hash);
    });
  }

  isAdminKey(secret: string | undefined): boolean {
    return secret !== undefined && timingSafeEqual(sha256(secret), this.adminKeyHash);
  }

  async create(role: ApiKeyRole, merchantId: string | null, name: string | null = null): Promise<CreatedApiKey> {
    // 256 random bits: a fast hash is enough to store it, a slow KDF would
    // only add latency to every request.
    const key = `rw_${role}_${randomBytes(32).toString('base64url')}`;
    const saved = await this.keys.create({ role, merchantId, name, keyHash: sha256(key).toString('hex'), keyPrefix: key.slice(0, 16) });
    return { id: saved.id, role: saved.role, merchantId: saved.merchantId, name: saved.name ?? null, key };
  }

  async list(): Promise<ApiKeyView[]> {
    const keys = await this.keys.list();
    return keys.map((key) => ({
      id: key.id,
      role: key.role,
      merchantId: key.merchantId,
      keyPrefix: key.keyPrefix,
      name: key.name ?? null,
      createdAt: key.createdAt.toISOString(),
      revokedAt: key.revokedAt?.toISOString() ?? null,
    }));
  }

  async revoke(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundException(`api key ${id} not found`);
    if (!(await this.keys.revoke(id))) throw new NotFoundException(`api key ${id} not found`);
    await this.revocations.announce(id);
  }

  /** Resolves a secret to its principal, or null for an unknown or revoked key. */
  async authenticate(secret: string | undefined, now = Date.now()): Promise<Principal | null> {
    if (!secret || secret.length > 200) return null;
    const hash = sha256(secret).toString('hex');
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.principal;
    const key = await this.keys.findActiveByHash(hash);
    const principal = key ? { keyId: key.id, role: key.role, merchantId: key.merchantId, label: key.name ?? key.keyPrefix } : null;
    if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { principal, expiresAt: now + KEY_CACHE_TTL_MS });
    return principal;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

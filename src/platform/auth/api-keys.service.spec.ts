import { createHash } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { loadConfig } from '../config/config.js';
import type { ApiKey } from './api-key.js';
import type { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import type { KeyRevocations } from './key-revocations.js';

const ADMIN_KEY = 'a'.repeat(40);
const ID = '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c';

/** api_keys in memory, counting the lookups by hash. */
class FakeApiKeyRepository implements Pick<ApiKeyRepository, 'create' | 'list' | 'findActiveByHash' | 'revoke'> {
  readonly keys: ApiKey[] = [];
  lookups = 0;

  async create(key: Pick<ApiKey, 'role' | 'merchantId' | 'keyHash' | 'keyPrefix'>): Promise<ApiKey> {
    const stored = { ...key, id: this.keys.length === 0 ? ID : `id-${this.keys.length}`, createdAt: new Date(1_800_000_000_000 + this.keys.length), revokedAt: null };
    this.keys.push(stored);
    return stored;
  }
  async list(): Promise<ApiKey[]> {
    return [...this.keys].reverse();
  }
  async findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    this.lookups += 1;
    return this.keys.find((key) => key.keyHash === keyHash && key.revokedAt === null) ?? null;
  }
  async revoke(id: string): Promise<boolean> {
    const key = this.keys.find((k) => k.id === id);
    if (key) key.revokedAt ??= new Date(1_900_000_000_000);
    return key !== undefined;
  }
}

describe('ApiKeysService', () => {
  let keys: FakeApiKeyRepository;
  let announced: string[];
  let revocationListeners: Array<(keyId: string) => void>;
  let service: ApiKeysService;

  beforeEach(() => {
    keys = new FakeApiKeyRepository();
    announced = [];
    revocationListeners = [];
    const revocations = {
      onRevoked: (listener: (keyId: string) => void) => revocationListeners.push(listener),
      announce: async (keyId: string) => {
        announced.push(keyId);
        for (const listener of revocationListeners) listener(keyId);
      },
    } as unknown as KeyRevocations;
    service = new ApiKeysService(keys as unknown as ApiKeyRepository, loadConfig({ ADMIN_KEY }), revocations);
  });

  it('stores a new key as its SHA-256 and a prefix, never the secret', async () => {
    const created = await service.create('merchant', 'm-1');
    expect(created.key).toMatch(/^rw_merchant_[A-Za-z0-9_-]{43}$/);
    expect(keys.keys[0]).toMatchObject({
      role: 'merchant',
      merchantId: 'm-1',
      keyHash: createHash('sha256').update(created.key).digest('hex'),
      keyPrefix: created.key.slice(0, 16),
    });
    expect(JSON.stringify(await service.list())).not.toContain(created.key);
  });

  it('resolves a key to its principal, remembers the answer, and forgets it at once when the key is revoked', async () => {
    const created = await service.create('reviewer', null);
    const t0 = 1_800_000_000_000;
    // An unnamed key is labelled by its prefix (the desk names claimers and deciders so).
    await expect(service.authenticate(created.key, t0)).resolves.toEqual({ keyId: ID, role: 'reviewer', merchantId: null, label: created.key.slice(0, 16) });
    await service.authenticate(created.key, t0 + 1_000);
    expect(keys.lookups).toBe(1);
    await service.revoke(ID);
    expect(announced).toEqual([ID]);
    await expect(service.authenticate(created.key, t0 + 2_000)).resolves.toBeNull();
    expect(keys.lookups).toBe(2);
  });

  it('answers null for no key, an overlong one or an unknown one', async () => {
    await expect(service.authenticate(undefined)).resolves.toBeNull();
    await expect(service.authenticate('x'.repeat(201))).resolves.toBeNull();
    await expect(service.authenticate('rw_reviewer_unknown')).resolves.toBeNull();
    expect(keys.lookups).toBe(1);
  });

  it('answers 404 for revoking a key that does not exist or an id that is not one, announcing nothing', async () => {
    await expect(service.revoke('not-a-uuid')).rejects.toThrow(new NotFoundException('api key not-a-uuid not found'));
    await expect(service.revoke(ID)).rejects.toThrow(NotFoundException);
    expect(announced).toEqual([]);
  });

  it('recognises the admin key only exactly', () => {
    expect(service.isAdminKey(ADMIN_KEY)).toBe(true);
    expect(service.isAdminKey(`${ADMIN_KEY}x`)).toBe(false);
    expect(service.isAdminKey(undefined)).toBe(false);
  });
});

import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FailedAuthLimiter, TooManyFailedAuthentications } from './failed-auth-limiter.js';

describe('FailedAuthLimiter', () => {
  const t0 = 1_800_000_000_000;
  let warnings: string[];

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses an address once it has failed the limit within one window, until the window ends', () => {
    const limiter = new FailedAuthLimiter({ AUTH_FAILURE_LIMIT: 3, AUTH_FAILURE_WINDOW_MS: 60_000 });
    for (let i = 0; i < 2; i++) limiter.recordFailure('10.0.0.1', 'GET /v1/reports', 'unknown or revoked key', 'guess', t0 + i);
    expect(limiter.retryAfterSeconds('10.0.0.1', t0 + 10)).toBe(0);
    limiter.recordFailure('10.0.0.1', 'GET /v1/reports', 'unknown or revoked key', 'guess', t0 + 20);
    expect(limiter.retryAfterSeconds('10.0.0.1', t0 + 30_000)).toBe(30);
    expect(() => limiter.assertAllowed('10.0.0.1', t0 + 30_000)).toThrow(TooManyFailedAuthentications);
    expect(limiter.retryAfterSeconds('10.0.0.2', t0 + 30_000)).toBe(0);
    expect(limiter.retryAfterSeconds('10.0.0.1', t0 + 60_000)).toBe(0);
    limiter.recordFailure('10.0.0.1', 'GET /v1/reports', 'unknown or revoked key', 'guess', t0 + 60_001);
    expect(limiter.retryAfterSeconds('10.0.0.1', t0 + 60_002)).toBe(0);
  });

  it('logs each failure with the address and a hash prefix, never the secret', () => {
    const limiter = new FailedAuthLimiter({ AUTH_FAILURE_LIMIT: 2, AUTH_FAILURE_WINDOW_MS: 60_000 });
    const secret = 'rw_reviewer_thisIsTheWholeSecretValue0123456789';
    limiter.recordFailure('10.0.0.9', 'POST /v1/api-keys', 'not the admin key', secret, t0);
    limiter.recordFailure('10.0.0.9', 'socket.io /ingest', 'no key in auth.token', undefined, t0 + 1);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^authentication failed from 10\.0\.0\.9 on POST \/v1\/api-keys: not the admin key \(key sha256:[0-9a-f]{12}\); failure 1 of 2/);
    expect(warnings[1]).toMatch(/limit reached: refused for 60 s/);
    for (const line of warnings) expect(line).not.toContain(secret.slice(4));
  });

  it('keeps the number of tracked addresses bounded', () => {
    const limiter = new FailedAuthLimiter({ AUTH_FAILURE_LIMIT: 1, AUTH_FAILURE_WINDOW_MS: 60_000 });
    for (let i = 0; i < 100_010; i++) limiter.recordFailure(`addr-${i}`, 'GET /', 'no Bearer key', undefined, t0);
    expect(limiter.retryAfterSeconds('addr-100009', t0 + 1)).toBe(60);
    expect(limiter.retryAfterSeconds('addr-0', t0 + 1)).toBe(0);
  });
});

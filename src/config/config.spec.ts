import { ConfigError, loadConfig } from './config.js';

const ADMIN_KEY = 'an-admin-key-of-enough-length';

describe('loadConfig', () => {
  it('fills the contract defaults', () => {
    expect(loadConfig({ ADMIN_KEY })).toMatchObject({
      PORT: 3000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/roomwatch',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ENFORCEMENT_ATTEMPTS: 8,
      ENFORCEMENT_BACKOFF_MS: 5_000,
    });
  });

  it('reads the enforcement tuning from the environment', () => {
    expect(loadConfig({ ADMIN_KEY, ENFORCEMENT_ATTEMPTS: '3', ENFORCEMENT_BACKOFF_MS: '40' })).toMatchObject({
      ENFORCEMENT_ATTEMPTS: 3,
      ENFORCEMENT_BACKOFF_MS: 40,
    });
  });

  it('names every variable that is missing or wrong', () => {
    expect(() => loadConfig({ ENFORCEMENT_ATTEMPTS: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ ENFORCEMENT_ATTEMPTS: 'many' })).toThrow(/ADMIN_KEY.*ENFORCEMENT_ATTEMPTS|ENFORCEMENT_ATTEMPTS.*ADMIN_KEY/);
  });
});

import { ConfigError, loadConfig } from './config.js';

const ADMIN_KEY = 'an-admin-key-of-enough-length-0123456789';

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

describe('loadConfig: auth limits', () => {
  it('refuses an ADMIN_KEY shorter than 32 characters and says how to make one', () => {
    expect(() => loadConfig({ ADMIN_KEY: 'a'.repeat(31) })).toThrow(/ADMIN_KEY must be at least 32 characters \(openssl rand -hex 32\)/);
    expect(loadConfig({ ADMIN_KEY: 'a'.repeat(32) }).ADMIN_KEY).toHaveLength(32);
  });

  it('reads the failed-authentication limit and the listen address', () => {
    expect(loadConfig({ ADMIN_KEY })).toMatchObject({ AUTH_FAILURE_LIMIT: 20, AUTH_FAILURE_WINDOW_MS: 60_000, HOST: '0.0.0.0' });
    expect(loadConfig({ ADMIN_KEY, AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_MS: '2000', HOST: '127.0.0.1' })).toMatchObject({
      AUTH_FAILURE_LIMIT: 5,
      AUTH_FAILURE_WINDOW_MS: 2_000,
      HOST: '127.0.0.1',
    });
    expect(() => loadConfig({ ADMIN_KEY, AUTH_FAILURE_LIMIT: '0' })).toThrow(/AUTH_FAILURE_LIMIT/);
  });
});

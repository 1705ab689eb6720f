import { mayViewStream } from './stream-visibility.js';

describe('mayViewStream', () => {
  it('lets reviewers see every stream and a merchant only its own', () => {
    expect(mayViewStream({ keyId: 'r', role: 'reviewer', merchantId: null }, 'm-a')).toBe(true);
    expect(mayViewStream({ keyId: 'r', role: 'reviewer', merchantId: null }, null)).toBe(true);
    expect(mayViewStream({ keyId: 'a', role: 'merchant', merchantId: 'm-a' }, 'm-a')).toBe(true);
    expect(mayViewStream({ keyId: 'a', role: 'merchant', merchantId: 'm-a' }, 'm-b')).toBe(false);
  });

  it('shows an ownerless stream to no merchant, and nothing to an ingest key', () => {
    expect(mayViewStream({ keyId: 'a', role: 'merchant', merchantId: 'm-a' }, null)).toBe(false);
    expect(mayViewStream({ keyId: 'x', role: 'merchant', merchantId: null }, null)).toBe(false);
    expect(mayViewStream({ keyId: 'i', role: 'ingest', merchantId: null }, 'm-a')).toBe(false);
  });
});

import { decodeCursor, encodeCursor } from './report-view.js';

describe('report cursor', () => {
  it('round-trips the exact PostgreSQL timestamp and id', () => {
    const cursor = { createdAt: '2026-11-24 00:19:03.123456+00', id: '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('refuses anything it did not issue', () => {
    expect(decodeCursor('garbage')).toBeNull();
    expect(decodeCursor(Buffer.from('["yesterday","x"]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
    expect(
      decodeCursor(Buffer.from(`["2026-11-24 00:19:03+00","1'; DROP TABLE reports; --"]`).toString('base64url')),
    ).toBeNull();
  });
});

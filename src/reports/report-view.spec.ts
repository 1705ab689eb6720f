import { decodeCursor, encodeCursor } from './report-view.js';

describe('report cursor', () => {
  it('round-trips the exact PostgreSQL timestamp and id', () => {
    const cursor = { createdAt: '2026-11-24 00:19:03.123456+00', id: '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('refuses a cursor whose timestamp has the shape but does not exist', () => {
    const id = '3f2b8c1e-6a0d-4c3e-9b1a-2d4e5f6a7b8c';
    for (const createdAt of ['9999-99-99 99:99:99+00', '2026-02-30 00:00:00+00', '2026-11-24 24:00:00+00', '0000-01-01 00:00:00+00', '2026-11-24 00:00:00+99']) {
      expect(decodeCursor(encodeCursor({ createdAt, id }))).toBeNull();
    }
    expect(decodeCursor(encodeCursor({ createdAt: '2024-02-29 23:59:59+05:30', id }))).toEqual({ createdAt: '2024-02-29 23:59:59+05:30', id });
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

import { validateEvent } from './event.schema.js';

const comment = { id: 'e1', type: 'comment', roomId: 'r1', streamId: 's1', ts: 1_700_000_000_000, accountId: 'a1', text: '666' };

describe('validateEvent', () => {
  it('accepts a well-formed comment', () => {
    const result = validateEvent(comment);
    expect(result.ok).toBe(true);
  });

  it('names the field of a bad comment text', () => {
    const result = validateEvent({ ...comment, text: '' });
    expect(result).toEqual({ ok: false, id: 'e1', error: expect.stringContaining('text:') });
  });

  it('counts text length in characters, not UTF-16 units', () => {
    expect(validateEvent({ ...comment, text: '😀'.repeat(500) }).ok).toBe(true);
    expect(validateEvent({ ...comment, text: '😀'.repeat(501) }).ok).toBe(false);
  });

  it('refuses text PostgreSQL cannot store, naming the field', () => {
    expect(validateEvent({ ...comment, text: 'a\u0000b' })).toEqual({ ok: false, id: 'e1', error: expect.stringMatching(/^text: contains a NUL/) });
    expect(validateEvent({ ...comment, text: 'half \ud83d emoji' })).toEqual({ ok: false, id: 'e1', error: expect.stringMatching(/^text: /) });
    expect(validateEvent({ ...comment, accountId: '\udc00x' })).toEqual({ ok: false, id: 'e1', error: expect.stringMatching(/^accountId: /) });
    expect(validateEvent({ ...comment, text: 'whole 😀 emoji and a literal \\u0000' }).ok).toBe(true);
  });
});

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

describe('validateEvent: hostile input', () => {
  it('refuses a multi-million-character text by its length alone', () => {
    const huge = '😀'.repeat(4_000_000);
    expect(validateEvent({ ...comment, text: huge })).toEqual({ ok: false, id: 'e1', error: 'text: must be 1–500 characters' });
    expect(validateEvent({ ...comment, text: 'a'.repeat(1001) })).toEqual({ ok: false, id: 'e1', error: 'text: must be 1–500 characters' });
    expect(validateEvent({ ...comment, text: `${'😀'.repeat(499)}a` }).ok).toBe(true);
    expect(validateEvent({ ...comment, text: `${'😀'.repeat(500)}a` }).ok).toBe(false);
  });

  it('refuses an oversized id by its length, whatever it is made of', () => {
    expect(validateEvent({ ...comment, roomId: '😀'.repeat(1_000_000) })).toEqual({ ok: false, id: 'e1', error: 'roomId: must be at most 128 characters' });
    expect(validateEvent({ ...comment, roomId: '😀'.repeat(128) }).ok).toBe(true);
    expect(validateEvent({ ...comment, roomId: '😀'.repeat(129) })).toEqual({ ok: false, id: 'e1', error: 'roomId: must be at most 128 characters' });
    expect(validateEvent({ ...comment, roomId: '' })).toEqual({ ok: false, id: 'e1', error: 'roomId: must not be empty' });
  });

  it('keeps an unknown type short: the valid types are in the contract, not in every rejection', () => {
    const result = validateEvent({ ...comment, type: 'telepathy' });
    expect(result).toEqual({ ok: false, id: 'e1', error: 'type: not an event type of CONTRACT.md §1' });
    expect(validateEvent({})).toEqual({ ok: false, error: 'type: is required' });
  });

  it('says a non-finite number must be a finite integer', () => {
    expect(validateEvent({ ...comment, ts: Number.POSITIVE_INFINITY })).toEqual({ ok: false, id: 'e1', error: 'ts: must be a finite integer' });
    expect(validateEvent({ ...comment, ts: Number.NaN })).toEqual({ ok: false, id: 'e1', error: 'ts: must be a finite integer' });
    expect(validateEvent({ ...comment, ts: 'soon' })).toEqual({ ok: false, id: 'e1', error: 'ts: must be a number, got string' });
  });
});

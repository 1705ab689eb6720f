import { AccountStandings } from './account-standings.js';

describe('account standings', () => {
  it('counts each standing report once per account it names, subject or implicated', () => {
    const standings = new AccountStandings();
    standings.applyReport({ id: 'r-1', status: 'open', accounts: ['a', 'b', 'a'] });
    standings.applyReport({ id: 'r-2', status: 'confirmed', accounts: ['a'] });
    expect(standings.standing('a')).toEqual({ open: 1, confirmed: 1, ringId: null });
    expect(standings.standing('b')).toEqual({ open: 1, confirmed: 0, ringId: null });
    expect(standings.standing('c')).toEqual({ open: 0, confirmed: 0, ringId: null });
  });

  it('replaces what a report counted when it is read again, changed or not', () => {
    const standings = new AccountStandings();
    standings.applyReport({ id: 'r-1', status: 'open', accounts: ['a', 'b'] });
    standings.applyReport({ id: 'r-1', status: 'open', accounts: ['a', 'b'] });
    expect(standings.standing('a').open).toBe(1);
    // Confirmed, and it now names c instead of b.
    standings.applyReport({ id: 'r-1', status: 'confirmed', accounts: ['a', 'c'] });
    expect(standings.standing('a')).toEqual({ open: 0, confirmed: 1, ringId: null });
    expect(standings.standing('b')).toEqual({ open: 0, confirmed: 0, ringId: null });
    expect(standings.standing('c').confirmed).toBe(1);
    standings.applyReport({ id: 'r-1', status: 'dismissed', accounts: ['a', 'c'] });
    expect(standings.standing('a')).toEqual({ open: 0, confirmed: 0, ringId: null });
    expect(standings.size.standingReports).toBe(0);
  });

  it('follows a ring\'s members as they move, and forgets the ring once its report stands down', () => {
    const standings = new AccountStandings();
    standings.applyRing({ ringId: 'ring-1', members: ['a', 'b'] });
    standings.applyRing({ ringId: 'ring-2', members: ['c'] });
    expect(standings.standing('a').ringId).toBe('ring-1');
    // b moved to ring-2 (ring-2's row changed; ring-1's is read again later).
    standings.applyRing({ ringId: 'ring-2', members: ['c', 'b'] });
    expect(standings.standing('b').ringId).toBe('ring-2');
    standings.applyRing({ ringId: 'ring-1', members: ['a'] });
    expect(standings.standing('b').ringId).toBe('ring-2');
    standings.applyRing({ ringId: 'ring-2', members: null });
    expect(standings.standing('b').ringId).toBeNull();
    expect(standings.standing('c').ringId).toBeNull();
    expect(standings.standing('a').ringId).toBe('ring-1');
  });
});

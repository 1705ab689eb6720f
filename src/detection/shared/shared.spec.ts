import { InMemoryCohortDirectory, DEFAULT_COHORT_DIRECTORY_CONFIG } from '../engine/cohort-directory.js';
import { subnetOf } from './network.js';
import { batchedTimes } from './scoring.js';

describe('network prefixes', () => {
  it('maps IPv4 to its /24 and IPv6 to its /64', () => {
    expect(subnetOf('103.21.40.17')).toBe('103.21.40.0/24');
    expect(subnetOf('2408:8207:1851:9f30:a1b2::7')).toBe('2408:8207:1851:9f30::/64');
    expect(subnetOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(subnetOf('::ffff:8.8.4.4')).toBe('8.8.4.0/24');
    expect(subnetOf(undefined)).toBeUndefined();
  });
});

describe('batched times', () => {
  it('marks waves a few minutes apart as batches and a steady trickle as not', () => {
    const waves = [0, 1, 2, 3, 4, 5, 200_000, 200_500, 201_000, 201_500, 202_000].map((t) => t * 1 + 1_000_000);
    expect(batchedTimes(waves, 15_000, 4, 4, 15 * 60_000).filter(Boolean)).toHaveLength(11);
    const trickle = Array.from({ length: 40 }, (_, i) => i * 90_000);
    expect(batchedTimes(trickle, 15_000, 4, 4, 15 * 60_000).filter(Boolean)).toHaveLength(0);
  });
});

describe('in-memory cohort directory', () => {
  it('matches a cohort seen in another room and forgets it after the horizon', () => {
    const directory = new InMemoryCohortDirectory({ ...DEFAULT_COHORT_DIRECTORY_CONFIG, horizonMs: 3_600_000, minSharedAccounts: 10 });
    const cohort = Array.from({ length: 20 }, (_, i) => `acct-${i}`);
    expect(directory.recordSighting({ roomId: 'a', streamId: 'a1', at: 0, accounts: cohort })).toEqual([]);
    const again = directory.recordSighting({ roomId: 'b', streamId: 'b1', at: 600_000, accounts: [...cohort.slice(0, 15), 'x', 'y'] });
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ roomId: 'a', streamId: 'a1', sharedAccounts: 15 });
    const sameRoom = directory.recordSighting({ roomId: 'b', streamId: 'b2', at: 700_000, accounts: cohort });
    expect(sameRoom.map((m) => m.roomId)).toEqual(['a']);
    const late = directory.recordSighting({ roomId: 'c', streamId: 'c1', at: 5 * 3_600_000, accounts: cohort });
    expect(late).toEqual([]);
    expect(directory.size()).toBe(1);
  });
});

import { newViewerProfile, type ViewerProfile } from '../../shared/viewer-profile.js';
import { DAY, T0, rng } from '../../../../test/support/detection/traffic.js';
import { creationClumps, modelSpread } from './comment-identity.js';

const HOUR = 3_600_000;

function profile(accountId: string, createdAt: number, model?: string): ViewerProfile {
  const p = newViewerProfile(accountId, T0);
  p.createdAt = createdAt;
  p.model = model;
  return p;
}

describe('creationClumps', () => {
  it('finds accounts registered in several sittings weeks apart', () => {
    const random = rng(1);
    const sittings = [T0 - 40 * DAY, T0 - 22 * DAY, T0 - 5 * DAY];
    const pool = Array.from({ length: 60 }, (_, i) => profile(`p${i}`, sittings[i % 3] + random() * 5 * HOUR));
    expect(creationClumps(pool, 6 * HOUR, 3).size).toBe(60);
  });

  it('finds no sitting among accounts created over years', () => {
    const random = rng(2);
    const crowd = Array.from({ length: 300 }, (_, i) => profile(`c${i}`, T0 - (30 + random() * 2_000) * DAY));
    // 300 accounts over ~5.5 years put a chance trio within 6 h at most now and then.
    expect(creationClumps(crowd, 6 * HOUR, 3).size).toBeLessThan(300 * 0.05);
  });

  it('needs the peers: two accounts made the same hour are a couple, not a sitting', () => {
    const pair = [profile('a', T0 - 3 * DAY), profile('b', T0 - 3 * DAY + HOUR), profile('c', T0 - 90 * DAY)];
    expect(creationClumps(pair, 6 * HOUR, 3).size).toBe(0);
    expect([...creationClumps([...pair, profile('d', T0 - 3 * DAY + 2 * HOUR)], 6 * HOUR, 3)].sort()).toEqual(['a', 'b', 'd']);
  });

  it('ignores accounts without a creation time', () => {
    expect(creationClumps([profile('a', -1), profile('b', -1), profile('c', -1)], 6 * HOUR, 3).size).toBe(0);
  });
});

describe('modelSpread', () => {
  it('measures how much of a cohort its few most common models cover', () => {
    const farm = Array.from({ length: 20 }, (_, i) => profile(`f${i}`, -1, ['220233L2C', 'PHB110', 'iPhone14,5'][i % 3]));
    farm.push(profile('x', -1, 'Pixel 8'), profile('y', -1));
    const spread = modelSpread(farm, 3);
    expect(spread.withModel).toBe(21);
    expect(spread.topShare).toBeCloseTo(20 / 21);
    expect([...spread.topModels].sort()).toEqual(['220233L2C', 'PHB110', 'iPhone14,5']);
  });

  it('breaks ties by model name', () => {
    const spread = modelSpread([profile('a', -1, 'B'), profile('b', -1, 'A'), profile('c', -1, 'C')], 2);
    expect([...spread.topModels].sort()).toEqual(['A', 'B']);
  });
});

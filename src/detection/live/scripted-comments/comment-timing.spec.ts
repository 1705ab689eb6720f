import { rng } from '../../../../test/support/detection/traffic.js';
import { cadenceOf, clockOf, rotationOf } from './comment-timing.js';
import { DEFAULT_SCRIPTED_COMMENTS_CONFIG } from './scripted-comments.config.js';

const { clock: CLOCK, rotation: ROTATION, cadence: CADENCE } = DEFAULT_SCRIPTED_COMMENTS_CONFIG;
const SEC = 1_000;

/** Post times on a timer of `gapMs` with uniform jitter of ±`jitter` of the gap on every post. */
function clocked(count: number, gapMs: number, jitter: number, random: () => number): number[] {
  return Array.from({ length: count }, (_, i) => 1_000_000 + i * gapMs + (random() * 2 - 1) * jitter * gapMs).sort((a, b) => a - b);
}

/** Post times of a crowd: a Poisson process of the given mean gap. */
function poisson(count: number, meanGapMs: number, random: () => number): number[] {
  const times = [1_000_000];
  for (let i = 1; i < count; i++) times.push(times[i - 1] - Math.log(1 - random()) * meanGapMs);
  return times;
}

describe('clockOf', () => {
  it('finds the clock of a template passed along accounts every 20 s with ±15 % jitter', () => {
    const found = clockOf(clocked(30, 20 * SEC, 0.15, rng(1)), CLOCK);
    expect(found).toBeDefined();
    expect(found!.medianGapMs).toBeGreaterThan(18 * SEC);
    expect(found!.medianGapMs).toBeLessThan(22 * SEC);
    expect(found!.onClockShare).toBeGreaterThan(0.9);
    expect(found!.onClock.length).toBeGreaterThanOrEqual(28);
  });

  it('keeps a clock through the odd late post', () => {
    const times = clocked(30, 15 * SEC, 0.05, rng(2));
    times[12] += 9 * SEC;
    expect(clockOf(times, CLOCK)).toBeDefined();
  });

  it('finds no clock in people asking the same thing at their own moments', () => {
    const random = rng(3);
    let found = 0;
    for (let trial = 0; trial < 200; trial++) if (clockOf(poisson(48, 40 * SEC, random), CLOCK) !== undefined) found++;
    expect(found).toBe(0);
  });

  it('finds no clock in a copy wave that thins out', () => {
    const random = rng(4);
    const times = Array.from({ length: 40 }, () => 1_000_000 + 2 * SEC - Math.log(1 - random()) * 40 * SEC).sort((a, b) => a - b);
    expect(clockOf(times, CLOCK)).toBeUndefined();
  });

  it('leaves bursts faster than the minimum gap to lockstep analysis', () => {
    expect(clockOf(clocked(30, 1_000, 0.05, rng(5)), CLOCK)).toBeUndefined();
  });

  it('needs enough gaps', () => {
    expect(clockOf(clocked(CLOCK.minGaps, 20 * SEC, 0, rng(6)), CLOCK)).toBeUndefined();
    expect(clockOf(clocked(CLOCK.minGaps + 1, 20 * SEC, 0, rng(6)), CLOCK)).toBeDefined();
  });
});

describe('rotationOf', () => {
  const ring = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('finds accounts taking turns in a fixed order', () => {
    const posters = Array.from({ length: 30 }, (_, i) => ring[i % ring.length]);
    expect(rotationOf(posters, ROTATION)).toEqual({ length: 6, matchShare: 1, members: ring });
  });

  it('finds the rotation when a turn is missed now and then', () => {
    const posters = Array.from({ length: 36 }, (_, i) => ring[i % ring.length]);
    posters[10] = 'someone';
    const found = rotationOf(posters, ROTATION);
    expect(found?.length).toBe(6);
    expect(found?.members).toEqual(ring);
  });

  it('is not fooled by one account posting alone, or two taking turns', () => {
    expect(rotationOf(Array.from({ length: 30 }, () => 'solo'), ROTATION)).toBeUndefined();
    expect(rotationOf(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 'x' : 'y')), ROTATION)).toBeUndefined();
  });

  it('finds no rotation in a crowd posting in no order', () => {
    const random = rng(7);
    const crowd = Array.from({ length: 12 }, (_, i) => `fan-${i}`);
    for (let trial = 0; trial < 100; trial++) {
      const posters = Array.from({ length: 48 }, () => crowd[Math.floor(random() * crowd.length)]);
      expect(rotationOf(posters, ROTATION)).toBeUndefined();
    }
  });

  it('needs two rounds', () => {
    expect(rotationOf([...ring, ...ring.slice(0, 5)], ROTATION)).toBeUndefined();
    expect(rotationOf([...ring, ...ring], ROTATION)?.length).toBe(6);
  });
});

describe('cadenceOf', () => {
  it('groups timers of one setting and measures their independent phases as spread', () => {
    const random = rng(8);
    const members = Array.from({ length: 12 }, (_, i) => ({ accountId: `bot-${i}`, meanIntervalMs: 45 * SEC * (1 + (random() - 0.5) * 0.1), lastPostAt: 5_000_000 + random() * 45 * SEC }));
    members.push({ accountId: 'slow', meanIntervalMs: 180 * SEC, lastPostAt: 5_000_000 }, { accountId: 'fast', meanIntervalMs: 12 * SEC, lastPostAt: 5_000_000 });
    const found = cadenceOf(members, CADENCE)!;
    expect(found.members).toHaveLength(12);
    expect(found.members).not.toContain('slow');
    expect(found.periodMs).toBeGreaterThan(42 * SEC);
    expect(found.phaseConcentration).toBeLessThan(CADENCE.maxPhaseConcentration);
  });

  it('measures a crowd answering a scheduled cue as concentrated in phase', () => {
    const random = rng(9);
    const members = Array.from({ length: 40 }, (_, i) => ({ accountId: `fan-${i}`, meanIntervalMs: 300 * SEC * (1 + (random() - 0.5) * 0.05), lastPostAt: 9_000_000 + 2 * SEC + random() ** 1.5 * 40 * SEC }));
    expect(cadenceOf(members, CADENCE)!.phaseConcentration).toBeGreaterThan(CADENCE.maxPhaseConcentration);
  });

  it('finds no common setting among periods spread far apart', () => {
    const members = [20, 31, 47, 70, 105, 160].map((s, i) => ({ accountId: `a${i}`, meanIntervalMs: s * SEC, lastPostAt: 0 }));
    expect(cadenceOf(members, CADENCE)!.members).toHaveLength(1);
  });
});

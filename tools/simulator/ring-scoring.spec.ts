import { scoreRings } from './ring-scoring.js';

const ring = (subjectId: string, accounts: string[], evidence: Record<string, unknown> = {}) => ({ id: subjectId, kind: 'account_ring', subjectType: 'ring', subjectId, accounts, evidence });

describe('ring scoring', () => {
  it('scores each true ring by its best live report, names honest sharers in any ring report and counts the burst accounts found', () => {
    const card = scoreRings(
      {
        rings: [
          { style: 'a', members: ['a1', 'a2', 'a3', 'a4'] },
          { style: 'b', members: ['b1', 'b2'] },
          { style: 'h', members: ['h1', 'h2'], heldOut: true },
        ],
        honestSharers: ['home1', 'home2'],
        bulkRegistered: ['a1', 'a2', 'a3', 'x'],
      },
      [
        ring('r1', ['a1', 'a2', 'a3', 'home1'], { registrationBurst: { registered: ['a1', 'a2'] } }),
        ring('r2', ['a4'], { mergedInto: 'r1' }),
        ring('r3', ['h1', 'h2']),
      ],
    );
    expect(card.rings.map((r) => [r.style, r.bestRing, r.jaccard])).toEqual([
      ['a', 'r1', 3 / 5],
      ['b', null, 0],
      ['h', 'r3', 1],
    ]);
    expect(card.meanJaccard).toBeCloseTo(0.3);
    expect(card.heldOutMeanJaccard).toBe(1);
    expect(card.honestNamed).toEqual(['home1']);
    expect([card.bulkFound, card.bulkTotal]).toEqual([2, 4]);
    expect(card.ringReports).toBe(2);
    expect(card.unlabelledNamed).toBeNull();
    // With the attacks' labels: home1 is in no ring and no attack; a2 is a ring's, x an attack's.
    const labelled = scoreRings({ rings: [{ style: 'a', members: ['a1', 'a2'] }], honestSharers: [], bulkRegistered: [] }, [ring('r1', ['a1', 'a2', 'x', 'home1'])], new Set(['x']));
    expect(labelled.unlabelledNamed).toBe(1);
  });
});

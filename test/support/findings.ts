import type { Finding } from '../../src/detection/engine/finding.js';

export const FINDING_T0 = 1_764_000_000_000;

/**
 * A room finding as a detector hands it to the report store, for the suites
 * that drive the store directly; each test overrides what it is about.
 */
export function testFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'injected_viewers',
    subjectType: 'room',
    subjectId: 'room-1',
    roomId: 'room-1',
    streamId: 'stream-1',
    score: 0.6,
    severity: 'medium',
    summary: 'Displayed viewers rose in fixed steps of 50 while joins stayed flat.',
    accounts: ['acct-a', 'acct-b'],
    evidence: { displayedPeak: 4200, joins: 310, stepSize: 50 },
    detectedAt: FINDING_T0,
    ...overrides,
  };
}

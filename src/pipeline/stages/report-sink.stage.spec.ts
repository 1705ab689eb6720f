import { type Finding, findingProblem } from '../../detection/engine/finding.js';
import { ReportSinkStage } from './report-sink.stage.js';

const finding = (subjectId: string, extra: Partial<Finding> = {}): Finding =>
  ({
    kind: 'injected_viewers',
    subjectType: 'account',
    subjectId,
    roomId: 'room',
    streamId: 'stream',
    score: 0.9,
    severity: 'high',
    summary: 'joined in fixed steps',
    accounts: [subjectId],
    evidence: {},
    detectedAt: 1_764_000_000_000,
    ...extra,
  }) as Finding;

/** A report store that checks findings as the real one does, refuses the ones named, and fails whole while `down`. */
function store(refuse: Set<string> = new Set(), down: Error | null = null) {
  const stored: string[] = [];
  const calls: number[] = [];
  const sink = {
    applyFindings(findings: Finding[]) {
      calls.push(findings.length);
      if (down) return Promise.reject(down);
      const malformed = findings.find((f) => findingProblem(f) !== null);
      if (malformed) return Promise.reject(new Error(`finding ${malformed.subjectId}: ${findingProblem(malformed)}`));
      if (findings.some((f) => refuse.has(f.subjectId))) return Promise.reject(new Error('value too long for type'));
      stored.push(...findings.map((f) => f.subjectId));
      return Promise.resolve();
    },
  };
  return { subject: new ReportSinkStage(sink), stored, calls };
}

describe('the report sink', () => {
  it('stores the batch in one call', async () => {
    const { subject, stored, calls } = store();
    await subject.store([finding('a'), finding('b')]);
    expect(stored).toEqual(['a', 'b']);
    expect(calls).toEqual([2]);
  });

  it('drops a malformed finding (a detector bug) the store refuses, and stores the rest', async () => {
    const { subject, stored, calls } = store();
    await subject.store([finding('a', { score: 7 }), finding('b')]);
    expect(stored).toEqual(['b']);
    expect(calls).toEqual([2, 1, 1]);
  });

  it('drops one finding the store keeps refusing, one by one, and stores the others', async () => {
    const { subject, stored, calls } = store(new Set(['b']));
    await subject.store([finding('a'), finding('b'), finding('c')]);
    expect(stored).toEqual(['a', 'c']);
    expect(calls).toEqual([3, 1, 1, 1]);
  });

  it('throws while the store is unreachable, so the batch comes again', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { subject, stored } = store(new Set(), down);
    await expect(subject.store([finding('a')])).rejects.toBe(down);
    expect(stored).toEqual([]);
  });

  it('does not call the store for nothing', async () => {
    const { subject, calls } = store();
    await subject.store([]);
    expect(calls).toEqual([]);
  });
});

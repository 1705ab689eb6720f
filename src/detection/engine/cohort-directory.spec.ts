import { InMemoryCohortDirectory } from './cohort-directory.js';
import { DEFAULT_ENGINE_CONFIG } from './engine.js';

const accounts = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('cohort directory journal and restore', () => {
  it('journals each new sighting with its log position and rank there, once', () => {
    const directory = new InMemoryCohortDirectory(DEFAULT_ENGINE_CONFIG.cohortDirectory, { journal: true });
    directory.position = 41;
    directory.recordSighting({ roomId: 'a', streamId: 'a-1', at: 1_000, accounts: accounts('farm', 12) });
    directory.recordSighting({ roomId: 'b', streamId: 'b-1', at: 1_000, accounts: accounts('farm', 12) });
    directory.position = 57;
    directory.recordSighting({ roomId: 'c', streamId: 'c-1', at: 2_000, accounts: accounts('farm', 12) });
    expect(directory.takeJournal().map((s) => [s.roomId, s.position, s.ordinal])).toEqual([['a', 41, 0], ['b', 41, 1], ['c', 57, 0]]);
    expect(directory.takeJournal()).toEqual([]);
  });

  it('matches restored sightings as if recorded before, without journalling them again', () => {
    const before = new InMemoryCohortDirectory(DEFAULT_ENGINE_CONFIG.cohortDirectory, { journal: true });
    before.recordSighting({ roomId: 'a', streamId: 'a-1', at: 1_000, accounts: accounts('farm', 12) });
    const stored = before.takeJournal();

    const after = new InMemoryCohortDirectory(DEFAULT_ENGINE_CONFIG.cohortDirectory, { journal: true });
    after.restore(stored);
    expect(after.takeJournal()).toEqual([]);
    const matches = after.recordSighting({ roomId: 'b', streamId: 'b-1', at: 9 * 3_600_000, accounts: accounts('farm', 12) });
    expect(matches.map((m) => [m.roomId, m.sharedAccounts])).toEqual([['a', 12]]);
  });
});

import { loadEnforcementOptions } from './enforcement.options.js';

describe('enforcement options', () => {
  it('reads the tuning from the environment', () => {
    expect(loadEnforcementOptions({ ENFORCEMENT_ATTEMPTS: '3', ENFORCEMENT_BACKOFF_MS: '40' })).toMatchObject({
      ENFORCEMENT_ATTEMPTS: 3,
      ENFORCEMENT_BACKOFF_MS: 40,
      ENFORCEMENT_TIMEOUT_MS: 10_000,
    });
  });

  it('replaces an invalid value by its default and names it', () => {
    const problems: string[] = [];
    const options = loadEnforcementOptions({ ENFORCEMENT_ATTEMPTS: 'many', ENFORCEMENT_BACKOFF_MS: '40' }, (problem) => problems.push(problem));
    expect(options).toMatchObject({ ENFORCEMENT_ATTEMPTS: 8, ENFORCEMENT_BACKOFF_MS: 40 });
    expect(problems).toEqual([expect.stringMatching(/^ENFORCEMENT_ATTEMPTS: .*; using the default$/)]);
  });
});

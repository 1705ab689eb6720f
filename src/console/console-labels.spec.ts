import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPORT_KINDS, SUBJECT_TYPES } from '../detection/engine/finding.js';

interface Labels {
  KIND_LABELS: Record<string, string>;
  SUBJECT_LABELS: Record<string, string>;
}

async function labels(): Promise<Labels> {
  const file = pathToFileURL(path.resolve(process.cwd(), 'src/console/public/js/format.js')).href;
  return (await import(file)) as Labels;
}

describe('console labels', () => {
  it('names every report kind and subject of the contract, v2 ones included, and nothing else', async () => {
    const { KIND_LABELS, SUBJECT_LABELS } = await labels();
    expect(Object.keys(KIND_LABELS).sort()).toEqual([...REPORT_KINDS].sort());
    expect(Object.keys(SUBJECT_LABELS).sort()).toEqual([...SUBJECT_TYPES].sort());
    expect(KIND_LABELS.account_ring).toBe('Account ring');
  });
});

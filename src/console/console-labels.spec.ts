import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPORT_KINDS, SUBJECT_TYPES } from '../detection/engine/finding.js';

type Catalogue = Record<string, Record<string, string>>;

/** The console's browser modules, loaded in Node: i18n.js reads the browser's languages when it loads. */
async function load<T>(file: string): Promise<T> {
  (globalThis as { navigator?: unknown }).navigator ??= { languages: ['en'], language: 'en' };
  return (await import(pathToFileURL(path.resolve(process.cwd(), 'src/console/public/js', file)).href)) as T;
}

describe('console labels', () => {
  it('names every report kind and subject of the contract, v2 ones included, in every language', async () => {
    const { MESSAGES } = await load<{ MESSAGES: Catalogue }>('messages.js');
    const { KIND_LABEL_KEYS } = await load<{ KIND_LABEL_KEYS: Record<string, string> }>('format.js');
    expect(Object.keys(KIND_LABEL_KEYS).sort()).toEqual([...REPORT_KINDS].sort());
    for (const [language, messages] of Object.entries(MESSAGES)) {
      const missing = [...REPORT_KINDS.map((kind) => `kind.${kind}`), ...SUBJECT_TYPES.map((subject) => `subject.${subject}`)].filter((key) => !messages[key]);
      expect([language, missing]).toEqual([language, []]);
    }
    expect(MESSAGES.en!['kind.account_ring']).toBeTruthy();
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The console's message catalogue (public/js/messages.js): every key the
 * pages ask for by name exists in English, and Chinese has every English
 * message (a plural may have fewer forms: Chinese has one).
 */
const JS = path.resolve(process.cwd(), 'src/console/public/js');

async function catalogue(): Promise<Record<'en' | 'zh', Record<string, string>>> {
  return ((await import(pathToFileURL(path.join(JS, 'messages.js')).href)) as { MESSAGES: Record<'en' | 'zh', Record<string, string>> }).MESSAGES;
}

const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

describe('console messages', () => {
  it('has every key the pages name, in English and in Chinese', async () => {
    const messages = await catalogue();
    const used = new Set<string>();
    for (const file of readdirSync(JS).filter((name) => name.endsWith('.js'))) {
      for (const match of readFileSync(path.join(JS, file), 'utf8').matchAll(/\bt\('([A-Za-z][\w.]*)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(150);
    const has = (lang: 'en' | 'zh', key: string) => messages[lang][key] !== undefined || messages[lang][`${key}_other`] !== undefined;
    expect([...used].filter((key) => !has('en', key))).toEqual([]);
    expect([...used].filter((key) => !has('zh', key))).toEqual([]);
  });

  it('says in Chinese whatever it says in English, with the same placeholders', async () => {
    const { en, zh } = await catalogue();
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    const missing = [...new Set(Object.keys(en).map(base))].filter((key) => zh[key] === undefined && zh[`${key}_other`] === undefined);
    expect(missing).toEqual([]);
    const mismatched = Object.keys(zh).filter((key) => {
      const english = en[key] ?? en[`${base(key)}_other`] ?? en[base(key)];
      return english === undefined || placeholders(english).join() !== placeholders(zh[key]!).join();
    });
    expect(mismatched).toEqual([]);
  });
});

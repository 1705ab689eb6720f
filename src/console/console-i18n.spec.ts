import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface I18n {
  t(key: string, params?: Record<string, unknown>): string;
  language(): string;
  setLanguage(lang: string): void;
}

/** i18n.js in Node, with the few browser globals it touches. */
async function loadI18n(): Promise<I18n> {
  const globals = globalThis as { navigator?: unknown; document?: unknown };
  globals.navigator ??= { languages: ['en-GB'], language: 'en-GB' };
  globals.document ??= { documentElement: {}, querySelectorAll: () => [] };
  return (await import(pathToFileURL(path.resolve(process.cwd(), 'src/console/public/js/i18n.js')).href)) as I18n;
}

describe('console languages (i18next over messages.js)', () => {
  it('fills placeholders, picks plural forms, falls back to English and switches language', async () => {
    const i18n = await loadI18n();
    expect(i18n.language()).toBe('en');
    expect(i18n.t('queue.count', { count: 1 })).toBe('1 report shown');
    expect(i18n.t('queue.count', { count: 3 })).toBe('3 reports shown');
    expect(i18n.t('who.merchant', { id: 'm1' })).toBe('merchant m1');
    // A placeholder given no value stays visible; an unknown key shows itself.
    expect(i18n.t('who.merchant')).toBe('merchant {id}');
    expect(i18n.t('no.such.key')).toBe('no.such.key');

    i18n.setLanguage('zh');
    expect(i18n.language()).toBe('zh');
    const chinese = i18n.t('queue.count', { count: 3 });
    expect(chinese).toContain('3');
    expect(chinese).not.toBe('3 reports shown');
    i18n.setLanguage('xx');
    expect(i18n.language()).toBe('zh');
    i18n.setLanguage('en');
    expect(i18n.t('nav.queue')).toBe('Review queue');
  });
});

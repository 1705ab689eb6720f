/* global localStorage, navigator, document */
import i18next from '../vendor/i18next/i18next.js';
import { MESSAGES } from './messages.js';

/**
 * The console's languages, English and Simplified Chinese, through i18next
 * (served from the installed package at /console/vendor/i18next/) over the
 * catalogue in messages.js. The language comes from the switch in the page
 * (kept in local storage), else from the browser's languages, else English.
 * `t(key, params)` fills `{name}` placeholders; a key with `_one`/`_other`
 * variants picks one by the plural rules of `params.count` (i18next's own
 * suffixes), and a key missing in Chinese falls back to English.
 */
export const LANGUAGES = { en: 'English', zh: '中文' };
const STORAGE = 'roomwatch.console.lang';
/** Number and date locales per language (event times are shown in UTC in both). */
const LOCALES = { en: 'en-GB', zh: 'zh-CN' };

function detect() {
  const stored = safeStorage()?.getItem(STORAGE);
  if (stored && stored in LANGUAGES) return stored;
  for (const tag of navigator.languages ?? [navigator.language ?? 'en']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (base in LANGUAGES) return base;
  }
  return 'en';
}

function safeStorage() {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

// One instance for the page, set up synchronously: the catalogue is in memory, nothing is fetched.
const i18n = i18next.createInstance();
i18n.init({
  lng: detect(),
  fallbackLng: 'en',
  supportedLngs: Object.keys(LANGUAGES),
  resources: Object.fromEntries(Object.entries(MESSAGES).map(([lang, table]) => [lang, { translation: table }])),
  // The catalogue's keys hold dots ('nav.queue') and its placeholders are `{name}`; the page escapes what it renders.
  keySeparator: false,
  nsSeparator: false,
  interpolation: { prefix: '{', suffix: '}', escapeValue: false },
  // A placeholder without a value stays visible rather than vanishing.
  missingInterpolationHandler: (text, match) => match[0],
  initAsync: false,
});

const listeners = new Set();

export function language() {
  return i18n.language;
}

export function locale() {
  return LOCALES[i18n.language];
}

export function setLanguage(lang) {
  if (!(lang in LANGUAGES) || lang === i18n.language) return;
  i18n.changeLanguage(lang);
  safeStorage()?.setItem(STORAGE, lang);
  applyStaticTexts();
  for (const listener of listeners) listener(lang);
}

/** @returns {() => void} unsubscribe */
export function onLanguage(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The message for `key` in the current language (English when it has none), placeholders filled. */
export function t(key, params = {}) {
  return i18n.t(key, params);
}

/** Texts written in index.html: elements with data-i18n (text) and data-i18n-placeholder. */
export function applyStaticTexts() {
  document.documentElement.lang = i18n.language === 'zh' ? 'zh-CN' : 'en';
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll('[data-i18n-placeholder]')) element.setAttribute('placeholder', t(element.dataset.i18nPlaceholder));
}

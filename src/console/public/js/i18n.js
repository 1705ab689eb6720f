/* global localStorage, navigator, document */
import { MESSAGES } from './messages.js';

/**
 * The console's languages: a plain message catalogue (messages.js), English
 * and Simplified Chinese. The language comes from the switch in the page
 * (kept in local storage), else from the browser's languages, else English.
 * `t(key, params)` fills `{name}` placeholders; a key with `_one`/`_other`
 * variants picks one by Intl.PluralRules of `params.count`.
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

let current = detect();
const listeners = new Set();

export function language() {
  return current;
}

export function locale() {
  return LOCALES[current];
}

export function setLanguage(lang) {
  if (!(lang in LANGUAGES) || lang === current) return;
  current = lang;
  safeStorage()?.setItem(STORAGE, lang);
  applyStaticTexts();
  for (const listener of listeners) listener(lang);
}

/** @returns {() => void} unsubscribe */
export function onLanguage(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function lookup(lang, key, count) {
  const table = MESSAGES[lang];
  if (count !== undefined) {
    const form = new Intl.PluralRules(LOCALES[lang]).select(count);
    const plural = table[`${key}_${form}`] ?? table[`${key}_other`];
    if (plural !== undefined) return plural;
  }
  return table[key];
}

/** The message for `key` in the current language (English when it has none), placeholders filled. */
export function t(key, params = {}) {
  const text = lookup(current, key, params.count) ?? lookup('en', key, params.count) ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** Texts written in index.html: elements with data-i18n (text) and data-i18n-placeholder. */
export function applyStaticTexts() {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll('[data-i18n-placeholder]')) element.setAttribute('placeholder', t(element.dataset.i18nPlaceholder));
}

import { h } from './dom.js';
import { fieldOf, labelOf } from './evidence-fields.js';
import { formatDuration, formatMoney, formatNumber, formatPercent, formatTime, humanize } from './format.js';
import { language, t } from './i18n.js';
import { groupLabel } from './layouts.js';

/**
 * Evidence rendered from its shapes (src/detection/evidence.ts, mirrored as
 * labels and units in evidence-fields.js): each field is formatted by its
 * unit, structure decides tables and cards. A field the catalogue does not
 * know yet (a detector ahead of the console) still shows, plainly.
 */

const CARD_TITLE_KEYS = ['group', 'cohort', 'accountId', 'orderId', 'definition'];

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFlat(object) {
  return Object.values(object).every((value) => !isPlainObject(value) && !(Array.isArray(value) && value.some(isPlainObject)));
}

/** The stream's currency while one evidence object renders (set by evidenceView). */
let currency;

function label(parent, key) {
  return labelOf(parent, key, language()) ?? humanize(key);
}

function seconds(ms) {
  return Math.abs(ms) < 60_000 ? t('unit.seconds', { n: formatNumber(Math.round(ms / 100) / 10) }) : formatDuration(ms);
}

/** One scalar, formatted by the unit its field has. */
export function scalar(parent, key, value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  const unit = fieldOf(parent, key)?.unit;
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (unit === 'time') {
    // Every kind sends ms; reports stored before the order kinds did hold ISO text.
    const ms = typeof value === 'number' ? value : Date.parse(String(value));
    return Number.isFinite(ms) ? formatTime(ms) : String(value);
  }
  if (typeof value !== 'number') return String(value);
  switch (unit) {
    case 'duration':
      return seconds(value);
    case 'share':
      return formatPercent(value);
    case 'ratio':
      return `${formatNumber(value)}×`;
    case 'days':
      return t('unit.days', { n: formatNumber(value) });
    case 'money':
      return formatMoney(value, currency);
    default:
      return formatNumber(value);
  }
}

function chips(values) {
  return h('ul', { class: 'chips' }, values.map((value) => h('li', null, String(value))));
}

function textList(values) {
  return h('ul', { class: 'quotes' }, values.map((value) => h('li', null, h('q', null, String(value)))));
}

function table(key, rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data compact' },
      h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col' }, label(key, column))))),
      h('tbody', null, rows.map((row) => h('tr', null, columns.map((column) => h('td', null, value(key, column, row[column], 2)))))),
    ),
  );
}

function keyValues(parent, object, depth) {
  return h(
    'dl',
    { class: 'kv' },
    Object.entries(object).map(([key, item]) => [h('dt', null, label(parent, key)), h('dd', null, value(parent, key, item, depth + 1))]),
  );
}

function card(key, object, index, depth) {
  const titleKey = CARD_TITLE_KEYS.find((candidate) => typeof object[candidate] === 'string');
  const headline = [
    titleKey ? (titleKey === 'group' || titleKey === 'cohort' ? groupLabel(object[titleKey]) : object[titleKey]) : `#${index + 1}`,
    typeof object.kind === 'string' ? humanize(object.kind) : null,
    typeof object.score === 'number' ? `${t('report.score')} ${formatNumber(object.score)}` : null,
  ].filter(Boolean);
  const rest = Object.fromEntries(Object.entries(object).filter(([field]) => field !== titleKey));
  return h('details', { class: 'card', open: index < 3 }, h('summary', null, headline.join(' · ')), keyValues(key, rest, depth));
}

/** Any evidence value under `key` (whose enclosing field is `parent`), readable. */
export function value(parent, key, item, depth = 0) {
  if (Array.isArray(item)) {
    if (item.length === 0) return h('span', { class: 'muted' }, t('none'));
    if (item.every(isPlainObject)) {
      return item.every(isFlat) && depth < 3 ? table(key, item) : h('div', { class: 'cards' }, item.map((entry, index) => card(key, entry, index, depth)));
    }
    if (fieldOf(parent, key)?.unit === 'quotes') return textList(item);
    if (item.every((entry) => typeof entry === 'string')) return chips(item);
    return item.map((entry) => scalar(parent, key, entry)).join(', ');
  }
  if (isPlainObject(item)) return Object.keys(item).length === 0 ? h('span', { class: 'muted' }, t('none')) : keyValues(key, item, depth);
  return scalar(parent, key, item);
}

/**
 * The whole evidence object: top-level scalars first as a summary list, then
 * each structured part under its own heading. Money in `options.currency`.
 */
export function evidenceView(evidence, options = {}) {
  currency = options.currency;
  const entries = Object.entries(evidence ?? {});
  const simple = entries.filter(([, item]) => !isPlainObject(item) && !Array.isArray(item));
  const structured = entries.filter(([, item]) => isPlainObject(item) || Array.isArray(item));
  return h(
    'div',
    { class: 'evidence' },
    simple.length > 0 ? keyValues(null, Object.fromEntries(simple), 0) : null,
    structured.map(([key, item]) => h('section', { class: 'evidence-part' }, h('h3', null, label(null, key)), value(null, key, item, 0))),
  );
}

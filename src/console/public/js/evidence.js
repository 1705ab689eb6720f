import { h } from './dom.js';
import { formatNumber, formatPercent, formatTime, humanize } from './format.js';

/**
 * Evidence is whatever the detectors put in a report, and detectors evolve:
 * known shapes get tables and cards, anything else a readable key/value view.
 */

const TEXT_LIST_KEYS = /^(sampleTexts|samples|texts)$/;
const CHIP_KEYS = /^(signals|sampleAccounts|accounts|loneSignals)$/;
const CARD_TITLE_KEYS = ['group', 'cohort', 'name', 'id'];

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFlat(object) {
  return Object.values(object).every((value) => !isPlainObject(value) && !(Array.isArray(value) && value.some(isPlainObject)));
}

/** One scalar, formatted by what its key says it is. */
export function scalar(key, value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (/^(at|ts|from|to|first|last)$|(At|Ts|Time|From|To)$/.test(key) && value > 1e12 && value < 1e13) return formatTime(value);
    if (/(Share|Ratio)$/i.test(key) && value >= 0 && value <= 1 && !/peakRatio/.test(key)) return formatPercent(value);
    if (/Ms$/.test(key)) return `${formatNumber(Math.round(value / 100) / 10)} s`;
    return formatNumber(value);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) return formatTime(Date.parse(value));
  return String(value);
}

/** Detectors send some times twice, as ms and as ISO text (`from`, `fromIso`): show one. */
function withoutDuplicates(object) {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !(key.endsWith('Iso') && key.slice(0, -3) in object)));
}

function chips(values) {
  return h('ul', { class: 'chips' }, values.map((value) => h('li', null, String(value))));
}

function textList(values) {
  return h('ul', { class: 'quotes' }, values.map((value) => h('li', null, h('q', null, String(value)))));
}

function table(rows) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(withoutDuplicates(row))))];
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data compact' },
      h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col' }, humanize(column))))),
      h('tbody', null, rows.map((row) => h('tr', null, columns.map((column) => h('td', null, value(column, row[column], 2)))))),
    ),
  );
}

function keyValues(object, depth) {
  return h(
    'dl',
    { class: 'kv' },
    Object.entries(withoutDuplicates(object)).map(([key, item]) => [h('dt', null, humanize(key)), h('dd', null, value(key, item, depth + 1))]),
  );
}

function card(object, index, depth) {
  const titleKey = CARD_TITLE_KEYS.find((key) => typeof object[key] === 'string');
  const headline = [
    titleKey ? object[titleKey] : `#${index + 1}`,
    typeof object.kind === 'string' ? object.kind : null,
    typeof object.score === 'number' ? `score ${formatNumber(object.score)}` : null,
  ].filter(Boolean);
  const rest = Object.fromEntries(Object.entries(object).filter(([key]) => key !== titleKey));
  return h('details', { class: 'card', open: index < 3 }, h('summary', null, headline.join(' · ')), keyValues(rest, depth));
}

/** Any JSON value, readable. */
export function value(key, item, depth = 0) {
  if (Array.isArray(item)) {
    if (item.length === 0) return h('span', { class: 'muted' }, 'none');
    if (item.every(isPlainObject)) {
      return item.every(isFlat) && depth < 3 ? table(item) : h('div', { class: 'cards' }, item.map((entry, index) => card(entry, index, depth)));
    }
    if (TEXT_LIST_KEYS.test(key)) return textList(item);
    if (CHIP_KEYS.test(key) || item.every((entry) => typeof entry === 'string')) return chips(item);
    return item.map((entry) => scalar(key, entry)).join(', ');
  }
  if (isPlainObject(item)) return Object.keys(item).length === 0 ? h('span', { class: 'muted' }, 'none') : keyValues(item, depth);
  return scalar(key, item);
}

/** The whole evidence object: top-level scalars first as a summary list, then each structured part under its own heading. */
export function evidenceView(evidence) {
  const entries = Object.entries(withoutDuplicates(evidence ?? {}));
  const simple = entries.filter(([, item]) => !isPlainObject(item) && !Array.isArray(item));
  const structured = entries.filter(([, item]) => isPlainObject(item) || Array.isArray(item));
  return h(
    'div',
    { class: 'evidence' },
    simple.length > 0 ? keyValues(Object.fromEntries(simple), 0) : null,
    structured.map(([key, item]) => h('section', { class: 'evidence-part' }, h('h3', null, humanize(key)), value(key, item, 0))),
  );
}

import { locale, t } from './i18n.js';

const formats = new Map();
function cached(key, make) {
  const id = `${locale()}|${key}`;
  if (!formats.has(id)) formats.set(id, make(locale()));
  return formats.get(id);
}

/** Event times are shown in UTC, in the page's language. */
export function formatTime(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const format = cached('time', (tag) => new Intl.DateTimeFormat(tag, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC', hour12: false }));
  return `${format.format(ms).replace(',', '')} UTC`;
}

export function formatClock(ms) {
  return cached('clock', (tag) => new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false })).format(ms);
}

export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return t('unit.minutes', { n: minutes });
  return t('unit.hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** How long a report has waited in the queue: "4 min", "3 h 10 min", "2 d 5 h". */
export function formatAge(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60 * 24) return formatDuration(minutes * 60_000);
  return t('unit.daysHours', { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) });
}

export function formatNumber(value) {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? value.toLocaleString(locale()) : value.toLocaleString(locale(), { maximumFractionDigits: 3 });
}

export function formatPercent(share) {
  return typeof share === 'number' ? `${(share * 100).toLocaleString(locale(), { maximumFractionDigits: 1 })}%` : '—';
}

/**
 * Money arrives in minor units; the currency decides how many there are per
 * major unit. Every amount on every page goes through here, so one amount
 * reads one way; without a known currency it says "minor units".
 */
export function formatMoney(minor, currency) {
  if (typeof minor !== 'number') return '—';
  if (!currency) return t('unit.minorUnits', { n: formatNumber(minor) });
  try {
    const format = cached(`money|${currency}`, (tag) => new Intl.NumberFormat(tag, { style: 'currency', currency }));
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return t('unit.minorUnits', { n: formatNumber(minor) });
  }
}

/** `sharedDeviceShare` → "Shared device share". */
export function humanize(key) {
  const words = String(key)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The kinds the console names; others (a newer detector) read humanized. */
export const KIND_LABEL_KEYS = {
  injected_viewers: 'kind.injected_viewers',
  scripted_comments: 'kind.scripted_comments',
  refund_brushing: 'kind.refund_brushing',
  inflated_gmv: 'kind.inflated_gmv',
  scalper_bot: 'kind.scalper_bot',
  coupon_abuse: 'kind.coupon_abuse',
  cash_out: 'kind.cash_out',
  account_ring: 'kind.account_ring',
};

export function kindLabel(kind) {
  return KIND_LABEL_KEYS[kind] ? t(KIND_LABEL_KEYS[kind]) : humanize(kind);
}

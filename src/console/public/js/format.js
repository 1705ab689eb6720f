const timeFormat = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC', hour12: false,
});
const clockFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hour12: false });

/** Event times are shown in UTC, like the ISO times inside evidence. */
export function formatTime(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  return `${timeFormat.format(ms).replace(',', '')} UTC`;
}

export function formatClock(ms) {
  return clockFormat.format(ms);
}

export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatNumber(value) {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? value.toLocaleString('en') : value.toLocaleString('en', { maximumFractionDigits: 3 });
}

export function formatPercent(share) {
  return typeof share === 'number' ? `${(share * 100).toLocaleString('en', { maximumFractionDigits: 1 })}%` : '—';
}

/** Money arrives in minor units; the currency decides how many there are per major unit. */
export function formatMoney(minor, currency) {
  if (typeof minor !== 'number') return '—';
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency: currency || 'XXX' });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${formatNumber(minor)} (minor units)`;
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

export const KIND_LABELS = {
  injected_viewers: 'Injected viewers',
  scripted_comments: 'Scripted comments',
  refund_brushing: 'Refund brushing',
  inflated_gmv: 'Inflated GMV',
  scalper_bot: 'Scalper bots',
  coupon_abuse: 'Coupon abuse',
  cash_out: 'Cash-out',
  account_ring: 'Account ring',
};

/** Report subjects (CONTRACT.md §3): ring and merchant reports span rooms. */
export const SUBJECT_LABELS = {
  room: 'Rooms',
  account: 'Accounts',
  ring: 'Rings',
  merchant: 'Merchants',
};

export function kindLabel(kind) {
  return KIND_LABELS[kind] ?? humanize(kind);
}

import { h } from './dom.js';
import { formatNumber, formatTime } from './format.js';
import { t } from './i18n.js';

/** Heights through the CSSOM: the console's Content-Security-Policy refuses inline style attributes. */
function sized(element, share) {
  element.style.height = `${Math.round(share * 1000) / 10}%`;
  return element;
}

/**
 * The opening second of a limited drop (scalper_bot room reports): orders
 * per 100 ms around `sale.opened`, the flagged accounts' share of each bar
 * in red, and under each bar the accounts behind it. Drawn from the
 * report's evidence (`drops[].openingSecond`), bars as plain elements so a
 * screen reader reads every figure and every account links to its page.
 */
export function openingSecond(drop) {
  const histogram = drop.openingSecond;
  const bins = histogram?.bins ?? [];
  if (bins.length === 0) return null;
  const binMs = histogram.binMs;
  // Half a second before the opening at least, so orders placed early have somewhere to show.
  const from = Math.min(-500, bins[0].fromMs);
  const to = Math.max(binMs, bins[bins.length - 1].fromMs + binMs);
  const tallest = Math.max(...bins.map((bin) => bin.orders));
  const byStart = new Map(bins.map((bin) => [bin.fromMs, bin]));
  const bars = [];
  for (let start = from; start < to; start += binMs) {
    const bin = byStart.get(start) ?? { fromMs: start, orders: 0, flaggedOrders: 0, accountIds: [] };
    const label = t('opening.bin', { from: formatNumber(start), to: formatNumber(start + binMs), orders: formatNumber(bin.orders), flagged: formatNumber(bin.flaggedOrders) });
    bars.push(
      h(
        'div',
        { class: `bar${start === 0 ? ' opening' : ''}${start < 0 ? ' early' : ''}`, role: 'listitem', 'data-from-ms': String(start), 'data-orders': String(bin.orders), 'data-flagged': String(bin.flaggedOrders), title: label, 'aria-label': label },
        sized(h('span', { class: 'bar-honest' }), (bin.orders - bin.flaggedOrders) / tallest),
        sized(h('span', { class: 'bar-flagged' }), bin.flaggedOrders / tallest),
      ),
    );
  }
  const behind = bins
    .filter((bin) => bin.orders > 0)
    .map((bin) =>
      h(
        'li',
        { 'data-from-ms': String(bin.fromMs) },
        h('strong', null, t('opening.range', { from: formatNumber(bin.fromMs), to: formatNumber(bin.fromMs + binMs) })),
        ' ',
        t('opening.counts', { orders: formatNumber(bin.orders), flagged: formatNumber(bin.flaggedOrders) }),
        ' ',
        ...bin.accountIds.flatMap((account, i) => [i > 0 ? ', ' : '', h('a', { href: `#/account/${encodeURIComponent(account)}` }, account)]),
        bin.accountIds.length < bin.orders ? h('span', { class: 'muted' }, ` ${t('opening.more', { count: bin.orders - bin.accountIds.length })}`) : null,
      ),
    );
  return h(
    'figure',
    { class: 'opening-second', 'data-sku': drop.skuId },
    h('figcaption', null, t('opening.caption', { sku: drop.skuId, at: formatTime(histogram.openedAt), bin: formatNumber(binMs) })),
    h('div', { class: 'bars', role: 'list' }, bars),
    h('p', { class: 'axis muted small' }, h('span', null, t('opening.axisFrom', { ms: formatNumber(from) })), h('span', null, t('opening.axisOpen')), h('span', null, t('opening.axisTo', { ms: formatNumber(to) }))),
    h('details', { class: 'behind' }, h('summary', null, t('opening.behind')), h('ul', null, behind)),
  );
}

import { ApiError, api, query, session } from './api.js';
import { auditChart } from './charts.js';
import { h, mount } from './dom.js';
import { formatDuration, formatMoney, formatNumber, formatPercent, formatTime } from './format.js';
import { t } from './i18n.js';
import { timelineSection } from './timeline.js';

/**
 * Streams and their sales audit. A merchant key sees its own streams only;
 * a reviewer sees all, optionally narrowed to one merchant.
 * @returns {() => void} teardown
 */
export function renderStreams(target) {
  const reviewer = session.principal?.role === 'reviewer';
  const rows = h('tbody', { id: 'stream-rows' });
  const errorLine = h('p', { class: 'error', role: 'alert' });
  const merchantInput = h('input', { id: 'filter-merchant', type: 'search', placeholder: t('streams.anyMerchant'), spellcheck: 'false' });

  const load = async () => {
    errorLine.textContent = '';
    try {
      const page = await api(`/v1/streams${query({ merchantId: reviewer ? merchantInput.value.trim() : undefined, limit: 200 })}`);
      mount(
        rows,
        page.items.length === 0
          ? h('tr', null, h('td', { colspan: 5, class: 'empty' }, t('streams.none')))
          : page.items.map((stream) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: `#/stream/${encodeURIComponent(stream.streamId)}` }, stream.streamId)),
                h('td', null, stream.roomId),
                h('td', null, stream.merchantId ?? '—'),
                h('td', null, formatTime(stream.startedAt ?? stream.firstTs)),
                h('td', null, stream.endedAt === null ? t('streams.notEnded') : formatDuration(stream.endedAt - (stream.startedAt ?? stream.firstTs))),
              ),
            ),
      );
    } catch (error) {
      errorLine.textContent = t('streams.failed', { message: error.message });
    }
  };

  mount(
    target,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'streams-title' },
      h('h1', { id: 'streams-title' }, reviewer ? t('streams.title') : t('streams.yours', { id: session.principal?.merchantId ?? '' })),
      reviewer
        ? h('form', { class: 'filters', onsubmit: (event) => { event.preventDefault(); void load(); } }, h('div', { class: 'field' }, h('label', { for: 'filter-merchant' }, t('streams.merchant')), merchantInput))
        : h('p', { class: 'muted' }, t('streams.help')),
      errorLine,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data', id: 'streams' },
          h('caption', { class: 'visually-hidden' }, t('streams.title')),
          h('thead', null, h('tr', null, ['stream', 'room', 'merchant', 'started', 'length'].map((key) => h('th', { scope: 'col' }, t(`streams.col.${key}`))))),
          rows,
        ),
      ),
    ),
  );
  void load();
  return () => {};
}

function auditTable(audit) {
  const money = (value) => formatMoney(value, audit.currency);
  const v = audit.verified;
  const rows = [
    [t('audit.claimedGmv'), audit.claimed ? money(audit.claimed.gmv) : t('audit.notClaimed')],
    [t('audit.claimedOrders'), audit.claimed ? formatNumber(audit.claimed.orders) : '—'],
    [t('audit.orders'), formatNumber(v.orders)],
    [t('audit.paidOrders'), formatNumber(v.paidOrders)],
    [t('audit.refundedOrders'), formatNumber(v.refundedOrders)],
    [t('audit.grossAtList'), money(v.grossAtListPrice)],
    [t('audit.grossPaid'), money(v.grossPaid)],
    [t('audit.refunded'), money(v.refunded)],
    [t('audit.verifiedNet'), money(v.net)],
    [t('audit.suspectedBrushing'), money(v.suspectedBrushing)],
    [t('audit.brushingShareOfPaid'), v.grossPaid > 0 ? formatPercent(v.suspectedBrushing / v.grossPaid) : '—'],
    // v2 promotion figures (README "Sales audit"); an older service leaves them out.
    ...(v.refundedWithoutReturn === undefined
      ? []
      : [
          [t('audit.refundedWithoutReturn'), money(v.refundedWithoutReturn)],
          [t('audit.couponDiscounts'), money(v.couponDiscounts)],
          [t('audit.virtualPaid'), money(v.virtualPaid)],
          [t('audit.virtualShare'), v.virtualShare === null ? '—' : formatPercent(v.virtualShare)],
          [t('audit.suspectedCouponAbuse'), money(v.suspectedCouponAbuse)],
          [t('audit.suspectedCashOut'), money(v.suspectedCashOut)],
        ]),
    [t('audit.inflation'), audit.inflation ? money(audit.inflation.amount) : '—'],
    [t('audit.ratio'), audit.inflation && audit.inflation.ratio !== null ? `${formatNumber(Math.round(audit.inflation.ratio * 100) / 100)}×` : '—'],
  ];
  return h('table', { class: 'data compact', id: 'audit-breakdown' }, h('caption', null, t('audit.breakdown')), h('tbody', null, rows.map(([label, text]) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, text)))));
}

/** The four figures a merchant asks first, as tiles. */
function auditFigures(audit) {
  const money = (value) => formatMoney(value, audit.currency);
  const v = audit.verified;
  const brushingShare = v.grossPaid > 0 ? v.suspectedBrushing / v.grossPaid : null;
  const tile = (label, text, note, alert) => h('div', { class: `figure${alert ? ' alert' : ''}` }, h('span', { class: 'figure-label' }, label), h('strong', null, text), note ? h('span', { class: 'muted small' }, note) : null);
  return h(
    'div',
    { class: 'figures', id: 'audit-figures' },
    tile(t('audit.claimedGmv'), audit.claimed ? money(audit.claimed.gmv) : t('audit.notClaimed'), audit.claimed ? t('audit.ordersClaimed', { count: audit.claimed.orders, n: formatNumber(audit.claimed.orders) }) : null, false),
    tile(t('audit.verifiedNet'), money(v.net), t('audit.paidRefunded', { paid: formatNumber(v.paidOrders), refunded: formatNumber(v.refundedOrders) }), false),
    tile(t('audit.inflationTile'), audit.inflation ? money(audit.inflation.amount) : '—', audit.inflation && audit.inflation.ratio !== null ? t('audit.ratioNote', { ratio: formatNumber(Math.round(audit.inflation.ratio * 100) / 100) }) : null, Boolean(audit.inflation && audit.inflation.amount > 0)),
    tile(t('audit.brushingShare'), brushingShare === null ? '—' : formatPercent(brushingShare), t('audit.brushingNote', { amount: money(v.suspectedBrushing) }), Boolean(brushingShare && brushingShare > 0)),
  );
}

/**
 * One stream: the sales audit (claimed against verified, the breakdown, the
 * brushing share) and its timeline.
 * @returns {() => void} teardown
 */
export function renderStream(target, streamId) {
  let stopped = false;
  mount(target, h('p', { class: 'muted' }, t('stream.loading')));
  const show = async () => {
    let stream;
    try {
      stream = await api(`/v1/streams/${encodeURIComponent(streamId)}`);
    } catch (error) {
      stream = undefined;
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const back = h('p', null, h('a', { href: '#/streams' }, t('stream.back')));
    if (stream === undefined) {
      if (!stopped) mount(target, h('section', { class: 'panel' }, back, h('p', { class: 'error', role: 'alert', id: 'stream-error' }, t('stream.notFound'))));
      return;
    }
    const audit = await api(`/v1/streams/${encodeURIComponent(streamId)}/sales-audit`).then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
    if (stopped) return;
    let auditPart;
    let auditRender = () => {};
    if (audit.value) {
      const chart = auditChart(audit.value);
      auditRender = chart.render;
      auditPart = [auditFigures(audit.value), h('div', { class: 'audit' }, chart.element, auditTable(audit.value))];
    } else {
      const pending = audit.error instanceof ApiError && audit.error.status === 404;
      auditPart = h('p', { class: 'notice', id: 'audit-missing' }, pending ? t('stream.auditPending') : t('stream.auditFailed', { message: audit.error.message }));
    }
    const timeline = timelineSection(streamId, () => [], audit.value?.currency);
    mount(
      target,
      h(
        'article',
        { class: 'panel', 'aria-labelledby': 'stream-title' },
        back,
        h('h1', { id: 'stream-title' }, t('stream.title', { id: stream.streamId })),
        h(
          'dl',
          { class: 'kv inline' },
          h('dt', null, t('report.room')), h('dd', null, stream.roomId),
          h('dt', null, t('streams.merchant')), h('dd', null, stream.merchantId ?? '—'),
          h('dt', null, t('streams.col.started')), h('dd', null, formatTime(stream.startedAt ?? stream.firstTs)),
          h('dt', null, t('stream.ended')), h('dd', null, stream.endedAt === null ? t('timeline.notEnded') : formatTime(stream.endedAt)),
        ),
        h('section', { 'aria-labelledby': 'audit-title' }, h('h2', { id: 'audit-title' }, t('stream.audit')), auditPart),
        h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, t('stream.timeline')), timeline.element),
      ),
    );
    auditRender();
    void timeline.load();
  };
  void show();
  return () => {
    stopped = true;
  };
}

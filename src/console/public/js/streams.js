import { ApiError, api, query, session } from './api.js';
import { auditChart } from './charts.js';
import { h, mount } from './dom.js';
import { formatDuration, formatMoney, formatNumber, formatPercent, formatTime } from './format.js';
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
  const merchantInput = h('input', { id: 'filter-merchant', type: 'search', placeholder: 'any merchant', spellcheck: 'false' });

  const load = async () => {
    errorLine.textContent = '';
    try {
      const page = await api(`/v1/streams${query({ merchantId: reviewer ? merchantInput.value.trim() : undefined, limit: 200 })}`);
      mount(
        rows,
        page.items.length === 0
          ? h('tr', null, h('td', { colspan: 5, class: 'empty' }, 'No streams yet.'))
          : page.items.map((stream) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: `#/stream/${encodeURIComponent(stream.streamId)}` }, stream.streamId)),
                h('td', null, stream.roomId),
                h('td', null, stream.merchantId ?? '—'),
                h('td', null, formatTime(stream.startedAt ?? stream.firstTs)),
                h('td', null, stream.endedAt === null ? 'live or not ended' : formatDuration(stream.endedAt - (stream.startedAt ?? stream.firstTs))),
              ),
            ),
      );
    } catch (error) {
      errorLine.textContent = `Could not load streams: ${error.message}`;
    }
  };

  mount(
    target,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'streams-title' },
      h('h1', { id: 'streams-title' }, reviewer ? 'Streams' : `Your streams (${session.principal?.merchantId ?? ''})`),
      reviewer
        ? h('form', { class: 'filters', onsubmit: (event) => { event.preventDefault(); void load(); } }, h('div', { class: 'field' }, h('label', { for: 'filter-merchant' }, 'Merchant'), merchantInput))
        : h('p', { class: 'muted' }, 'Open a stream to compare the sales it claimed with the orders the platform saw.'),
      errorLine,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data', id: 'streams' },
          h('caption', { class: 'visually-hidden' }, 'Streams'),
          h('thead', null, h('tr', null, ['Stream', 'Room', 'Merchant', 'Started', 'Length'].map((title) => h('th', { scope: 'col' }, title)))),
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
    ['Claimed GMV', audit.claimed ? money(audit.claimed.gmv) : 'not claimed'],
    ['Claimed orders', audit.claimed ? formatNumber(audit.claimed.orders) : '—'],
    ['Orders placed', formatNumber(v.orders)],
    ['Paid orders', formatNumber(v.paidOrders)],
    ['Refunded orders', formatNumber(v.refundedOrders)],
    ['Gross at list price', money(v.grossAtListPrice)],
    ['Gross paid', money(v.grossPaid)],
    ['Refunded', money(v.refunded)],
    ['Verified net', money(v.net)],
    ['Suspected brushing', money(v.suspectedBrushing)],
    ['Brushing share of gross paid', v.grossPaid > 0 ? formatPercent(v.suspectedBrushing / v.grossPaid) : '—'],
    ['Inflation (claimed − net)', audit.inflation ? money(audit.inflation.amount) : '—'],
    ['Claimed ÷ net', audit.inflation && audit.inflation.ratio !== null ? `${formatNumber(Math.round(audit.inflation.ratio * 100) / 100)}×` : '—'],
  ];
  return h('table', { class: 'data compact', id: 'audit-breakdown' }, h('caption', null, 'Breakdown'), h('tbody', null, rows.map(([label, text]) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, text)))));
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
    tile('Claimed GMV', audit.claimed ? money(audit.claimed.gmv) : 'not claimed', audit.claimed ? `${formatNumber(audit.claimed.orders)} orders claimed` : null, false),
    tile('Verified net', money(v.net), `${formatNumber(v.paidOrders)} paid, ${formatNumber(v.refundedOrders)} refunded`, false),
    tile('Inflation', audit.inflation ? money(audit.inflation.amount) : '—', audit.inflation && audit.inflation.ratio !== null ? `claimed is ${formatNumber(Math.round(audit.inflation.ratio * 100) / 100)}× verified` : null, Boolean(audit.inflation && audit.inflation.amount > 0)),
    tile('Brushing share', brushingShare === null ? '—' : formatPercent(brushingShare), `${money(v.suspectedBrushing)} of gross paid from brushing accounts`, Boolean(brushingShare && brushingShare > 0)),
  );
}

/**
 * One stream: the sales audit (claimed against verified, the breakdown, the
 * brushing share) and its timeline.
 * @returns {() => void} teardown
 */
export function renderStream(target, streamId) {
  let stopped = false;
  mount(target, h('p', { class: 'muted' }, 'Loading stream…'));
  const show = async () => {
    let stream;
    try {
      stream = await api(`/v1/streams/${encodeURIComponent(streamId)}`);
    } catch (error) {
      stream = undefined;
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const back = h('p', null, h('a', { href: '#/streams' }, '← Back to streams'));
    if (stream === undefined) {
      if (!stopped) mount(target, h('section', { class: 'panel' }, back, h('p', { class: 'error', role: 'alert', id: 'stream-error' }, 'No such stream among the streams you can see.')));
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
      auditPart = h('p', { class: 'notice', id: 'audit-missing' }, pending ? 'The sales audit for this stream is not available yet.' : `Could not load the sales audit: ${audit.error.message}`);
    }
    const timeline = timelineSection(streamId, () => [], audit.value?.currency);
    mount(
      target,
      h(
        'article',
        { class: 'panel', 'aria-labelledby': 'stream-title' },
        back,
        h('h1', { id: 'stream-title' }, `Stream ${stream.streamId}`),
        h(
          'dl',
          { class: 'kv inline' },
          h('dt', null, 'Room'), h('dd', null, stream.roomId),
          h('dt', null, 'Merchant'), h('dd', null, stream.merchantId ?? '—'),
          h('dt', null, 'Started'), h('dd', null, formatTime(stream.startedAt ?? stream.firstTs)),
          h('dt', null, 'Ended'), h('dd', null, stream.endedAt === null ? 'not ended' : formatTime(stream.endedAt)),
        ),
        h('section', { 'aria-labelledby': 'audit-title' }, h('h2', { id: 'audit-title' }, 'Sales audit'), auditPart),
        h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Timeline'), timeline.element),
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

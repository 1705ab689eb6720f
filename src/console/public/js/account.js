import { api, query } from './api.js';
import { h, mount } from './dom.js';
import { formatNumber, formatTime, kindLabel } from './format.js';
import { t } from './i18n.js';
import { verdictOf } from './layouts.js';
import { accountLink, claimText, severityBadge, statusBadge } from './queue.js';

function reportsTable(items) {
  if (items.length === 0) return h('p', { class: 'muted', id: 'account-reports-empty' }, t('account.noReports'));
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data', id: 'account-reports' },
      h('thead', null, h('tr', null, ['col.detected', 'col.kind', 'col.subject', 'col.roomStream', 'col.state', 'account.verdict'].map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        null,
        items.map((report) =>
          h(
            'tr',
            { dataset: { reportId: report.id } },
            h('td', null, h('a', { href: `#/report/${report.id}` }, formatTime(report.detectedAt))),
            h('td', null, kindLabel(report.kind)),
            h('td', null, t(`subject.${report.subjectType}`), ' ', report.subjectId),
            h('td', null, report.roomId, h('br'), h('span', { class: 'muted small' }, report.streamId)),
            h('td', null, severityBadge(report.severity), ' ', statusBadge(report.status), report.claim ? h('div', { class: 'small' }, claimText(report.claim)) : null),
            h('td', { class: 'summary-cell' }, verdictOf(report) ?? report.summary),
          ),
        ),
      ),
    ),
  );
}

/** The account's latest real-time decisions; null when they could not be read. */
function decisionsList(items) {
  if (items === null) return h('p', { class: 'error' }, t('account.decisionsFailed'));
  if (items.length === 0) return h('p', { class: 'muted', id: 'account-decisions-empty' }, t('account.noDecisions'));
  return h(
    'ul',
    { id: 'account-decisions' },
    items.map((item) =>
      h('li', null, formatTime(Date.parse(item.decidedAt)), ' · ', item.eventType, ' · ', h('strong', null, t(`decisionOutcome.${item.decision}`)), item.riskCodes.length > 0 ? ` (${item.riskCodes.join(', ')})` : ''),
    ),
  );
}

function streamsTable(streams) {
  if (streams.length === 0) return h('p', { class: 'muted' }, t('account.noStreams'));
  const list = (values) => (values.length === 0 ? h('span', { class: 'muted' }, '—') : values.join(', '));
  return h(
    'div',
    { class: 'table-scroll tall' },
    h(
      'table',
      { class: 'data compact', id: 'account-streams' },
      h('thead', null, h('tr', null, ['stream', 'room', 'firstSeen', 'lastSeen', 'devices', 'ips', 'phones'].map((key) => h('th', { scope: 'col' }, t(`account.col.${key}`))))),
      h(
        'tbody',
        null,
        streams.map((stream) =>
          h(
            'tr',
            null,
            h('td', null, h('a', { href: `#/stream/${encodeURIComponent(stream.streamId)}` }, stream.streamId)),
            h('td', null, stream.roomId),
            h('td', null, formatTime(stream.firstSeenAt)),
            h('td', null, formatTime(stream.lastSeenAt)),
            h('td', null, list(stream.deviceIds)),
            h('td', null, list(stream.ips)),
            h('td', null, list(stream.phoneHashes)),
          ),
        ),
      ),
    ),
  );
}

function sharedTable(shared) {
  const linked = shared.filter((entry) => entry.otherAccounts > 0);
  if (linked.length === 0) return h('p', { class: 'muted', id: 'account-shared-empty' }, t('account.noShared'));
  return h(
    'table',
    { class: 'data compact', id: 'account-shared' },
    h('thead', null, h('tr', null, ['identifier', 'value', 'others', 'accounts'].map((key) => h('th', { scope: 'col' }, t(`account.col.${key}`))))),
    h(
      'tbody',
      null,
      linked.map((entry) =>
        h(
          'tr',
          null,
          h('td', null, t(`identifier.${entry.kind}`)),
          h('td', null, entry.value),
          h('td', { class: 'num' }, formatNumber(entry.otherAccounts)),
          h('td', null, h('ul', { class: 'chips' }, entry.accounts.map((account) => h('li', null, accountLink(account))), entry.otherAccounts > entry.accounts.length ? h('li', { class: 'muted' }, t('account.more', { count: entry.otherAccounts - entry.accounts.length })) : null)),
        ),
      ),
    ),
  );
}

/** The ring this account is a member of (a standing account_ring report naming it), linked to its page. */
function ringFigure(items) {
  const rings = items.filter((report) => report.kind === 'account_ring' && report.subjectType === 'ring' && !report.evidence?.mergedInto);
  return h(
    'div',
    { class: 'figure', id: 'account-ring' },
    h('span', { class: 'figure-label' }, t('account.ring')),
    rings.length === 0
      ? h('strong', { class: 'muted' }, t('account.noRing'))
      : h('strong', null, rings.map((ring, index) => [index > 0 ? t('list.separator') : null, h('a', { href: `#/report/${ring.id}`, 'data-ring': ring.subjectId }, ring.subjectId)])),
    rings.length > 0 ? h('span', { class: 'muted small' }, t('fig.ringMembers') + ': ' + rings.map((ring) => formatNumber(ring.accounts.length)).join(t('list.separator'))) : null,
  );
}

/**
 * One account across rooms: every report naming it (with each one's verdict),
 * the streams and rooms it was in with the devices, addresses and phones it
 * used there, and who else used them (links to their own pages).
 * @returns {() => void} teardown
 */
export function renderAccount(target, accountId) {
  let stopped = false;
  mount(target, h('p', { class: 'muted' }, t('account.loading')));
  const show = async () => {
    const [profile, reports, decisions] = await Promise.allSettled([
      api(`/v1/accounts/${encodeURIComponent(accountId)}`),
      api(`/v1/reports${query({ accountId, limit: 200 })}`),
      api(`/v1/decisions${query({ accountId, limit: 20 })}`),
    ]);
    if (stopped) return;
    const failure = [profile, reports].find((part) => part.status === 'rejected');
    if (failure) {
      mount(target, h('section', { class: 'panel' }, h('p', { class: 'error', role: 'alert', id: 'account-error' }, t('account.failed', { message: failure.reason.message }))));
      return;
    }
    const account = profile.value;
    const items = reports.value.items;
    const open = items.filter((report) => report.status === 'open').length;
    mount(
      target,
      h(
        'article',
        { class: 'panel', 'aria-labelledby': 'account-title' },
        h('p', null, h('a', { href: '#/queue' }, t('report.back'))),
        h('h1', { id: 'account-title' }, t('account.title', { id: account.accountId })),
        h(
          'div',
          { class: 'figures', id: 'account-figures' },
          h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, t('account.reports')), h('strong', null, formatNumber(items.length)), h('span', { class: 'muted small' }, t('account.openReports', { count: open }))),
          h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, t('account.rooms')), h('strong', null, formatNumber(account.rooms.length)), h('span', { class: 'muted small' }, account.rooms.slice(0, 4).join(', '))),
          h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, t('account.streams')), h('strong', null, formatNumber(account.streams.length))),
          h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, t('account.linked')), h('strong', null, formatNumber(new Set(account.shared.flatMap((entry) => entry.accounts)).size))),
          ringFigure(items),
        ),
        h('section', { 'aria-labelledby': 'account-reports-title' }, h('h2', { id: 'account-reports-title' }, t('account.reportsTitle')), reportsTable(items)),
        h(
          'section',
          { 'aria-labelledby': 'account-decisions-title' },
          h('h2', { id: 'account-decisions-title' }, t('account.decisionsTitle')),
          decisionsList(decisions.status === 'fulfilled' ? decisions.value.items : null),
          h('p', null, h('a', { href: `#/decisions/${encodeURIComponent(account.accountId)}`, id: 'account-all-decisions' }, t('account.allDecisions'))),
        ),
        h('section', { 'aria-labelledby': 'account-shared-title' }, h('h2', { id: 'account-shared-title' }, t('account.sharedTitle')), sharedTable(account.shared)),
        h('section', { 'aria-labelledby': 'account-streams-title' }, h('h2', { id: 'account-streams-title' }, t('account.streamsTitle')), streamsTable(account.streams)),
      ),
    );
  };
  void show();
  return () => {
    stopped = true;
  };
}

import { ApiError, api, query, session } from './api.js';
import { h, mount } from './dom.js';
import { formatAge, formatNumber, formatTime, kindLabel, KIND_LABEL_KEYS } from './format.js';
import { t } from './i18n.js';
import { reviewFeed } from './live.js';

const SEVERITIES = ['high', 'medium', 'low'];
const STATUSES = ['open', 'confirmed', 'dismissed'];
/** What the search box searches: each is a server-side filter of GET /v1/reports. */
const SEARCHES = ['accountId', 'roomId', 'streamId', 'merchantId', 'deviceId', 'ip', 'phoneHash'];

/** Filters survive navigating to a report and back. */
// Rooms first: an evening raises hundreds of account reports, each room
// report already lists its accounts, and a reviewer works the room's case.
const filters = { kind: '', subjectType: 'room', severity: '', status: 'open', claimed: '', sort: 'priority', searchBy: 'accountId', search: '' };

export function severityBadge(severity) {
  return h('span', { class: `badge severity-${severity}` }, t(`severity.${severity}`));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, dataset: { status } }, t(`status.${status}`));
}

/** Who works a report: "you" or the reviewer's name, until when. */
export function claimText(claim) {
  if (!claim) return null;
  const mine = claim.reviewerKeyId === session.principal?.keyId;
  return mine ? t('claim.byYou', { until: formatTime(Date.parse(claim.expiresAt)) }) : t('claim.by', { who: claim.reviewer, until: formatTime(Date.parse(claim.expiresAt)) });
}

export function accountLink(accountId) {
  return h('a', { href: `#/account/${encodeURIComponent(accountId)}`, class: 'account-link' }, accountId);
}

function select(id, label, options, current, onChange) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, onchange: (event) => onChange(event.target.value) },
      options.map(([value, text]) => h('option', { value, selected: value === current }, text)),
    ),
  );
}

/** Whether a pushed report belongs in the list the server would answer. */
function matches(report) {
  return (
    (!filters.kind || report.kind === filters.kind) &&
    (!filters.subjectType || report.subjectType === filters.subjectType) &&
    (!filters.severity || report.severity === filters.severity) &&
    (!filters.status || report.status === filters.status) &&
    (!filters.search || (filters.searchBy === 'roomId' && report.roomId === filters.search) || (filters.searchBy === 'streamId' && report.streamId === filters.search))
  );
}

/**
 * The reviewer queue: the server's order (priority or newest) over every
 * report the filters match, a search by account, room, stream, merchant,
 * device, IP or phone, who claims what, and bulk decisions on a selection.
 * New, changed and claimed reports arrive live over /reviews.
 * @returns {() => void} teardown
 */
export function renderQueue(target) {
  let reports = [];
  let nextCursor = null;
  const fresh = new Set();
  const selected = new Set();
  const feed = reviewFeed();

  const liveBadge = h('span', { class: 'live', id: 'live-status', role: 'status' });
  const showLive = (connected) => {
    liveBadge.textContent = connected ? t('queue.live') : t('queue.offline');
    liveBadge.classList.toggle('off', !connected);
  };
  showLive(feed.connected);

  const tableBody = h('tbody', { id: 'queue-rows' });
  const countLine = h('p', { class: 'muted', id: 'queue-count' });
  const moreButton = h('button', { type: 'button', class: 'button subtle', onclick: () => load(true) }, t('queue.more'));
  const errorLine = h('p', { class: 'error', role: 'alert' });
  const accountHint = h('p', { class: 'muted', id: 'search-account' });

  const bulkNote = h('input', { id: 'bulk-note', type: 'text', maxlength: 2000, placeholder: t('bulk.notePlaceholder') });
  const bulkCount = h('span', { id: 'bulk-count' });
  const bulkMessage = h('p', { id: 'bulk-message', role: 'status' });
  const bulkButtons = ['confirmed', 'dismissed'].map((decision) =>
    h('button', { type: 'button', class: `button ${decision === 'confirmed' ? 'danger' : 'subtle'}`, id: `bulk-${decision === 'confirmed' ? 'confirm' : 'dismiss'}`, onclick: () => void bulkDecide(decision) }, t(decision === 'confirmed' ? 'bulk.confirm' : 'bulk.dismiss')),
  );
  const bulkBar = h('div', { class: 'bulk-bar', id: 'bulk-bar', role: 'group', 'aria-label': t('bulk.label') }, bulkCount, bulkNote, bulkButtons);

  const drawBulk = () => {
    bulkBar.hidden = selected.size === 0;
    bulkCount.textContent = t('bulk.selected', { count: selected.size });
  };

  const draw = () => {
    countLine.textContent = `${t('queue.count', { count: reports.length })}${nextCursor ? t('queue.moreOnServer') : ''} — ${t(filters.sort === 'priority' ? 'queue.orderPriority' : 'queue.orderNewest')}`;
    moreButton.hidden = nextCursor === null;
    for (const id of [...selected]) if (!reports.some((report) => report.id === id)) selected.delete(id);
    drawBulk();
    mount(
      tableBody,
      reports.length === 0
        ? h('tr', null, h('td', { colspan: 9, class: 'empty' }, t('queue.empty')))
        : reports.map((report) =>
            h(
              'tr',
              { class: fresh.has(report.id) ? 'fresh' : null, dataset: { reportId: report.id } },
              h(
                'td',
                null,
                h('input', {
                  type: 'checkbox',
                  class: 'select-report',
                  'aria-label': t('bulk.select', { summary: report.summary }),
                  checked: selected.has(report.id),
                  onchange: (event) => {
                    if (event.target.checked) selected.add(report.id);
                    else selected.delete(report.id);
                    drawBulk();
                  },
                }),
              ),
              h('td', null, h('a', { href: `#/report/${report.id}` }, formatTime(report.detectedAt))),
              h('td', { class: 'age', title: report.createdAt }, report.createdAt ? formatAge(Date.now() - Date.parse(report.createdAt)) : '—'),
              h('td', null, kindLabel(report.kind)),
              h('td', null, h('span', { class: 'muted' }, t(`subject.${report.subjectType}`)), ' ', report.subjectType === 'account' ? accountLink(report.subjectId) : report.subjectId),
              h('td', null, report.roomId === null ? h('span', { class: 'muted' }, t('queue.acrossRooms')) : [report.roomId, h('br'), h('span', { class: 'muted small' }, report.streamId)]),
              h('td', { class: 'num' }, formatNumber(report.score)),
              h('td', null, severityBadge(report.severity), ' ', statusBadge(report.status), report.claim ? h('div', { class: 'claim small', dataset: { claimedBy: report.claim.reviewer } }, claimText(report.claim)) : null),
              h('td', { class: 'summary-cell' }, report.summary),
            ),
          ),
    );
  };

  const serverQuery = (cursor) =>
    query({
      kind: filters.kind,
      subjectType: filters.subjectType,
      severity: filters.severity,
      status: filters.status,
      claimed: filters.claimed,
      sort: filters.sort,
      [filters.searchBy]: filters.search || undefined,
      limit: 200,
      cursor,
    });

  const load = async (more = false) => {
    errorLine.textContent = '';
    mount(accountHint, filters.searchBy === 'accountId' && filters.search ? [t('search.accountPage'), ' ', accountLink(filters.search)] : null);
    try {
      const page = await api(`/v1/reports${serverQuery(more ? nextCursor : undefined)}`);
      reports = more ? [...reports, ...page.items] : page.items;
      nextCursor = page.nextCursor;
      draw();
    } catch (error) {
      errorLine.textContent = t('queue.loadFailed', { message: error.message });
    }
  };

  const bulkDecide = async (decision) => {
    const items = reports.filter((report) => selected.has(report.id)).map((report) => ({ id: report.id, version: report.version }));
    if (items.length === 0) return;
    for (const button of bulkButtons) button.disabled = true;
    bulkMessage.className = '';
    bulkMessage.textContent = t('decision.saving');
    try {
      const note = bulkNote.value.trim();
      const result = await api('/v1/reports/bulk-decision', { method: 'POST', body: { decision, items, ...(note ? { note } : {}) } });
      for (const item of result.items) {
        if (item.report) {
          const index = reports.findIndex((report) => report.id === item.id);
          if (index >= 0) reports[index] = item.report;
          selected.delete(item.id);
        }
      }
      const refused = result.items.filter((item) => item.status !== 200);
      mount(
        bulkMessage,
        t('bulk.result', { decided: result.decided, refused: result.refused }),
        refused.length > 0 ? h('ul', { class: 'small' }, refused.map((item) => h('li', null, `${item.id.slice(0, 8)}: ${item.error}`))) : null,
      );
      bulkNote.value = '';
      draw();
    } catch (error) {
      bulkMessage.className = 'error';
      bulkMessage.textContent = t('decision.failed', { message: error instanceof ApiError ? error.message : String(error) });
    }
    for (const button of bulkButtons) button.disabled = false;
  };

  const change = (name) => (value) => {
    filters[name] = value;
    void load();
  };

  const searchInput = h('input', { id: 'search', type: 'search', value: filters.search, placeholder: t('search.placeholder'), spellcheck: 'false' });
  const searchForm = h(
    'form',
    { class: 'search', role: 'search', onsubmit: (event) => { event.preventDefault(); change('search')(searchInput.value.trim()); } },
    select('search-by', t('search.by'), SEARCHES.map((name) => [name, t(`search.${name}`)]), filters.searchBy, (value) => { filters.searchBy = value; if (filters.search) void load(); }),
    h('div', { class: 'field grow' }, h('label', { for: 'search' }, t('search.label')), searchInput),
    h('button', { type: 'submit', class: 'button primary', id: 'search-go' }, t('search.go')),
  );

  mount(
    target,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'queue-title' },
      h('div', { class: 'title-row' }, h('h1', { id: 'queue-title' }, t('queue.title')), liveBadge),
      searchForm,
      accountHint,
      h(
        'div',
        { class: 'filters', role: 'group', 'aria-label': t('queue.filters') },
        select('filter-kind', t('queue.kind'), [['', t('queue.allKinds')], ...Object.keys(KIND_LABEL_KEYS).map((kind) => [kind, kindLabel(kind)])], filters.kind, change('kind')),
        select('filter-subject', t('queue.subject'), [['', t('queue.allSubjects')], ['room', t('queue.rooms')], ['account', t('queue.accounts')], ['ring', t('queue.rings')], ['merchant', t('queue.merchants')]], filters.subjectType, change('subjectType')),
        select('filter-severity', t('queue.severity'), [['', t('queue.anySeverity')], ...SEVERITIES.map((s) => [s, t(`severity.${s}`)])], filters.severity, change('severity')),
        select('filter-status', t('queue.status'), [['', t('queue.anyStatus')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], filters.status, change('status')),
        select('filter-claimed', t('queue.claimed'), [['', t('queue.anyClaim')], ['none', t('queue.unclaimed')], ['mine', t('queue.mine')], ['others', t('queue.others')]], filters.claimed, change('claimed')),
        select('sort', t('queue.order'), [['priority', t('queue.byPriority')], ['newest', t('queue.newest')]], filters.sort, change('sort')),
      ),
      errorLine,
      countLine,
      bulkBar,
      bulkMessage,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data', id: 'queue' },
          h('caption', { class: 'visually-hidden' }, t('queue.caption')),
          h(
            'thead',
            null,
            h('tr', null, ['', 'col.detected', 'col.waiting', 'col.kind', 'col.subject', 'col.roomStream', 'col.score', 'col.state', 'col.summary'].map((key) => h('th', { scope: 'col' }, key ? t(key) : h('span', { class: 'visually-hidden' }, t('bulk.label'))))),
          ),
          tableBody,
        ),
      ),
      moreButton,
    ),
  );

  const stopReports = feed.onReport((event, report) => {
    const index = reports.findIndex((item) => item.id === report.id);
    if (index >= 0) {
      const known = reports[index];
      if (known.version > report.version) return;
      // Pushes of the store carry the contract's report; keep the desk's fields it lacks.
      reports[index] = { ...known, ...report, claim: 'claim' in report ? report.claim : known.version === report.version ? known.claim : null };
    } else if (event === 'report.created' && matches(report)) {
      reports.unshift({ claim: null, createdAt: new Date().toISOString(), ...report });
    } else {
      return;
    }
    fresh.add(report.id);
    draw();
  });
  const stopStatus = feed.onStatus(showLive);
  void load();
  return () => {
    stopReports();
    stopStatus();
  };
}

import { api, query } from './api.js';
import { h, mount } from './dom.js';
import { KIND_LABELS, SUBJECT_LABELS, formatNumber, formatTime, kindLabel } from './format.js';
import { reviewFeed } from './live.js';

const SEVERITIES = ['high', 'medium', 'low'];
const STATUSES = ['open', 'confirmed', 'dismissed'];
const SEVERITY_RANK = { high: 3, medium: 2, low: 1 };

/** Filters survive navigating to a report and back. */
// Rooms first: an evening raises hundreds of account reports, each room
// report already lists its accounts, and a reviewer works the room's case.
const filters = { kind: '', subjectType: 'room', severity: '', status: 'open', roomId: '', sort: 'newest' };

export function severityBadge(severity) {
  return h('span', { class: `badge severity-${severity}` }, severity);
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, status);
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

function matches(report) {
  return (
    (!filters.kind || report.kind === filters.kind) &&
    (!filters.subjectType || report.subjectType === filters.subjectType) &&
    (!filters.severity || report.severity === filters.severity) &&
    (!filters.status || report.status === filters.status) &&
    (!filters.roomId || report.roomId === filters.roomId)
  );
}

function sorted(reports) {
  const list = reports.filter(matches);
  if (filters.sort === 'score') return list.sort((a, b) => b.score - a.score || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.detectedAt - a.detectedAt);
  return list; // the API's order: newest first, live arrivals put on top
}

/**
 * The reviewer queue: reports newest (or highest score) first, filtered;
 * new and changed reports arrive live over /reviews.
 * @returns {() => void} teardown
 */
export function renderQueue(target) {
  let reports = [];
  let nextCursor = null;
  const fresh = new Set();
  const feed = reviewFeed();

  const liveBadge = h('span', { class: 'live', id: 'live-status', role: 'status' });
  const showLive = (connected) => {
    liveBadge.textContent = connected ? 'Live' : 'Offline — not receiving updates';
    liveBadge.classList.toggle('off', !connected);
  };
  showLive(feed.connected);

  const tableBody = h('tbody', { id: 'queue-rows' });
  const countLine = h('p', { class: 'muted', id: 'queue-count' });
  const moreButton = h('button', { type: 'button', class: 'button subtle', onclick: () => load(true) }, 'Load more');
  const errorLine = h('p', { class: 'error', role: 'alert' });

  const draw = () => {
    const list = sorted(reports);
    countLine.textContent = `${list.length} report${list.length === 1 ? '' : 's'} shown${nextCursor ? ' — more on the server' : ''}${filters.sort === 'score' ? ' (loaded reports ranked by score)' : ''}`;
    moreButton.hidden = nextCursor === null;
    mount(
      tableBody,
      list.length === 0
        ? h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No reports match these filters.'))
        : list.map((report) =>
            h(
              'tr',
              { class: fresh.has(report.id) ? 'fresh' : null, dataset: { reportId: report.id } },
              h('td', null, h('a', { href: `#/report/${report.id}` }, formatTime(report.detectedAt))),
              h('td', null, kindLabel(report.kind)),
              h('td', null, h('span', { class: 'muted' }, report.subjectType), ' ', report.subjectId),
              h('td', null, report.roomId === null ? h('span', { class: 'muted' }, 'across rooms') : [report.roomId, h('br'), h('span', { class: 'muted small' }, report.streamId)]),
              h('td', { class: 'num' }, formatNumber(report.score)),
              h('td', null, severityBadge(report.severity), ' ', statusBadge(report.status)),
              h('td', { class: 'summary-cell' }, report.summary),
            ),
          ),
    );
  };

  const load = async (more = false) => {
    errorLine.textContent = '';
    try {
      const page = await api(
        `/v1/reports${query({ kind: filters.kind, subjectType: filters.subjectType, status: filters.status, roomId: filters.roomId, limit: 200, cursor: more ? nextCursor : undefined })}`,
      );
      reports = more ? [...reports, ...page.items] : page.items;
      nextCursor = page.nextCursor;
      draw();
    } catch (error) {
      errorLine.textContent = `Could not load reports: ${error.message}`;
    }
  };

  const change = (name, reload) => (value) => {
    filters[name] = value;
    if (reload) void load();
    else draw();
  };

  const roomInput = h('input', { id: 'filter-room', type: 'search', value: filters.roomId, placeholder: 'any room', spellcheck: 'false' });
  const roomForm = h(
    'form',
    { class: 'field', onsubmit: (event) => { event.preventDefault(); change('roomId', true)(roomInput.value.trim()); } },
    h('label', { for: 'filter-room' }, 'Room'),
    roomInput,
  );

  mount(
    target,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'queue-title' },
      h('div', { class: 'title-row' }, h('h1', { id: 'queue-title' }, 'Review queue'), liveBadge),
      h(
        'div',
        { class: 'filters', role: 'group', 'aria-label': 'Filters' },
        select('filter-kind', 'Kind', [['', 'All kinds'], ...Object.entries(KIND_LABELS)], filters.kind, change('kind', true)),
        select('filter-subject', 'Subject', [['', 'All subjects'], ...Object.entries(SUBJECT_LABELS)], filters.subjectType, change('subjectType', true)),
        select('filter-severity', 'Severity', [['', 'Any severity'], ...SEVERITIES.map((s) => [s, s])], filters.severity, change('severity', false)),
        select('filter-status', 'Status', [['', 'Any status'], ...STATUSES.map((s) => [s, s])], filters.status, change('status', true)),
        roomForm,
        select('sort', 'Order', [['newest', 'Newest first'], ['score', 'Highest score first']], filters.sort, change('sort', false)),
      ),
      errorLine,
      countLine,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data', id: 'queue' },
          h('caption', { class: 'visually-hidden' }, 'Reports'),
          h(
            'thead',
            null,
            h('tr', null, ['Detected', 'Kind', 'Subject', 'Room / stream', 'Score', 'Severity / status', 'Summary'].map((title) => h('th', { scope: 'col' }, title))),
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
      if (reports[index].version > report.version) return;
      reports[index] = report;
    } else if (event === 'report.created' || matches(report)) {
      reports.unshift(report);
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

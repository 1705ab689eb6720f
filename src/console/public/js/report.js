import { ApiError, api, query } from './api.js';
import { h, mount } from './dom.js';
import { evidenceView } from './evidence.js';
import { formatNumber, formatTime, kindLabel } from './format.js';
import { reviewFeed } from './live.js';
import { severityBadge, statusBadge } from './queue.js';
import { timelineSection } from './timeline.js';

function accountTable(accounts) {
  if (accounts.length === 0) return h('p', { class: 'muted' }, 'No activity of these accounts in the stream log.');
  const shared = (text, peers, what) =>
    text === null
      ? h('span', { class: 'muted' }, '—')
      : h('span', { class: peers > 0 ? 'shared' : null, title: peers > 0 ? `${peers} other listed account(s) on this ${what}` : null }, text, peers > 0 ? h('span', { class: 'peers' }, ` +${peers}`) : null);
  // Accounts that share a device or subnet sit together.
  const ordered = [...accounts].sort(
    (a, b) => (a.subnet ?? '~').localeCompare(b.subnet ?? '~') || (a.deviceId ?? '~').localeCompare(b.deviceId ?? '~') || a.firstSeenAt - b.firstSeenAt,
  );
  return h(
    'div',
    { class: 'table-scroll tall' },
    h(
      'table',
      { class: 'data compact', id: 'accounts' },
      h('caption', { class: 'visually-hidden' }, 'Accounts named by the report'),
      h(
        'thead',
        null,
        h('tr', null, ['Account', 'First seen', 'Created', 'Age at join', 'Device', 'IP', 'Subnet', 'Model / OS', 'Flags', 'Comments', 'Likes', 'Orders'].map((title) => h('th', { scope: 'col' }, title))),
      ),
      h(
        'tbody',
        null,
        ordered.map((account) =>
          h(
            'tr',
            null,
            h('td', null, account.accountId),
            h('td', null, formatTime(account.firstSeenAt)),
            h('td', null, account.accountCreatedAt === null ? '—' : formatTime(account.accountCreatedAt)),
            h('td', { class: 'num' }, account.accountCreatedAt === null ? '—' : `${formatNumber(Math.round(((account.firstSeenAt - account.accountCreatedAt) / 86_400_000) * 10) / 10)} d`),
            h('td', null, shared(account.deviceId, account.shared.device, 'device')),
            h('td', null, shared(account.ip, account.shared.ip, 'IP')),
            h('td', null, shared(account.subnet, account.shared.subnet, 'subnet')),
            h('td', null, shared(account.model, account.shared.model, 'model'), account.os ? h('span', { class: 'muted' }, ` · ${account.os}`) : null),
            h('td', null, [account.emulator ? 'emulator' : null, account.rooted ? 'rooted' : null].filter(Boolean).join(', ') || '—'),
            h('td', { class: 'num' }, formatNumber(account.comments)),
            h('td', { class: 'num' }, formatNumber(account.likes)),
            h('td', { class: 'num' }, formatNumber(account.orders)),
          ),
        ),
      ),
    ),
  );
}

function header(report) {
  return h(
    'div',
    { class: 'report-head' },
    h('p', null, h('a', { href: '#/queue' }, '← Back to the queue')),
    h('h1', { id: 'report-title' }, `${kindLabel(report.kind)} — ${report.subjectType} ${report.subjectId}`),
    h('p', { class: 'badges' }, severityBadge(report.severity), ' ', h('span', { id: 'report-status' }, statusBadge(report.status)), ' ', h('span', { class: 'badge' }, `score ${formatNumber(report.score)}`), ' ', h('span', { class: 'muted', id: 'report-version' }, `version ${report.version}`)),
    h('p', { class: 'summary' }, report.summary),
    h(
      'dl',
      { class: 'kv inline' },
      h('dt', null, 'Room'), h('dd', null, report.roomId ?? 'across rooms (see the evidence)'),
      h('dt', null, 'Stream'), h('dd', null, report.streamId ?? '—'),
      h('dt', null, 'Detected'), h('dd', null, formatTime(report.detectedAt)),
      h('dt', null, 'Updated'), h('dd', null, new Date(report.updatedAt).toISOString().replace('T', ' ').slice(0, 19), ' UTC'),
    ),
  );
}

function decisionPanel(current, onDecided) {
  const note = h('textarea', { id: 'decision-note', rows: 2, maxlength: 2000, placeholder: 'Why? (kept in the audit trail)' });
  const message = h('p', { id: 'decision-message', role: 'status' });
  const decide = async (decision) => {
    const report = current();
    message.className = '';
    message.textContent = 'Saving…';
    for (const button of buttons) button.disabled = true;
    try {
      const updated = await api(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision, version: report.version, ...(note.value.trim() ? { note: note.value.trim() } : {}) },
      });
      message.textContent = `Report ${updated.status}.`;
      onDecided(updated);
    } catch (error) {
      message.className = 'error';
      if (error instanceof ApiError && error.status === 409) {
        mount(message, 'This report changed since you opened it — ', h('a', { href: `#/report/${report.id}`, onclick: (event) => { event.preventDefault(); onDecided(null); } }, 'reload'), ' to see the new version before deciding.');
      } else {
        message.textContent = `Could not save the decision: ${error.message}`;
      }
    }
    for (const button of buttons) button.disabled = false;
  };
  const buttons = [
    h('button', { type: 'button', class: 'button danger', id: 'confirm', onclick: () => decide('confirmed') }, 'Confirm'),
    h('button', { type: 'button', class: 'button subtle', id: 'dismiss', onclick: () => decide('dismissed') }, 'Dismiss'),
  ];
  return h(
    'section',
    { class: 'decision', 'aria-labelledby': 'decision-title' },
    h('h2', { id: 'decision-title' }, 'Decision'),
    h('label', { for: 'decision-note' }, 'Note'),
    note,
    h('div', { class: 'actions' }, buttons),
    message,
  );
}

/**
 * One report: header, decision, the room's timeline with detection moments,
 * the evidence and the accounts behind it.
 * @returns {() => void} teardown
 */
export function renderReport(target, reportId) {
  let stopped = false;
  let stopFeed = () => {};
  mount(target, h('p', { class: 'muted' }, 'Loading report…'));

  const show = async () => {
    let report;
    try {
      report = await api(`/v1/reports/${encodeURIComponent(reportId)}`);
    } catch (error) {
      mount(target, h('section', { class: 'panel' }, h('p', null, h('a', { href: '#/queue' }, '← Back to the queue')), h('p', { class: 'error', role: 'alert' }, error.status === 404 ? 'No such report.' : `Could not load the report: ${error.message}`)));
      return;
    }
    if (stopped) return;
    const changed = h('p', { class: 'notice', hidden: true, role: 'status' });
    const timelineSlot = h('div', { id: 'timeline' }, h('p', { class: 'muted' }, 'Loading timeline…'));
    const accountsSlot = h('div', { id: 'accounts-slot' }, h('p', { class: 'muted' }, 'Loading accounts…'));
    const statusSlot = () => target.querySelector('#report-status');
    mount(
      target,
      h(
        'article',
        { class: 'panel', 'aria-labelledby': 'report-title' },
        header(report),
        changed,
        decisionPanel(() => report, (updated) => {
          if (updated === null) return void show();
          report = updated;
          mount(statusSlot(), statusBadge(updated.status));
          // Our own decision's push may have arrived before the answer.
          if (Number(changed.dataset.version) <= updated.version) changed.hidden = true;
        }),
        h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Room timeline'), timelineSlot),
        h('section', { 'aria-labelledby': 'evidence-title' }, h('h2', { id: 'evidence-title' }, 'Evidence'), evidenceView(report.evidence)),
        h('section', { 'aria-labelledby': 'accounts-title' }, h('h2', { id: 'accounts-title' }, `Accounts (${report.accounts.length} named)`), accountsSlot),
      ),
    );

    stopFeed();
    stopFeed = reviewFeed().onReport((_event, pushed) => {
      if (pushed.id === report.id && pushed.version > report.version) {
        changed.dataset.version = String(pushed.version);
        mount(changed, `This report changed (now version ${pushed.version}, ${pushed.status}) — `, h('a', { href: `#/report/${report.id}`, onclick: (event) => { event.preventDefault(); void show(); } }, 'reload'), '.');
        changed.hidden = false;
      }
    });

    if (report.streamId === null) {
      // A ring or merchant report (or an account's outside rooms) has no one stream to draw: its evidence lists the rooms.
      mount(timelineSlot, h('p', { class: 'muted' }, 'This report spans rooms; its evidence lists the rooms and streams involved.'));
      mount(accountsSlot, h('p', { class: 'muted' }, report.accounts.join(', ') || 'No accounts named.'));
      return;
    }
    const [related, accounts] = await Promise.allSettled([
      api(`/v1/reports${query({ streamId: report.streamId, limit: 200 })}`),
      report.accounts.length > 0 ? api(`/v1/streams/${encodeURIComponent(report.streamId)}/accounts${query({ reportId: report.id })}`) : Promise.resolve({ items: [] }),
    ]);
    if (stopped) return;
    // Room-level detections of this stream, and this report's own moment.
    const detections = related.status === 'fulfilled' ? related.value.items.filter((item) => item.subjectType === 'room' || item.id === report.id) : [report];
    const timeline = timelineSection(report.streamId, () =>
      detections.map((item) => ({ at: item.detectedAt, label: `${item.id === report.id ? '▶ ' : ''}${kindLabel(item.kind)}` })),
    );
    mount(timelineSlot, timeline.element);
    void timeline.load();
    if (accounts.status === 'fulfilled') mount(accountsSlot, accountTable(accounts.value.items));
    else mount(accountsSlot, h('p', { class: 'error' }, `Accounts unavailable: ${accounts.reason.message}`));
  };
  void show();
  return () => {
    stopped = true;
    stopFeed();
  };
}

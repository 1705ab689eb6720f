import { ApiError, api, query, session } from './api.js';
import { h, mount } from './dom.js';
import { evidenceView } from './evidence.js';
import { formatNumber, formatTime, kindLabel } from './format.js';
import { t } from './i18n.js';
import { memberLinks, reportLayout } from './layouts.js';
import { reviewFeed } from './live.js';
import { accountLink, claimText, severityBadge, statusBadge } from './queue.js';
import { timelineSection } from './timeline.js';

function accountTable(accounts) {
  if (accounts.length === 0) return h('p', { class: 'muted' }, t('accounts.none'));
  const shared = (text, peers, what) =>
    text === null
      ? h('span', { class: 'muted' }, '—')
      : h('span', { class: peers > 0 ? 'shared' : null, title: peers > 0 ? t('accounts.peers', { count: peers, what: t(`identifier.${what}`) }) : null }, text, peers > 0 ? h('span', { class: 'peers' }, ` +${peers}`) : null);
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
      h('caption', { class: 'visually-hidden' }, t('accounts.caption')),
      h(
        'thead',
        null,
        h('tr', null, ['account', 'firstSeen', 'created', 'ageAtJoin', 'device', 'ip', 'subnet', 'model', 'flags', 'comments', 'likes', 'orders'].map((key) => h('th', { scope: 'col' }, t(`accounts.col.${key}`)))),
      ),
      h(
        'tbody',
        null,
        ordered.map((account) =>
          h(
            'tr',
            null,
            h('td', null, accountLink(account.accountId)),
            h('td', null, formatTime(account.firstSeenAt)),
            h('td', null, account.accountCreatedAt === null ? '—' : formatTime(account.accountCreatedAt)),
            h('td', { class: 'num' }, account.accountCreatedAt === null ? '—' : t('unit.days', { n: formatNumber(Math.round(((account.firstSeenAt - account.accountCreatedAt) / 86_400_000) * 10) / 10) })),
            h('td', null, shared(account.deviceId, account.shared.device, 'deviceId')),
            h('td', null, shared(account.ip, account.shared.ip, 'ip')),
            h('td', null, shared(account.subnet, account.shared.subnet, 'subnet')),
            h('td', null, shared(account.model, account.shared.model, 'model'), account.os ? h('span', { class: 'muted' }, ` · ${account.os}`) : null),
            h('td', null, [account.emulator ? t('flag.emulator') : null, account.rooted ? t('flag.rooted') : null].filter(Boolean).join(', ') || '—'),
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
    h('p', null, h('a', { href: '#/queue' }, t('report.back'))),
    h('h1', { id: 'report-title' }, `${kindLabel(report.kind)} — ${t(`subject.${report.subjectType}`)} ${report.subjectId}`),
    h('p', { class: 'badges' }, severityBadge(report.severity), ' ', h('span', { id: 'report-status' }, statusBadge(report.status)), ' ', h('span', { class: 'badge' }, `${t('report.score')} ${formatNumber(report.score)}`), ' ', h('span', { class: 'muted', id: 'report-version' }, t('report.version', { version: report.version }))),
    h('p', { class: 'summary' }, report.summary),
    h(
      'dl',
      { class: 'kv inline' },
      h('dt', null, t('report.room')), h('dd', null, report.roomId ?? t('report.acrossRooms')),
      h('dt', null, t('report.stream')), h('dd', null, report.streamId === null ? '—' : h('a', { href: `#/stream/${encodeURIComponent(report.streamId)}` }, report.streamId)),
      h('dt', null, t('report.detected')), h('dd', null, formatTime(report.detectedAt)),
      h('dt', null, t('report.updated')), h('dd', null, formatTime(Date.parse(report.updatedAt))),
    ),
  );
}

/** Claim, renew, release; shows who else works it. */
function claimBar(current, onChange) {
  const line = h('span', { id: 'claim-status' });
  const message = h('span', { class: 'error', id: 'claim-message', role: 'alert' });
  const claimButton = h('button', { type: 'button', class: 'button primary', id: 'claim' });
  const releaseButton = h('button', { type: 'button', class: 'button subtle', id: 'release' }, t('claim.release'));
  const draw = () => {
    const report = current();
    const mine = report.claim?.reviewerKeyId === session.principal?.keyId;
    line.textContent = report.claim ? claimText(report.claim) : t('claim.none');
    line.dataset.claimedBy = report.claim?.reviewer ?? '';
    claimButton.textContent = mine ? t('claim.renew') : t('claim.take');
    claimButton.hidden = Boolean(report.claim && !mine) || report.status !== 'open';
    releaseButton.hidden = !mine;
  };
  const act = async (method) => {
    message.textContent = '';
    const report = current();
    try {
      const answer = await api(`/v1/reports/${report.id}/claim`, { method });
      onChange(method === 'POST' ? answer.claim : null);
    } catch (error) {
      message.textContent = error instanceof ApiError && error.status === 409 ? t('claim.conflict', { message: error.message }) : t('claim.failed', { message: error.message });
    }
  };
  claimButton.addEventListener('click', () => void act('POST'));
  releaseButton.addEventListener('click', () => void act('DELETE'));
  draw();
  return { element: h('div', { class: 'claim-bar', id: 'claim-bar' }, line, claimButton, releaseButton, message), draw };
}

function trailList(items) {
  if (items.length === 0) return h('p', { class: 'muted', id: 'trail-empty' }, t('trail.none'));
  return h(
    'ol',
    { class: 'trail', id: 'trail' },
    items.map((item) =>
      h(
        'li',
        null,
        h('strong', null, t(`status.${item.decision}`)),
        ' ',
        t('trail.byAt', { who: item.reviewer ?? item.reviewerKeyId.slice(0, 8), at: formatTime(Date.parse(item.decidedAt)), version: item.version }),
        item.bulkId ? h('span', { class: 'badge' }, t('trail.bulk')) : null,
        item.note ? h('blockquote', null, item.note) : null,
      ),
    ),
  );
}

function deliveryList(items) {
  if (items.length === 0) return h('p', { class: 'muted', id: 'deliveries-empty' }, t('delivery.none'));
  // Newest first; a report that grew for an evening has one per version, and the latest tell the state.
  const shown = items.slice(0, 3);
  return h(
    'ul',
    { class: 'trail', id: 'deliveries' },
    shown.map((item) => h('li', null, h('strong', null, t(`delivery.${item.status}`)), ' ', t('delivery.line', { version: item.reportVersion, reason: t(`delivery.reason.${item.reason}`), attempts: item.attempts }), item.lastError ? h('span', { class: 'muted small' }, ` — ${item.lastError}`) : null)),
    items.length > shown.length ? h('li', { class: 'muted' }, t('delivery.earlier', { count: items.length - shown.length })) : null,
  );
}

/**
 * Confirm/Dismiss on the version on screen; the buttons follow the report's
 * state (a confirmed report offers "dismiss instead", and so on).
 */
function decisionPanel(current, onDecided) {
  const note = h('textarea', { id: 'decision-note', rows: 2, maxlength: 2000, placeholder: t('decision.notePlaceholder') });
  const message = h('p', { id: 'decision-message', role: 'status' });
  const confirmButton = h('button', { type: 'button', class: 'button danger', id: 'confirm', onclick: () => decide('confirmed') });
  const dismissButton = h('button', { type: 'button', class: 'button subtle', id: 'dismiss', onclick: () => decide('dismissed') });
  const drawButtons = () => {
    const { status } = current();
    confirmButton.textContent = status === 'dismissed' ? t('decision.confirmInstead') : t('decision.confirm');
    dismissButton.textContent = status === 'confirmed' ? t('decision.dismissInstead') : t('decision.dismiss');
    confirmButton.disabled = status === 'confirmed';
    dismissButton.disabled = status === 'dismissed';
  };
  const decide = async (decision) => {
    const report = current();
    message.className = '';
    message.textContent = t('decision.saving');
    confirmButton.disabled = dismissButton.disabled = true;
    try {
      const updated = await api(`/v1/reports/${report.id}/decision`, {
        method: 'POST',
        body: { decision, version: report.version, ...(note.value.trim() ? { note: note.value.trim() } : {}) },
      });
      message.textContent = t(`decision.done.${updated.status}`);
      note.value = '';
      onDecided(updated);
    } catch (error) {
      message.className = 'error';
      if (error instanceof ApiError && error.status === 409 && error.message.startsWith('claim:')) {
        message.textContent = t('claim.conflict', { message: error.message });
      } else if (error instanceof ApiError && error.status === 409) {
        mount(message, t('decision.changed'), h('a', { href: `#/report/${report.id}`, onclick: (event) => { event.preventDefault(); onDecided(null); } }, t('decision.reload')), t('decision.changedAfter'));
      } else {
        message.textContent = t('decision.failed', { message: error.message });
      }
    }
    drawButtons();
  };
  drawButtons();
  return {
    element: h(
      'section',
      { class: 'decision', 'aria-labelledby': 'decision-title' },
      h('h2', { id: 'decision-title' }, t('decision.title')),
      h('label', { for: 'decision-note' }, t('decision.note')),
      note,
      h('div', { class: 'actions' }, confirmButton, dismissButton),
      message,
    ),
    drawButtons,
  };
}

/**
 * After a room or ring report is confirmed: the open account reports of the
 * accounts it names (a room's in its stream and kind, a ring's anywhere),
 * counted and confirmed by the server as one group, however many there are.
 */
async function offerAccountReports(report, slot) {
  if (report.subjectType === 'account' || report.status !== 'confirmed' || report.accounts.length === 0) return mount(slot);
  const group = { namedBy: report.id };
  const preview = await api('/v1/reports/bulk-decision', { method: 'POST', body: { decision: 'confirmed', group, dryRun: true } }).catch(() => ({ items: [] }));
  const count = preview.items.length;
  if (count === 0) return mount(slot);
  const result = h('p', { id: 'cascade-result', role: 'status' });
  const button = h('button', { type: 'button', class: 'button danger', id: 'confirm-accounts' }, t('cascade.button', { count }));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const answer = await api('/v1/reports/bulk-decision', { method: 'POST', body: { decision: 'confirmed', note: t('cascade.note', { id: report.id }), group } });
      result.textContent = t('bulk.result', { decided: answer.decided, refused: answer.refused });
      button.hidden = true;
    } catch (error) {
      result.textContent = t('decision.failed', { message: error.message });
      button.disabled = false;
    }
  });
  mount(slot, h('div', { class: 'notice', id: 'cascade' }, h('p', null, t(report.streamId === null ? 'cascade.offerAnywhere' : 'cascade.offer', { count })), button, result));
}

/**
 * On an account report of a viewer cohort or comment cluster: each group it
 * belongs to, with its open account reports counted by the server, decided
 * together with one note (each report keeps its own audit row).
 */
async function cohortDecisions(report, slot) {
  const kind = report.kind;
  const cohorts = report.subjectType === 'account' && report.streamId !== null && (kind === 'injected_viewers' || kind === 'scripted_comments') ? (report.evidence.cohorts ?? []) : [];
  const groups = cohorts.map((cohort) => cohort.group ?? cohort.cohort).filter((name) => typeof name === 'string');
  if (groups.length === 0) return mount(slot);
  const rows = await Promise.all(
    groups.map(async (name) => {
      const group = { cohort: { streamId: report.streamId, kind, group: name } };
      const preview = await api('/v1/reports/bulk-decision', { method: 'POST', body: { decision: 'confirmed', group, dryRun: true } }).catch(() => ({ items: [] }));
      return { name, group, open: preview.items.length };
    }),
  );
  const note = h('input', { id: 'cohort-note', type: 'text', maxlength: 2000, placeholder: t('bulk.notePlaceholder') });
  const result = h('p', { id: 'cohort-result', role: 'status' });
  const decide = async (row, decision, buttons) => {
    for (const button of buttons) button.disabled = true;
    try {
      const text = note.value.trim();
      const answer = await api('/v1/reports/bulk-decision', { method: 'POST', body: { decision, group: row.group, ...(text ? { note: text } : {}) } });
      result.textContent = t('bulk.result', { decided: answer.decided, refused: answer.refused });
    } catch (error) {
      result.textContent = t('decision.failed', { message: error.message });
      for (const button of buttons) button.disabled = false;
    }
  };
  const items = rows
    .filter((row) => row.open > 0)
    .map((row) => {
      const buttons = [];
      for (const decision of ['confirmed', 'dismissed']) {
        const button = h('button', { type: 'button', class: `button ${decision === 'confirmed' ? 'danger' : 'subtle'}`, 'data-cohort': row.name, 'data-decision': decision }, t(decision === 'confirmed' ? 'cohort.confirm' : 'cohort.dismiss', { count: row.open }));
        button.addEventListener('click', () => void decide(row, decision, buttons));
        buttons.push(button);
      }
      return h('li', null, h('code', null, row.name), ' ', ...buttons);
    });
  if (items.length === 0) return mount(slot);
  mount(slot, h('section', { class: 'notice', id: 'cohort-decisions', 'aria-labelledby': 'cohort-title' }, h('h2', { id: 'cohort-title' }, t('cohort.title')), h('p', null, t('cohort.help')), note, h('ul', null, ...items), result));
}

/**
 * One report: header and claim, the kind's verdict and deciding figures, the
 * decision with its trail and delivery status, the room's timeline with the
 * detection marked, the members, the whole evidence, and the accounts table.
 * @returns {() => void} teardown
 */
export function renderReport(target, reportId) {
  let stopped = false;
  let stopFeed = () => {};
  mount(target, h('p', { class: 'muted' }, t('report.loading')));

  const show = async () => {
    let report;
    try {
      report = await api(`/v1/reports/${encodeURIComponent(reportId)}`);
    } catch (error) {
      mount(target, h('section', { class: 'panel' }, h('p', null, h('a', { href: '#/queue' }, t('report.back'))), h('p', { class: 'error', role: 'alert' }, error.status === 404 ? t('report.notFound') : t('report.loadFailed', { message: error.message }))));
      return;
    }
    if (stopped) return;
    // The stream's currency formats every amount on the page one way.
    const timelineProbe = report.streamId === null ? null : await api(`/v1/streams/${encodeURIComponent(report.streamId)}/timeline`).catch(() => null);
    const currency = timelineProbe?.currency ?? undefined;
    const changed = h('p', { class: 'notice', hidden: true, role: 'status' });
    const timelineSlot = h('div', { id: 'timeline' }, h('p', { class: 'muted' }, t('timeline.loading')));
    const accountsSlot = h('div', { id: 'accounts-slot' }, h('p', { class: 'muted' }, t('accounts.loading')));
    const trailSlot = h('div', { id: 'trail-slot' });
    const deliveriesSlot = h('div', { id: 'deliveries-slot' });
    const cascadeSlot = h('div', { id: 'cascade-slot' });
    const cohortSlot = h('div', { id: 'cohort-slot' });
    const statusSlot = () => target.querySelector('#report-status');

    const loadTrail = async () => {
      const [trail, deliveries] = await Promise.allSettled([api(`/v1/reports/${report.id}/decisions`), api(`/v1/deliveries${query({ reportId: report.id })}`)]);
      if (stopped) return;
      mount(trailSlot, trail.status === 'fulfilled' ? trailList(trail.value.items) : h('p', { class: 'error' }, trail.reason.message));
      mount(deliveriesSlot, deliveries.status === 'fulfilled' ? deliveryList(deliveries.value.items) : h('p', { class: 'error' }, deliveries.reason.message));
    };

    const claim = claimBar(() => report, (newClaim) => {
      report = { ...report, claim: newClaim };
      claim.draw();
    });
    const decision = decisionPanel(() => report, (updated) => {
      if (updated === null) return void show();
      report = updated;
      mount(statusSlot(), statusBadge(updated.status));
      target.querySelector('#report-version').textContent = t('report.version', { version: updated.version });
      claim.draw();
      decision.drawButtons();
      // Our own decision's push may have arrived before the answer.
      if (Number(changed.dataset.version) <= updated.version) changed.hidden = true;
      void loadTrail();
      void offerAccountReports(updated, cascadeSlot);
    });
    mount(
      target,
      h(
        'article',
        { class: 'panel', 'aria-labelledby': 'report-title' },
        header(report),
        claim.element,
        changed,
        reportLayout(report, currency),
        decision.element,
        cascadeSlot,
        cohortSlot,
        h('section', { class: 'trail-part', 'aria-labelledby': 'trail-title' }, h('h2', { id: 'trail-title' }, t('trail.title')), trailSlot, h('h3', null, t('delivery.title')), deliveriesSlot),
        h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, t('timeline.title')), timelineSlot),
        memberLinks(report.accounts),
        h('section', { 'aria-labelledby': 'evidence-title' }, h('h2', { id: 'evidence-title' }, t('evidence.title')), evidenceView(report.evidence, { currency })),
        h('section', { 'aria-labelledby': 'accounts-title' }, h('h2', { id: 'accounts-title' }, t('accounts.title', { count: report.accounts.length })), accountsSlot),
      ),
    );
    void loadTrail();
    void offerAccountReports(report, cascadeSlot);
    void cohortDecisions(report, cohortSlot);

    stopFeed();
    stopFeed = reviewFeed().onReport((event, pushed) => {
      if (pushed.id !== report.id) return;
      if (event === 'report.claim' && pushed.version === report.version) {
        report = { ...report, claim: pushed.claim };
        claim.draw();
      } else if (pushed.version > report.version) {
        changed.dataset.version = String(pushed.version);
        mount(changed, t('report.changedLive', { version: pushed.version, status: t(`status.${pushed.status}`) }), h('a', { href: `#/report/${report.id}`, onclick: (clicked) => { clicked.preventDefault(); void show(); } }, t('decision.reload')), '.');
        changed.hidden = false;
      }
    });

    if (report.streamId === null) {
      // A ring or merchant report (or an account's outside rooms) has no one stream to draw: its evidence lists the rooms.
      mount(timelineSlot, h('p', { class: 'muted' }, t('report.spansRooms')));
      mount(accountsSlot, h('p', { class: 'muted' }, report.accounts.join(', ') || t('none')));
      return;
    }
    const [related, accounts] = await Promise.allSettled([
      api(`/v1/reports${query({ streamId: report.streamId, limit: 200 })}`),
      report.accounts.length > 0 ? api(`/v1/streams/${encodeURIComponent(report.streamId)}/accounts${query({ reportId: report.id })}`) : Promise.resolve({ items: [] }),
    ]);
    if (stopped) return;
    // Room-level detections of this stream, and this report's own moment.
    const detections = related.status === 'fulfilled' ? related.value.items.filter((item) => item.subjectType === 'room' || item.id === report.id) : [report];
    const timeline = timelineSection(report.streamId, () => detections.map((item) => ({ at: item.detectedAt, label: `${item.id === report.id ? '▶ ' : ''}${kindLabel(item.kind)}` })), currency);
    mount(timelineSlot, timeline.element);
    void timeline.load();
    if (accounts.status === 'fulfilled') mount(accountsSlot, accountTable(accounts.value.items));
    else mount(accountsSlot, h('p', { class: 'error' }, t('accounts.failed', { message: accounts.reason.message })));
  };
  void show();
  return () => {
    stopped = true;
    stopFeed();
  };
}

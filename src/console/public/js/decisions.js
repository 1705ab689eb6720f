import { ApiError, api, query } from './api.js';
import { h, mount } from './dom.js';
import { formatNumber, formatTime } from './format.js';
import { t } from './i18n.js';
import { accountLink } from './queue.js';

const OUTCOMES = ['pass', 'review', 'reject'];

function outcomeBadge(decision) {
  return h('span', { class: `badge decision-${decision}` }, t(`decisionOutcome.${decision}`));
}

function decisionRows(items) {
  return items.map((item) =>
    h(
      'tr',
      { dataset: { eventId: item.eventId } },
      h('td', null, formatTime(Date.parse(item.decidedAt))),
      h('td', null, item.eventType),
      h('td', null, item.accountId ? accountLink(item.accountId) : h('span', { class: 'muted' }, '—')),
      h('td', null, outcomeBadge(item.decision)),
      h('td', { class: 'number' }, formatNumber(item.score)),
      h('td', null, item.riskCodes.map((code) => h('code', { class: 'risk-code' }, code)), item.riskCodes.length === 0 ? h('span', { class: 'muted' }, '—') : null),
      h('td', { class: 'summary-cell' }, item.reasons.join(' ')),
      h('td', null, item.rules.map((rule) => h('div', { class: 'small' }, `${rule.id} (${t(`ruleMode.${rule.mode}`)}, ${formatNumber(rule.score)})`))),
    ),
  );
}

/**
 * Stored real-time decisions, newest first (GET /v1/decisions): filter by
 * account, decision and risk code, page on, open the account.
 * @returns {() => void} teardown
 */
export function renderDecisions(target, initial = {}) {
  const account = h('input', { id: 'decisions-account', type: 'search', value: initial.accountId ?? '', placeholder: t('decisions.accountPlaceholder') });
  const outcome = h('select', { id: 'decisions-outcome' }, h('option', { value: '' }, t('decisions.anyOutcome')), OUTCOMES.map((value) => h('option', { value }, t(`decisionOutcome.${value}`))));
  const riskCode = h('input', { id: 'decisions-risk', type: 'search', placeholder: t('decisions.riskPlaceholder') });
  const body = h('tbody', { id: 'decision-rows' });
  const status = h('p', { id: 'decisions-status', role: 'status', class: 'muted' });
  const more = h('button', { type: 'button', class: 'button subtle', id: 'decisions-more', hidden: true }, t('decisions.more'));
  let cursor = null;
  let stopped = false;

  const load = async (append) => {
    status.textContent = t('decisions.loading');
    try {
      const page = await api(`/v1/decisions${query({ accountId: account.value.trim(), decision: outcome.value, riskCode: riskCode.value.trim(), limit: 50, cursor: append ? cursor : undefined })}`);
      if (stopped) return;
      if (append) body.append(...decisionRows(page.items));
      else mount(body, decisionRows(page.items));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      status.textContent = t('decisions.count', { count: body.children.length });
    } catch (error) {
      status.textContent = t('decisions.failed', { message: error instanceof ApiError ? error.message : String(error) });
    }
  };
  more.addEventListener('click', () => void load(true));
  const form = h(
    'form',
    { class: 'filters', id: 'decisions-filters', onsubmit: (event) => { event.preventDefault(); void load(false); } },
    h('label', null, t('decisions.account'), ' ', account),
    h('label', null, t('decisions.outcome'), ' ', outcome),
    h('label', null, t('decisions.riskCode'), ' ', riskCode),
    h('button', { type: 'submit', class: 'button', id: 'decisions-go' }, t('decisions.apply')),
  );
  mount(
    target,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'decisions-title' },
      h('h1', { id: 'decisions-title' }, t('decisions.title')),
      h('p', { class: 'muted' }, t('decisions.help')),
      form,
      status,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data', id: 'decisions-table' },
          h('thead', null, h('tr', null, ['decidedAt', 'eventType', 'account', 'decision', 'score', 'riskCodes', 'reasons', 'rules'].map((key) => h('th', { scope: 'col' }, t(`decisions.col.${key}`))))),
          body,
        ),
      ),
      more,
    ),
  );
  void load(false);
  return () => {
    stopped = true;
  };
}

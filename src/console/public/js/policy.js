import { ApiError, api, query } from './api.js';
import { h, mount } from './dom.js';
import { formatNumber, formatTime } from './format.js';
import { t } from './i18n.js';

const LISTS = ['block', 'gray', 'allow'];
const TYPES = ['account', 'device', 'ip', 'subnet', 'phone', 'address', 'payment', 'room'];
const SCOPE_FIELDS = ['campaignId', 'merchantId', 'roomId', 'skuId'];

const errorText = (error) => (error instanceof ApiError ? error.message : String(error));
const scopeText = (scope) => (scope ? Object.entries(scope).map(([name, value]) => `${name}=${value}`).join(', ') : t('policy.everywhere'));
const isExpired = (entry) => entry.expiresAt !== null && Date.parse(entry.expiresAt) <= Date.now();

/**
 * The decision lists and rules (CONTRACT.md §7): reviewers read the lists,
 * their audit, the rules and each rule's stats; changes need the operator's
 * admin key, typed into this page and held in its memory only (never
 * stored), since the console signs in with a reviewer key.
 * @returns {() => void} teardown
 */
export function renderPolicy(target) {
  let stopped = false;
  const adminKey = h('input', { id: 'admin-key', type: 'password', autocomplete: 'off', placeholder: t('policy.adminKeyPlaceholder') });
  const message = h('p', { id: 'policy-message', role: 'status' });
  const listsSlot = h('div', { id: 'lists-slot' }, h('p', { class: 'muted' }, t('policy.loading')));
  const auditSlot = h('div', { id: 'audit-slot' });
  const rulesSlot = h('div', { id: 'rules-slot' });

  const change = async (path, init) => {
    const key = adminKey.value.trim();
    if (!key) {
      message.className = 'error';
      message.textContent = t('policy.needsAdminKey');
      return false;
    }
    try {
      await api(path, { ...init, key });
      message.className = '';
      message.textContent = t('policy.saved');
      await refresh();
      return true;
    } catch (error) {
      message.className = 'error';
      message.textContent = t('policy.failed', { message: errorText(error) });
      return false;
    }
  };

  const entryRow = (entry) =>
    h(
      'tr',
      { dataset: { entryId: entry.id }, class: isExpired(entry) ? 'muted' : undefined },
      h('td', null, h('span', { class: `badge list-${entry.list}` }, t(`list.${entry.list}`))),
      h('td', null, entry.type),
      h('td', null, h('code', null, entry.value)),
      h('td', null, scopeText(entry.scope)),
      h('td', null, entry.expiresAt ? `${formatTime(Date.parse(entry.expiresAt))}${isExpired(entry) ? ` (${t('policy.expired')})` : ''}` : t('policy.never')),
      h('td', { class: 'summary-cell' }, entry.reason ?? ''),
      h('td', null, entry.createdBy),
      h(
        'td',
        null,
        isExpired(entry)
          ? null
          : h('button', { type: 'button', class: 'button subtle', 'data-action': 'expire', onclick: () => void change('/v1/lists', { method: 'POST', body: { list: entry.list, type: entry.type, value: entry.value, scope: entry.scope, reason: entry.reason, expiresAt: new Date().toISOString() } }) }, t('policy.expire')),
        ' ',
        h('button', { type: 'button', class: 'button danger', 'data-action': 'remove', onclick: () => void change(`/v1/lists/${encodeURIComponent(entry.id)}`, { method: 'DELETE' }) }, t('policy.remove')),
      ),
    );

  const addForm = () => {
    const list = h('select', { id: 'entry-list' }, LISTS.map((value) => h('option', { value }, t(`list.${value}`))));
    const type = h('select', { id: 'entry-type' }, TYPES.map((value) => h('option', { value }, value)));
    const value = h('input', { id: 'entry-value', type: 'text', required: true, maxlength: 128 });
    const scope = Object.fromEntries(SCOPE_FIELDS.map((name) => [name, h('input', { id: `entry-scope-${name}`, type: 'text', maxlength: 128, placeholder: name })]));
    const expires = h('input', { id: 'entry-expires', type: 'datetime-local' });
    const reason = h('input', { id: 'entry-reason', type: 'text', maxlength: 500 });
    const submit = async (event) => {
      event.preventDefault();
      const scoped = Object.fromEntries(Object.entries(scope).map(([name, input]) => [name, input.value.trim()]).filter(([, text]) => text !== ''));
      // datetime-local is the reviewer's wall clock; the API takes an instant.
      const expiresAt = expires.value ? new Date(expires.value).toISOString() : null;
      const ok = await change('/v1/lists', { method: 'POST', body: { list: list.value, type: type.value, value: value.value.trim(), scope: Object.keys(scoped).length > 0 ? scoped : null, expiresAt, reason: reason.value.trim() || null } });
      if (ok) value.value = '';
    };
    return h(
      'form',
      { class: 'filters', id: 'entry-form', onsubmit: (event) => void submit(event) },
      h('label', null, t('policy.col.list'), ' ', list),
      h('label', null, t('policy.col.type'), ' ', type),
      h('label', null, t('policy.col.value'), ' ', value),
      h('fieldset', null, h('legend', null, t('policy.col.scope')), SCOPE_FIELDS.map((name) => scope[name])),
      h('label', null, t('policy.col.expires'), ' ', expires),
      h('label', null, t('policy.col.reason'), ' ', reason),
      h('button', { type: 'submit', class: 'button', id: 'entry-add' }, t('policy.add')),
    );
  };

  const ruleRow = (rule, stats) =>
    h(
      'tr',
      { dataset: { ruleId: rule.id } },
      h('td', null, h('code', null, rule.id), h('div', { class: 'small muted' }, rule.description)),
      h('td', null, rule.appliesTo.join(', ')),
      h('td', null, h('span', { class: `badge rule-${rule.mode}` }, t(`ruleMode.${rule.mode}`)), rule.enabled ? null : h('div', { class: 'small muted' }, t('policy.disabled'))),
      h('td', { class: 'number' }, formatNumber(rule.score)),
      h('td', null, h('code', null, rule.riskCode)),
      h('td', null, h('code', { class: 'small' }, JSON.stringify(rule.when))),
      h(
        'td',
        { class: 'rule-stats' },
        stats
          ? t('policy.stats', {
              live: stats.matched.live,
              shadow: stats.matched.shadow,
              pass: stats.outcomes.pass,
              review: stats.outcomes.review,
              reject: stats.outcomes.reject,
              accounts: stats.matchedAccounts,
              confirmed: stats.laterConfirmedAccounts,
            })
          : '—',
      ),
      h('td', null, h('button', { type: 'button', class: 'button danger', 'data-action': 'remove-rule', onclick: () => void change(`/v1/rules/${encodeURIComponent(rule.id)}`, { method: 'DELETE' }) }, t('policy.remove'))),
    );

  const refresh = async () => {
    const [lists, audit, rules] = await Promise.allSettled([api('/v1/lists'), api(`/v1/lists/audit${query({ limit: 50 })}`), api('/v1/rules')]);
    if (stopped) return;
    if (lists.status === 'fulfilled') {
      mount(
        listsSlot,
        lists.value.items.length === 0
          ? h('p', { class: 'muted', id: 'lists-empty' }, t('policy.noEntries'))
          : h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'data', id: 'list-entries' },
                h('thead', null, h('tr', null, ['list', 'type', 'value', 'scope', 'expires', 'reason', 'by', 'actions'].map((key) => h('th', { scope: 'col' }, t(`policy.col.${key}`))))),
                h('tbody', null, lists.value.items.map(entryRow)),
              ),
            ),
      );
    } else mount(listsSlot, h('p', { class: 'error' }, errorText(lists.reason)));
    if (audit.status === 'fulfilled') {
      mount(
        auditSlot,
        h(
          'ol',
          { id: 'policy-audit', class: 'trail' },
          audit.value.items.map((item) => h('li', null, formatTime(Date.parse(item.changedAt)), ' · ', h('strong', null, item.action), ' ', h('code', null, item.target), ' · ', item.actor)),
        ),
      );
    } else mount(auditSlot, h('p', { class: 'error' }, errorText(audit.reason)));
    if (rules.status === 'fulfilled') {
      const stats = await Promise.all(rules.value.items.map((rule) => api(`/v1/rules/${encodeURIComponent(rule.id)}/stats`).catch(() => null)));
      if (stopped) return;
      mount(
        rulesSlot,
        rules.value.items.length === 0
          ? h('p', { class: 'muted', id: 'rules-empty' }, t('policy.noRules'))
          : h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'data', id: 'rules-table' },
                h('thead', null, h('tr', null, ['rule', 'appliesTo', 'mode', 'score', 'riskCode', 'when', 'stats', 'actions'].map((key) => h('th', { scope: 'col' }, t(`policy.col.${key}`))))),
                h('tbody', null, rules.value.items.map((rule, index) => ruleRow(rule, stats[index]))),
              ),
            ),
      );
    } else mount(rulesSlot, h('p', { class: 'error' }, errorText(rules.reason)));
  };

  mount(
    target,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'policy-title' },
      h('h1', { id: 'policy-title' }, t('policy.title')),
      h('p', { class: 'muted' }, t('policy.help')),
      h('label', { for: 'admin-key' }, t('policy.adminKey')),
      adminKey,
      message,
      h('h2', null, t('policy.lists')),
      addForm(),
      listsSlot,
      h('h2', null, t('policy.rules')),
      h('p', { class: 'muted' }, t('policy.rulesHelp')),
      rulesSlot,
      h('h2', null, t('policy.audit')),
      auditSlot,
    ),
  );
  void refresh();
  return () => {
    stopped = true;
  };
}

/* global document, window */
import { renderAccount } from './account.js';
import { ApiError, api, session } from './api.js';
import { h } from './dom.js';
import { LANGUAGES, applyStaticTexts, language, onLanguage, setLanguage, t } from './i18n.js';
import { renderDecisions } from './decisions.js';
import { closeFeed } from './live.js';
import { renderPolicy } from './policy.js';
import { renderQueue } from './queue.js';
import { renderReport } from './report.js';
import { renderStream, renderStreams } from './streams.js';

const view = document.getElementById('view');
const signIn = document.getElementById('sign-in');
let teardown = () => {};

function whoLabel(principal) {
  return principal.role === 'merchant' ? t('who.merchant', { id: principal.merchantId }) : t('who.reviewer', { name: principal.label ?? '' });
}

function showSignedIn(principal) {
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-label').textContent = whoLabel(principal);
  for (const link of document.querySelectorAll('#nav [data-role]')) link.hidden = link.dataset.role !== principal.role;
  document.body.dataset.role = principal.role;
}

function showSignIn(message = '') {
  teardown();
  closeFeed();
  session.principal = null;
  view.replaceChildren();
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  signIn.hidden = false;
  document.getElementById('sign-in-error').textContent = message;
  document.getElementById('api-key').focus();
}

/** Resolves who the stored key belongs to; the console shows what that role may use. */
async function resolvePrincipal() {
  if (!session.key) return null;
  try {
    const principal = await api('/v1/whoami');
    if (principal.role !== 'reviewer' && principal.role !== 'merchant') {
      session.key = null;
      showSignIn(t('signIn.ingestKey'));
      return null;
    }
    session.principal = principal;
    return principal;
  } catch (error) {
    session.key = null;
    showSignIn(error instanceof ApiError && error.status === 401 ? t('signIn.unknownKey') : t('signIn.failed', { message: error.message }));
    return null;
  }
}

function route() {
  const principal = session.principal;
  if (!principal) return;
  teardown();
  signIn.hidden = true;
  const [, page, id] = window.location.hash.match(/^#\/([^/]*)\/?(.*)$/) ?? [];
  const home = principal.role === 'reviewer' ? 'queue' : 'streams';
  const target = page || home;
  const section = { report: 'queue', account: 'queue', stream: 'streams' }[target] ?? target;
  document.querySelectorAll('#nav a').forEach((link) => link.setAttribute('aria-current', link.getAttribute('href') === `#/${section}` ? 'page' : 'false'));
  const reviewer = principal.role === 'reviewer';
  if (target === 'queue' && reviewer) teardown = renderQueue(view);
  else if (target === 'report' && reviewer && id) teardown = renderReport(view, decodeURIComponent(id));
  else if (target === 'account' && reviewer && id) teardown = renderAccount(view, decodeURIComponent(id));
  else if (target === 'stream' && id) teardown = renderStream(view, decodeURIComponent(id));
  else if (target === 'streams') teardown = renderStreams(view);
  else if (target === 'decisions' && reviewer) teardown = renderDecisions(view, id ? { accountId: decodeURIComponent(id) } : {});
  else if (target === 'policy' && reviewer) teardown = renderPolicy(view);
  else {
    window.location.hash = `#/${home}`;
    return;
  }
  document.title = `roomwatch — ${t(`title.${target}`)}`;
}

const languageSelect = document.getElementById('language');
languageSelect.replaceChildren(...Object.entries(LANGUAGES).map(([value, name]) => h('option', { value, selected: value === language() }, name)));
languageSelect.addEventListener('change', () => setLanguage(languageSelect.value));
onLanguage(() => {
  languageSelect.value = language();
  if (session.principal) {
    showSignedIn(session.principal);
    route();
  }
});
applyStaticTexts();

document.getElementById('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('api-key');
  session.key = input.value.trim();
  input.value = '';
  const principal = await resolvePrincipal();
  if (principal) {
    showSignedIn(principal);
    route();
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.key = null;
  window.location.hash = '#/';
  showSignIn();
});

window.addEventListener('hashchange', route);

const principal = await resolvePrincipal();
if (principal) {
  showSignedIn(principal);
  route();
} else if (!session.key) {
  showSignIn();
}

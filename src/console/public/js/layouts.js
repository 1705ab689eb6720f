import { h } from './dom.js';
import { formatDuration, formatMoney, formatNumber, formatPercent, formatTime } from './format.js';
import { t } from './i18n.js';
import { openingSecond } from './opening-second.js';
import { ringSection } from './ring-graph.js';

/**
 * Each kind's page top, rendered from its typed evidence
 * (src/detection/evidence.ts): a verdict line, the two or three figures that
 * decided it, and its members as links to their account pages. Amounts go
 * through formatMoney in the stream's currency; the whole evidence follows
 * below for those who want every figure. A layout's `extra` (quotes, the
 * opening second, the ring's graph) is a function: only the report page
 * builds it, never the queue's verdict line.
 */

/** `joined:1795176450000` → "joined together at 12:07:30 UTC"; `template:7` → "template 7". */
export function groupLabel(group) {
  const match = /^([a-zA-Z]+):(.*)$/.exec(String(group ?? ''));
  if (!match) return String(group ?? '');
  const [, kind, value] = match;
  // Times ride in keys as epoch ms; creation days as days since the epoch.
  const shown = /^\d{12,14}$/.test(value) ? formatTime(Number(value)) : kind === 'createdDay' && /^\d{1,6}$/.test(value) ? new Date(Number(value) * 86_400_000).toISOString().slice(0, 10) : value;
  const text = t(`group.${kind}`, { value: shown });
  return text === `group.${kind}` ? `${kind} ${shown}` : text;
}

function figure(label, value, note) {
  return h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, label), h('strong', null, value), note ? h('span', { class: 'muted small' }, note) : null);
}

const signalList = (signals) => (signals ?? []).map((signal) => t(`signal.${signal}`)).join(t('list.separator'));

function injectedViewersRoom(report, evidence) {
  const cohorts = evidence.cohorts ?? [];
  const members = evidence.cohortAccountsTotal ?? report.accounts.length;
  const figures = [];
  if (evidence.displayedInflation) {
    const d = evidence.displayedInflation;
    figures.push(figure(t('fig.peakRatio'), `${formatNumber(d.peakRatio)}×`, t('fig.peakRatioNote', { displayed: formatNumber(d.peakDisplayed), present: formatNumber(d.presentAtPeak), held: formatDuration(d.sustainedMs) })));
  }
  if (evidence.displayedSteps) {
    const s = evidence.displayedSteps;
    figures.push(figure(t('fig.steps'), `${formatNumber(s.steps)} × ${formatNumber(s.stepSize)}`, t('fig.stepsNote', { displayed: formatNumber(s.displayedRiseTotal), present: formatNumber(s.presentRiseTotal) })));
  }
  if (evidence.joinSteps) {
    const j = evidence.joinSteps;
    figures.push(figure(t('fig.joinBursts'), formatNumber(j.totalBursts), t('fig.joinBurstsNote', { size: formatNumber(j.stepSize), every: formatDuration(j.meanIntervalMs) })));
  }
  if (cohorts.length > 0) figures.push(figure(t('fig.cohortAccounts'), formatNumber(members), t('fig.cohortsNote', { count: evidence.cohortsTotal ?? cohorts.length })));
  const top = cohorts[0];
  const verdict = top
    ? t('verdict.injected_viewers.room', { members: formatNumber(members), group: groupLabel(top.group), signals: signalList(top.signals) })
    : t('verdict.injected_viewers.roomCount');
  return { verdict, figures };
}

function injectedViewersAccount(report, evidence) {
  const cohort = evidence.cohorts?.[0];
  const figures = [
    figure(t('fig.ageAtJoin'), evidence.accountAgeDaysAtJoin === null ? '—' : t('unit.days', { n: formatNumber(evidence.accountAgeDaysAtJoin) }), evidence.accountCreatedAt ? formatTime(evidence.accountCreatedAt) : null),
    figure(t('fig.device'), evidence.deviceModel ?? '—', [evidence.emulator ? t('flag.emulator') : null, evidence.rooted ? t('flag.rooted') : null, evidence.deviceId].filter(Boolean).join(' · ')),
    figure(t('fig.interactions'), formatNumber(evidence.interactions ?? 0), evidence.subnet ?? null),
  ];
  const verdict = cohort
    ? t('verdict.injected_viewers.account', { group: groupLabel(cohort.group), members: formatNumber(cohort.members), signals: signalList(cohort.signals) })
    : t('verdict.injected_viewers.accountAlone');
  return { verdict, figures };
}

function scriptedCommentsRoom(report, evidence) {
  const cohorts = evidence.cohorts ?? [];
  const top = cohorts[0];
  const figures = [figure(t('fig.scriptedAccounts'), formatNumber(evidence.accountsTotal ?? report.accounts.length), t('fig.cohortsNote', { count: evidence.cohortsTotal ?? cohorts.length }))];
  if (top) {
    figures.push(figure(t('fig.posts'), formatNumber(top.posts ?? 0), top.firstAt && top.lastAt ? `${formatTime(top.firstAt)} – ${formatTime(top.lastAt)}` : null));
    const strongest = [['syncedShare', top.syncedShare], ['periodicShare', top.periodicShare], ['repeaterShare', top.repeaterShare]].sort((a, b) => b[1] - a[1])[0];
    figures.push(figure(t(`fig.${strongest[0]}`), formatPercent(strongest[1])));
  }
  const verdict = top ? t('verdict.scripted_comments.room', { accounts: formatNumber(top.accountsTotal), signals: signalList(top.signals) }) : t('verdict.scripted_comments.roomCount');
  const quotes = () => (top?.sampleTexts?.length ? h('ul', { class: 'quotes', id: 'layout-quotes' }, top.sampleTexts.slice(0, 5).map((text) => h('li', null, h('q', null, text)))) : null);
  return { verdict, figures, extra: quotes };
}

function scriptedCommentsAccount(report, evidence) {
  const cohort = evidence.cohorts?.[0];
  const figures = [
    figure(t('fig.posts'), formatNumber(evidence.posts ?? 0)),
    figure(t('fig.meanInterval'), evidence.meanIntervalMs === null ? '—' : formatDuration(evidence.meanIntervalMs), evidence.intervalCv === null ? null : t('fig.cv', { cv: formatNumber(evidence.intervalCv) })),
    figure(t('fig.topTemplate'), evidence.topTemplateRepeats === null ? '—' : formatNumber(evidence.topTemplateRepeats)),
  ];
  const verdict = cohort ? t('verdict.scripted_comments.account', { accounts: formatNumber(cohort.accountsTotal), signals: signalList(cohort.signals) }) : t('verdict.scripted_comments.accountAlone');
  return { verdict, figures };
}

function refundBrushingRoom(report, evidence, currency) {
  const money = (value) => formatMoney(value, currency);
  const figures = [
    figure(t('fig.brushedAmount'), money(evidence.brushedAmount), t('fig.brushedShareNote', { share: formatPercent(evidence.brushedShare), total: money(evidence.streamPaid) })),
    figure(t('fig.brushedRefunded'), money(evidence.brushedRefunded), evidence.streamEndedAt ? t('fig.afterEnd', { end: formatTime(evidence.streamEndedAt) }) : null),
    figure(t('fig.brushingAccounts'), formatNumber(report.accounts.length)),
  ];
  return { verdict: t('verdict.refund_brushing.room', { count: report.accounts.length, amount: money(evidence.brushedAmount), share: formatPercent(evidence.brushedShare) }), figures };
}

function refundBrushingAccount(report, evidence, currency) {
  const money = (value) => formatMoney(value, currency);
  const signals = evidence.signals ?? {};
  const figures = [
    figure(t('fig.paid'), money(evidence.paid), t('fig.orders', { count: (evidence.orders ?? []).length })),
    figure(t('fig.refunded'), money(evidence.refunded), signals.timing?.pattern ? t(`pattern.${signals.timing.pattern}`) : null),
  ];
  if (signals.ring) figures.push(figure(t('fig.ring'), formatNumber(signals.ring.groupSize), (signals.ring.linkedBy ?? []).join(', ') || signals.ring.viaSubnet));
  return { verdict: t('verdict.refund_brushing.account', { paid: money(evidence.paid), refunded: money(evidence.refunded) }), figures };
}

function inflatedGmv(report, evidence, currency) {
  const money = (value) => formatMoney(value, currency ?? evidence.currencies?.[0]);
  const figures = [
    figure(t('fig.claimed'), money(evidence.claimed ?? evidence.claim?.gmv), evidence.claim?.claimedAt ? formatTime(evidence.claim.claimedAt) : null),
    figure(t('fig.supported'), money(evidence.supportedAtClaim), t('fig.supportedNote', { net: money(evidence.netAtClaim), brushing: money(evidence.brushingAtClaim) })),
    figure(t('fig.gap'), money(evidence.gap), t('fig.gapNote', { share: formatPercent(evidence.gapShare) })),
  ];
  const countedAs = (evidence.countedAs ?? []).map((definition) => t(`definition.${definition}`)).join(t('list.separator'));
  return {
    verdict: countedAs
      ? t('verdict.inflated_gmv.countedAs', { claimed: money(evidence.claimed), supported: money(evidence.supportedAtClaim), definitions: countedAs })
      : t('verdict.inflated_gmv.gap', { claimed: money(evidence.claimed), supported: money(evidence.supportedAtClaim), gap: money(evidence.gap) }),
    figures,
  };
}

function scalperBotRoom(report, evidence) {
  const drops = evidence.drops ?? [];
  const top = [...drops].sort((a, b) => b.shareOfStockTaken - a.shareOfStockTaken)[0];
  const group = top?.groups?.[0];
  const figures = [figure(t('fig.scalperAccounts'), formatNumber(evidence.accountsTotal ?? report.accounts.length), t('fig.dropsNote', { count: drops.length }))];
  if (top) {
    figures.push(figure(t('fig.stockTaken'), formatPercent(top.shareOfStockTaken), t('fig.stockNote', { stock: formatNumber(top.stock), limit: top.perAccountLimit === null ? '—' : formatNumber(top.perAccountLimit) })));
    figures.push(figure(t('fig.beforeOpen'), formatNumber(top.ordersBeforeOpen), t('fig.saleOrders', { count: top.saleOrders })));
  }
  if (group) figures.push(figure(t('fig.latency'), group.latencyMedianMs === null ? '—' : t('unit.ms', { n: formatNumber(group.latencyMedianMs) }), group.latencyIqrMs === null ? null : t('fig.iqr', { iqr: t('unit.ms', { n: formatNumber(group.latencyIqrMs) }) })));
  if ((evidence.otherRooms ?? []).length > 0) figures.push(figure(t('fig.otherRooms'), formatNumber(evidence.otherRooms.length)));
  const verdict = t('verdict.scalper_bot.room', { accounts: formatNumber(evidence.accountsTotal ?? report.accounts.length), share: formatPercent(top?.shareOfStockTaken ?? 0), signals: signalList(evidence.signals) });
  const extra = () => {
    const charts = drops.map((drop) => openingSecond(drop)).filter(Boolean);
    return charts.length > 0 ? h('section', { id: 'opening-second', 'aria-label': t('opening.title') }, h('h3', null, t('opening.title')), charts) : null;
  };
  return { verdict, figures, extra };
}

function scalperBotAccount(report, evidence) {
  const orders = evidence.orderLatencies ?? [];
  const figures = [
    figure(t('fig.firstLatency'), orders.length === 0 ? '—' : t('unit.ms', { n: formatNumber(Math.min(...orders.map((order) => order.latencyMs))) }), t('fig.orders', { count: orders.length })),
    figure(t('fig.groupAccounts'), formatNumber(evidence.groupAccountCount ?? 0)),
    figure(t('fig.devices'), formatNumber((evidence.devices ?? []).length), (evidence.devices ?? [])[0]?.flags?.join(', ') || null),
  ];
  return { verdict: t('verdict.scalper_bot.account', { accounts: formatNumber(evidence.groupAccountCount ?? 0), signals: signalList(evidence.signals) }), figures };
}

function accountRing(report, evidence) {
  const signals = (evidence.signals ?? []).map((signal) => t(`ringSignal.${signal}`)).join(t('list.separator'));
  const figures = [
    figure(t('fig.ringMembers'), formatNumber(evidence.members ?? report.accounts.length)),
    figure(t('fig.ringLinks'), formatNumber(evidence.linksPerMember ?? 0), t('fig.ringLinksNote', { links: formatNumber(evidence.links ?? 0) })),
  ];
  if ((evidence.caught?.members ?? 0) > 0) figures.push(figure(t('fig.ringCaught'), formatNumber(evidence.caught.members), (evidence.caught.kinds ?? []).map((kind) => t(`kind.${kind}`)).join(t('list.separator'))));
  if (evidence.registrationBurst) figures.push(figure(t('fig.ringBurst'), formatNumber(evidence.registrationBurst.registered.length), `${formatTime(evidence.registrationBurst.from)} – ${formatTime(evidence.registrationBurst.to)}`));
  return { verdict: t('verdict.account_ring.ring', { members: formatNumber(evidence.members ?? report.accounts.length), links: formatNumber(evidence.links ?? 0), signals }), figures, extra: () => ringSection(report) };
}

const LAYOUTS = {
  'account_ring:ring': accountRing,
  'scalper_bot:room': scalperBotRoom,
  'scalper_bot:account': scalperBotAccount,
  'injected_viewers:room': injectedViewersRoom,
  'injected_viewers:account': injectedViewersAccount,
  'scripted_comments:room': scriptedCommentsRoom,
  'scripted_comments:account': scriptedCommentsAccount,
  'refund_brushing:room': refundBrushingRoom,
  'refund_brushing:account': refundBrushingAccount,
  'inflated_gmv:room': inflatedGmv,
};

/** The verdict line alone (queue, account page), or null for a kind without a layout. */
export function verdictOf(report, currency) {
  const layout = LAYOUTS[`${report.kind}:${report.subjectType}`];
  if (!layout) return null;
  try {
    return layout(report, report.evidence ?? {}, currency).verdict;
  } catch {
    return null;
  }
}

/** The top of a report page: verdict, deciding figures, members. Evidence of an unknown shape gets none. */
export function reportLayout(report, currency) {
  const layout = LAYOUTS[`${report.kind}:${report.subjectType}`];
  let shown;
  try {
    shown = layout ? layout(report, report.evidence ?? {}, currency) : null;
  } catch {
    // Evidence older than its layout (a report stored by an earlier version): the full evidence below still shows it.
    shown = null;
  }
  if (!shown) return null;
  return h(
    'section',
    { class: 'layout', id: 'report-layout', 'aria-labelledby': 'verdict' },
    h('p', { class: 'verdict', id: 'verdict' }, shown.verdict),
    h('div', { class: 'figures', id: 'layout-figures' }, shown.figures),
    shown.extra?.() ?? null,
  );
}

/** Members as links to their account pages, all of them (a farm is read whole). */
export function memberLinks(accounts) {
  if (accounts.length === 0) return null;
  return h(
    'details',
    { class: 'members', id: 'members', open: accounts.length <= 60 },
    h('summary', null, t('report.members', { count: accounts.length })),
    h('ul', { class: 'chips' }, accounts.map((account) => h('li', null, h('a', { href: `#/account/${encodeURIComponent(account)}` }, account)))),
  );
}

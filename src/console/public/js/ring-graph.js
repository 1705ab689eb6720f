/* global document, requestAnimationFrame, location */
import { h } from './dom.js';
import { formatNumber, formatTime } from './format.js';
import { t } from './i18n.js';

/**
 * An account ring (account_ring reports) as a graph: its members as nodes,
 * the identifiers they share as hub nodes coloured by kind, an edge from
 * each identifier to each member listed with it, and the strongest links
 * between members. Members the other detectors caught are ringed in red.
 * Drawn with Cytoscape.js (served from the service, like Chart.js); beside
 * it the member table, the sign-up timeline and the rooms struck, as plain
 * elements a screen reader reads.
 */

/** Identifier kinds (src/detection/rings/ring-identifiers.ts) and the colour of their hubs and edges. */
export const IDENTIFIER_COLOURS = {
  device: '#d9480f',
  phone: '#7048e8',
  payment: '#c2255c',
  address: '#2f9e44',
  recipient: '#1971c2',
  ip: '#868e96',
  subnet: '#adb5bd',
};

/** Members drawn at most: past a few hundred nodes a ring reads as a hairball; the table lists them all. */
export const MAX_DRAWN_MEMBERS = 150;

/** The id Cytoscape.js looks for before injecting its stylesheet (its renderer's `init`). */
const CYTOSCAPE_SHEET_ID = '__________cytoscape_stylesheet';

const memberNode = (accountId) => `m:${accountId}`;
const identifierNode = (shared) => `i:${shared.kind}:${shared.value}`;

/**
 * The graph's elements from the report's evidence: pure, so it is read the
 * same by the page and by a test. Members tied to an identifier or a link
 * are drawn first, then caught ones, then the rest, up to MAX_DRAWN_MEMBERS.
 */
/** Members the other detectors caught, each with the kinds it was caught for. */
const caughtKinds = (evidence) => new Map((evidence.caught?.accounts ?? []).map((entry) => [entry.accountId, entry.kinds]));

export function ringElements(report) {
  const evidence = report.evidence ?? {};
  const identifiers = evidence.identifiers ?? [];
  const links = evidence.linkSample ?? [];
  const caught = caughtKinds(evidence);
  const tied = new Set([...identifiers.flatMap((shared) => shared.members ?? []), ...links.flatMap((link) => [link.a, link.b])]);
  const members = [...report.accounts].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  function rank(accountId) {
    return tied.has(accountId) ? 0 : caught.has(accountId) ? 1 : 2;
  }
  const drawn = new Set(members.slice(0, MAX_DRAWN_MEMBERS));
  const nodes = [...drawn].map((accountId) => ({
    data: { id: memberNode(accountId), label: accountId, accountId },
    classes: caught.has(accountId) ? 'member caught' : 'member',
  }));
  const edges = [];
  for (const shared of identifiers) {
    const listed = (shared.members ?? []).filter((accountId) => drawn.has(accountId));
    if (listed.length === 0) continue;
    const hub = identifierNode(shared);
    const colour = IDENTIFIER_COLOURS[shared.kind] ?? '#495057';
    nodes.push({ data: { id: hub, label: `${shared.kind} ${shared.value}`, colour }, classes: 'identifier' });
    for (const accountId of listed) edges.push({ data: { id: `${hub}→${accountId}`, source: hub, target: memberNode(accountId), colour } });
  }
  for (const link of links) {
    if (!drawn.has(link.a) || !drawn.has(link.b)) continue;
    edges.push({ data: { id: `link:${link.a}:${link.b}`, source: memberNode(link.a), target: memberNode(link.b), colour: '#212529' }, classes: 'link' });
  }
  return { nodes, edges, drawn: drawn.size, members: members.length };
}

const STYLE = [
  { selector: 'node.member', style: { 'background-color': '#495057', width: 14, height: 14, label: 'data(label)', 'font-size': 7, color: '#343a40', 'text-valign': 'bottom', 'text-margin-y': 2 } },
  { selector: 'node.caught', style: { 'border-width': 3, 'border-color': '#e03131' } },
  { selector: 'node.identifier', style: { shape: 'diamond', 'background-color': 'data(colour)', width: 20, height: 20, label: 'data(label)', 'font-size': 7, color: 'data(colour)', 'text-valign': 'top' } },
  { selector: 'edge', style: { width: 1.5, 'line-color': 'data(colour)', opacity: 0.7, 'curve-style': 'haystack' } },
  { selector: 'edge.link', style: { 'line-style': 'dashed', width: 1 } },
];

function legend() {
  return h(
    'ul',
    { class: 'ring-legend chips', 'aria-label': t('ring.legend') },
    Object.entries(IDENTIFIER_COLOURS).map(([kind, colour]) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.backgroundColor = colour; // CSSOM: the CSP refuses inline style attributes
      return h('li', { 'data-kind': kind }, swatch, t(`ringKind.${kind}`));
    }),
    h('li', { class: 'caught-key' }, t('ring.caughtKey')),
  );
}

function memberTable(report) {
  const evidence = report.evidence ?? {};
  const registered = new Map((evidence.registrations ?? []).map((entry) => [entry.accountId, entry]));
  const caught = caughtKinds(evidence);
  const identifiersOf = new Map();
  for (const shared of evidence.identifiers ?? []) {
    for (const accountId of shared.members ?? []) identifiersOf.set(accountId, [...(identifiersOf.get(accountId) ?? []), `${shared.kind} ${shared.value}`]);
  }
  return h(
    'table',
    { class: 'data', id: 'ring-members' },
    h('thead', null, h('tr', null, h('th', null, t('ring.member')), h('th', null, t('ring.registeredAt')), h('th', null, t('ring.shares')), h('th', null, t('ring.caughtFor')))),
    h(
      'tbody',
      null,
      report.accounts.map((accountId) =>
        h(
          'tr',
          { 'data-account': accountId, class: caught.has(accountId) ? 'caught' : null },
          h('td', null, h('a', { href: `#/account/${encodeURIComponent(accountId)}` }, accountId)),
          h('td', null, registered.has(accountId) ? formatTime(registered.get(accountId).registeredAt) : '—'),
          h('td', null, (identifiersOf.get(accountId) ?? []).join(t('list.separator')) || '—'),
          h('td', null, (caught.get(accountId) ?? []).map((kind) => t(`kind.${kind}`)).join(t('list.separator')) || '—'),
        ),
      ),
    ),
  );
}

function timeline(evidence) {
  const registrations = evidence.registrations ?? [];
  if (registrations.length === 0) return h('p', { class: 'muted', id: 'ring-timeline' }, t('ring.noRegistrations'));
  return h(
    'ol',
    { class: 'ring-timeline', id: 'ring-timeline' },
    registrations.map((entry) => h('li', { 'data-account': entry.accountId }, h('time', null, formatTime(entry.registeredAt)), ' ', h('a', { href: `#/account/${encodeURIComponent(entry.accountId)}` }, entry.accountId), entry.channel ? ` (${entry.channel})` : '')),
  );
}

function roomsStruck(evidence) {
  const caughtRooms = new Set(evidence.caught?.rooms ?? []);
  const rooms = [...new Set([...(evidence.caught?.rooms ?? []), ...(evidence.roomsSeen ?? [])])];
  if (rooms.length === 0) return h('p', { class: 'muted', id: 'ring-rooms' }, t('none'));
  return h('ul', { class: 'chips', id: 'ring-rooms' }, rooms.map((roomId) => h('li', { 'data-room': roomId, class: caughtRooms.has(roomId) ? 'caught' : null }, roomId, caughtRooms.has(roomId) ? ` · ${t('ring.caughtHere')}` : '')));
}

/**
 * The ring section of an account_ring report page. The graph is drawn once
 * the section is in the document (Cytoscape measures its container).
 * @returns {HTMLElement}
 */
export function ringSection(report) {
  const elements = ringElements(report);
  const canvas = h('div', { class: 'ring-graph', id: 'ring-graph', role: 'img', 'aria-label': t('ring.graphLabel', { drawn: formatNumber(elements.drawn), members: formatNumber(elements.members) }), 'data-nodes': String(elements.nodes.length), 'data-edges': String(elements.edges.length) });
  const section = h(
    'section',
    { class: 'ring', id: 'ring-view', 'aria-labelledby': 'ring-title' },
    h('h3', { id: 'ring-title' }, t('ring.title')),
    elements.drawn < elements.members ? h('p', { class: 'muted small' }, t('ring.drawnOf', { drawn: formatNumber(elements.drawn), members: formatNumber(elements.members) })) : null,
    canvas,
    legend(),
    h('div', { class: 'ring-side' }, h('h4', null, t('ring.timelineTitle')), timeline(report.evidence ?? {}), h('h4', null, t('ring.roomsTitle')), roomsStruck(report.evidence ?? {})),
    h('h4', null, t('ring.membersTitle', { count: formatNumber(report.accounts.length) })),
    memberTable(report),
  );
  void drawWhenPlaced(canvas, elements);
  return section;
}

async function drawWhenPlaced(canvas, elements) {
  // Placed by the caller's mount in this task; wait one frame so the container has a size.
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  if (!canvas.isConnected) return;
  try {
    const { default: cytoscape } = await import('../vendor/cytoscape/cytoscape.esm.min.mjs');
    // Cytoscape injects a <style> for its container's `position: relative` unless an element of this id exists;
    // the console's CSP refuses inline styles, so console.css carries the rule and this stands in for the sheet.
    if (!document.getElementById(CYTOSCAPE_SHEET_ID)) document.head.append(h('meta', { id: CYTOSCAPE_SHEET_ID, name: 'cytoscape-style', content: 'console.css' }));
    const graph = cytoscape({
      container: canvas,
      elements: [...elements.nodes, ...elements.edges],
      style: STYLE,
      layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 6000, idealEdgeLength: () => 40 },
      wheelSensitivity: 0.2,
    });
    // A member node opens its account page.
    graph.on('tap', 'node.member', (event) => {
      location.hash = `#/account/${encodeURIComponent(event.target.data('accountId'))}`;
    });
    canvas.dataset.drawn = 'true';
  } catch (error) {
    canvas.replaceChildren(h('p', { class: 'error' }, t('ring.drawFailed', { message: error.message })));
  }
}

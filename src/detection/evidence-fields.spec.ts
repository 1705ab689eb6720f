import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DetectionEngine } from './engine/engine.js';
import type { Finding } from './engine/finding.js';
import { DAY, T0, honestCrowd, rng, runEngine, RoomTraffic } from '../../test/support/detection/traffic.js';
import { type ClaimFigures, judgeInflatedGmv, stoodDownInflatedGmvFinding } from './ledger/inflated-gmv/inflated-gmv.detector.js';
import type { AccountHistoryOrder, OrderFact, StreamOrderFacts } from './ledger/order-facts.js';
import { judgeStreamOrders } from './ledger/order-verdicts.js';
import { judgeRefundBrushing } from './ledger/refund-brushing/refund-brushing.detector.js';
import { limitedDrop } from '../../test/support/detection/flash-traffic.js';
import { absorbedRingFinding, judgeRing, stoodDownRingFinding } from './rings/account-ring.detector.js';
import { DEFAULT_RING_CONFIG } from './rings/ring.config.js';
import { strongLinks } from './rings/ring-graph.js';

/**
 * The console labels and formats evidence by field (evidence-fields.js, after
 * the shapes in evidence.ts). Every field the room detectors emit must be
 * known there, so no figure reaches a reviewer without its label and unit.
 */

interface FieldCatalogue {
  UNITS: string[];
  FIELDS: Record<string, [string, string]>;
  FIELDS_ZH: Record<string, string>;
  fieldOf(parent: string | null, key: string): { label: string; unit: string } | null;
}

const MIN = 60_000;

async function catalogue(): Promise<FieldCatalogue> {
  const file = pathToFileURL(path.resolve(process.cwd(), 'src/console/public/js/evidence-fields.js')).href;
  return (await import(file)) as FieldCatalogue;
}

/** Every (enclosing field, field) pair of an evidence object. */
function fieldPaths(value: unknown, parent: string | null, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) fieldPaths(item, parent, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    out.add(`${parent ?? ''}\u0000${key}`);
    fieldPaths(item, key, out);
  }
}

/** A room with everything: a stepped emulator farm on shared handsets that partly talks a script, a count held far above presence, a lone timer poster. */
function everythingRoom(): RoomTraffic {
  const room = new RoomTraffic('room-all', 'all-1').start(T0);
  honestCrowd(room, { prefix: 'fan', viewers: 150, from: T0, to: T0 + 15 * MIN, endAt: T0 + 30 * MIN, seed: 61, meanWatchMs: 20 * MIN });
  const random = rng(62);
  for (let step = 0; step < 5; step++) {
    for (let i = 0; i < 40; i++) {
      const n = step * 40 + i;
      room.join(`bot-${n}`, T0 + 2 * MIN + step * 60_000 + i * 10, {
        createdAt: T0 - 2 * DAY + n * 20_000,
        model: 'SM-G9810',
        emulator: true,
        rooted: true,
        deviceId: `farm-dev-${n >> 2}`,
        ip: `103.21.40.${1 + (n % 250)}`,
      });
      if (i < 10) for (let t = T0 + 3 * MIN + step * 60_000 + i * 50; t < T0 + 29 * MIN; t += 30_000) room.comment(`bot-${n}`, t, `这个面霜真的好用，已经回购${2 + Math.floor(random() * 8)}次了`);
    }
  }
  // A silent account on a farm handset, joining on its own later.
  room.join('sibling', T0 + 12 * MIN, { createdAt: T0 - 400 * DAY, model: 'Pixel 8', deviceId: 'farm-dev-0', ip: '8.8.4.4' });
  room.join('timer', T0 + MIN, { createdAt: T0 - 2 * DAY, model: 'V2227A' });
  for (let t = T0 + 2 * MIN; t < T0 + 29 * MIN; t += 45_000) room.comment('timer', t, `进直播间领券 ${Math.floor(random() * 100)}`);
  for (let t = T0 + 10_000; t < T0 + 30 * MIN; t += 10_000) room.count(t, 8_000);
  room.end(T0 + 30 * MIN);
  return room;
}

function crossRoomFindings(): Finding[] {
  const engine = new DetectionEngine();
  const rooms = ['room-a', 'room-b', 'room-c'].map((roomId, r) => {
    const room = new RoomTraffic(roomId, `${roomId}-s1`).start(T0 + r * 20 * MIN);
    honestCrowd(room, { prefix: `${roomId}-fan`, viewers: 80, from: T0 + r * 20 * MIN, to: T0 + r * 20 * MIN + 10 * MIN, endAt: T0 + r * 20 * MIN + 18 * MIN, seed: 70 + r });
    for (let i = 0; i < 25; i++) {
      room.join(`roamer-${i}`, T0 + r * 20 * MIN + 2 * MIN + i * 400, { createdAt: T0 - (400 + i * 13) * DAY, model: 'SM-G9810', emulator: true, deviceId: `roamer-dev-${i}`, ip: `${20 + i}.1.7.${i + 1}` });
    }
    room.end(T0 + r * 20 * MIN + 18 * MIN);
    return room;
  });
  return runEngine(rooms.flatMap((room) => room.sorted()).sort((a, b) => a.ts - b.ts), undefined, 0, engine).findings;
}

/** A ring on three phones paid during the stream and refunded after it, and a claim counting orders still unpaid. */
function orderFindings(): Finding[] {
  const end = T0 + 90 * MIN;
  let seq = 0;
  const order = (accountId: string, at: number, options: { price?: number; list?: number; device?: string; refundAt?: number; paid?: boolean } = {}): OrderFact => {
    seq++;
    const price = options.price ?? 39_900;
    const paid = options.paid ?? true;
    const ip = `198.51.${seq % 250}.9`;
    return {
      orderId: `o-${seq}`,
      accountId,
      deviceId: options.device ?? `dev-${accountId}`,
      ip,
      subnet: `198.51.${seq % 250}.0/24`,
      phoneHash: `ph-${options.device ?? accountId}`,
      addressHash: `ad-${options.device ?? accountId}`,
      skuId: 'sku-hero',
      quantity: 1,
      unitPrice: price,
      listPrice: options.list ?? 49_900,
      placedAt: at,
      paidAt: paid ? at + 20_000 : null,
      paidAmount: paid ? price : 0,
      refunds: paid && options.refundAt !== undefined ? [{ amount: price, at: options.refundAt }] : [],
    };
  };
  const honest = Array.from({ length: 30 }, (_, i) => order(`fan-${i}`, T0 + 5 * MIN + i * 61_000, { price: 15_900, list: 19_900 }));
  const ring = Array.from({ length: 10 }, (_, i) => order(`ring-${i}`, T0 + 20 * MIN + i * 3 * MIN, { device: `ring-phone-${i % 3}`, refundAt: end + 30 * MIN + i * 20 * MIN }));
  const unpaid = Array.from({ length: 5 }, (_, i) => order(`cart-${i}`, end - 10 * MIN + i * 1_000, { price: 15_900, list: 19_900, paid: false }));
  const facts: StreamOrderFacts = { roomId: 'room-o', streamId: 'o-1', merchantId: 'm-1', startedAt: T0, endedAt: end, orders: [...honest, ...ring, ...unpaid] };
  const brushing = judgeRefundBrushing(facts, []);
  const claimed = [...honest, ...ring, ...unpaid].reduce((total, item) => total + (item.listPrice ?? 0), 0);
  const inflated = judgeInflatedGmv({ facts, claim: { gmv: claimed, orders: 45, claimedAt: end + 2 * MIN }, brushingAccounts: new Set(brushing.flaggedAccounts) });
  return [...brushing.findings, ...(inflated.finding ? [inflated.finding] : [])];
}

const HOUR = 60 * MIN;

/** One stream with every order indication (a ring, an operator seen elsewhere, a flash team, a kickback crew, a refund wave, list price paid, repeats) and an inflated claim. */
function everyOrderFinding(): Finding[] {
  const start = T0;
  const end = T0 + 2 * HOUR;
  let n = 0;
  const order = (accountId: string, at: number, extra: Partial<OrderFact> & { refund?: number; refundAt?: number } = {}): OrderFact => {
    n++;
    const { refund, refundAt, ...rest } = extra;
    const unitPrice = rest.unitPrice ?? 20_000;
    const paid = unitPrice * (rest.quantity ?? 1);
    return {
      orderId: `o-${n}`,
      accountId,
      deviceId: `dev-${accountId}`,
      ip: `198.51.${n % 200}.${n % 250}`,
      subnet: `198.51.${n % 200}.0/24`,
      phoneHash: `ph-${accountId}`,
      addressHash: `ad-${accountId}`,
      skuId: 'sku-a',
      quantity: 1,
      unitPrice,
      listPrice: unitPrice,
      placedAt: at,
      paidAt: at + 10_000,
      paidAmount: paid,
      refunds: refundAt === undefined ? [] : [{ amount: refund ?? paid, at: refundAt }],
      ...rest,
    };
  };
  const orders: OrderFact[] = [];
  for (let i = 0; i < 30; i++) orders.push(order(`fan-${i}`, start + 5 * MIN + i * MIN, { skuId: 'sku-hero', unitPrice: 15_000, listPrice: 20_000 }));
  // A ring on one SIM, at list price where fans paid the live price, three orders each.
  for (let i = 0; i < 4; i++) {
    for (let k = 0; k < 3; k++) orders.push(order(`ring-${i}`, start + 20 * MIN + (i * 3 + k) * MIN, { phoneHash: 'ph-studio', skuId: 'sku-hero', listPrice: 20_000, unitPrice: 20_000, refundAt: end + HOUR }));
  }
  // Two flash sales whose opening the team took; the crowd kept theirs.
  for (const [k, skuId] of ['sku-flash', 'sku-flash-2'].entries()) {
    const at = start + (50 + k * 10) * MIN;
    for (let i = 0; i < 3; i++) orders.push(order(`staff-${i}`, at + i * 100, { skuId, unitPrice: 1_000, listPrice: 9_900, refundAt: end + 20 * HOUR + i * HOUR }));
    for (let i = 0; i < 12; i++) orders.push(order(`rush-${k}-${i}`, at + 3_000 + i * 500, { skuId, unitPrice: 1_000, listPrice: 9_900 }));
  }
  // A kickback crew: each refunded 85 % of the price.
  for (let i = 0; i < 4; i++) orders.push(order(`kick-${i}`, start + 70 * MIN + i * MIN, { skuId: 'sku-kick', refund: 17_000, refundAt: end + 2 * HOUR + i * HOUR }));
  // A task: strangers buy one SKU and are refunded each on their own time.
  for (let i = 0; i < 5; i++) orders.push(order(`task-${i}`, start + 80 * MIN + i * MIN, { skuId: 'sku-task', refundAt: end + HOUR + i * 2 * HOUR }));
  const history: AccountHistoryOrder[] = [0, 1].map((i) => ({
    accountId: `elsewhere-${i}`,
    streamId: 'st-before',
    roomId: 'room-before',
    merchantId: 'm-before',
    phoneHash: 'ph-studio',
    startedAt: start - 2 * 24 * HOUR,
    endedAt: start - 2 * 24 * HOUR + HOUR,
    placedAt: start - 2 * 24 * HOUR + 10 * MIN,
    paidAt: start - 2 * 24 * HOUR + 11 * MIN,
    paidAmount: 20_000,
    refundedAmount: 20_000,
    firstRefundAt: start - 2 * 24 * HOUR + 3 * HOUR,
  }));
  const facts = { roomId: 'room-orders', streamId: 'st-orders', merchantId: 'm-1', startedAt: start, endedAt: end, orders };
  // The claim counts every order at list price, and everything refunded after it.
  const gmv = orders.reduce((total, o) => total + (o.listPrice ?? 0) * (o.quantity ?? 1), 0);
  return judgeStreamOrders({ facts, history, identifierUsers: new Map([['phone:ph-studio', 6]]), claim: { gmv, orders: orders.length, claimedAt: end + 5 * MIN } }).findings;
}

/** Two rooms struck by one scalper ring (the second names the first), both with honest rushes. */
function scalperFindings(): Finding[] {
  const accounts = Array.from({ length: 30 }, (_, i) => `op-${i}`);
  const ring = { accounts, devices: 5, latency: (i: number) => (i % 4 === 0 ? -300 : 70 + (i % 13)), device: { model: 'SM-G9810', os: 'Android 9', emulator: true, rooted: true, hooked: true }, payments: 4, drops: 3, watch: true };
  const a = limitedDrop({ roomId: 'room-s1', streamId: 's1', startAt: T0, openAt: T0 + 20 * MIN, stock: 100, honest: 120, fastFingers: 4, ring, prefix: 's1' });
  const b = limitedDrop({ roomId: 'room-s2', streamId: 's2', startAt: T0 + 60 * MIN, openAt: T0 + 80 * MIN, stock: 100, honest: 120, ring, prefix: 's2', seed: 8 });
  return runEngine([...a, ...b].sort((x, y) => x.ts - y.ts)).findings.filter((f) => f.kind === 'scalper_bot');
}

describe('evidence fields', () => {
  it('gives every field the scalper-bot detector emits a label and a known unit, with times as ms', async () => {
    const { fieldOf } = await catalogue();
    const findings = scalperFindings();
    expect([...new Set(findings.map((f) => `${f.kind}:${f.subjectType}`))].sort()).toEqual(['scalper_bot:account', 'scalper_bot:room']);
    expect(JSON.stringify(findings.map((f) => f.evidence))).toContain('"sharedAccounts"');
    const paths = new Set<string>();
    for (const finding of findings) fieldPaths(finding.evidence, null, paths);
    const unknown = [...paths].map((p) => p.split('\u0000')).filter(([parent, key]) => fieldOf(parent === '' ? null : parent, key) === null);
    expect(unknown).toEqual([]);
    expect(JSON.stringify(findings.map((f) => f.evidence)).match(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g)).toBeNull();
  });

  it('labels every field in Chinese too, and no field only in Chinese', async () => {
    const { FIELDS, FIELDS_ZH } = await catalogue();
    expect(Object.keys(FIELDS).filter((name) => !FIELDS_ZH[name])).toEqual([]);
    expect(Object.keys(FIELDS_ZH).filter((name) => !FIELDS[name])).toEqual([]);
  });

  it('gives every field the order detectors emit a label and a known unit: every indication and the now view', async () => {
    const { fieldOf } = await catalogue();
    const findings = everyOrderFinding();
    const gmv = findings.find((f) => f.kind === 'inflated_gmv')!;
    const figures = gmv.evidence as unknown as ClaimFigures;
    findings.push(stoodDownInflatedGmvFinding(gmv, figures, gmv.detectedAt + 3_600_000));
    expect([...new Set(findings.map((f) => `${f.kind}:${f.subjectType}`))].sort()).toEqual(['inflated_gmv:room', 'refund_brushing:account', 'refund_brushing:room']);
    const signals = new Set(findings.flatMap((f) => Object.keys((f.evidence.signals as Record<string, unknown> | undefined) ?? {})));
    expect([...signals].sort()).toEqual(['crossRoom', 'flashGrab', 'kickback', 'operator', 'overpay', 'repeat', 'ring', 'timing', 'wave'].filter((s) => s !== 'crossRoom'));
    const paths = new Set<string>();
    for (const finding of findings) fieldPaths(finding.evidence, null, paths);
    const unknown = [...paths]
      .map((p) => p.split('\u0000'))
      .filter(([parent, key]) => fieldOf(parent === '' ? null : parent, key) === null)
      .map(([parent, key]) => `${parent}.${key}`);
    expect(unknown).toEqual([]);
    const isoText = JSON.stringify(findings.map((f) => f.evidence)).match(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g);
    expect(isoText).toBeNull();
  });

  it('gives every field the room detectors emit a label and a known unit in the console', async () => {
    const { fieldOf, FIELDS, UNITS } = await catalogue();
    const crossRoom = crossRoomFindings();
    // The cross-room evidence (the earlier sightings) is among the fields checked.
    expect(crossRoom.some((f) => JSON.stringify(f.evidence).includes('"sharedAccounts"'))).toBe(true);
    const findings = [...runEngine(everythingRoom().sorted()).findings, ...crossRoom];
    const kinds = new Set(findings.map((f) => `${f.kind}:${f.subjectType}`));
    expect([...kinds].sort()).toEqual(['injected_viewers:account', 'injected_viewers:room', 'scripted_comments:account', 'scripted_comments:room']);
    const paths = new Set<string>();
    for (const finding of findings) fieldPaths(finding.evidence, null, paths);
    const unknown = [...paths].map((p) => p.split('\u0000')).filter(([parent, key]) => fieldOf(parent === '' ? null : parent, key) === null);

    expect(unknown).toEqual([]);
    expect(Object.values(FIELDS).filter(([, unit]) => !UNITS.includes(unit))).toEqual([]);
    // The room detectors send times as ms, never as formatted text.
    const isoText = JSON.stringify(findings.map((f) => f.evidence)).match(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g);
    expect(isoText).toBeNull();
  });

  it('gives every field the order detectors emit a label and a known unit, with times as ms', async () => {
    const { fieldOf } = await catalogue();
    const findings = orderFindings();
    expect([...new Set(findings.map((f) => `${f.kind}:${f.subjectType}`))].sort()).toEqual(['inflated_gmv:room', 'refund_brushing:account', 'refund_brushing:room']);
    const paths = new Set<string>();
    for (const finding of findings) fieldPaths(finding.evidence, null, paths);
    const unknown = [...paths].map((p) => p.split('\u0000')).filter(([parent, key]) => fieldOf(parent === '' ? null : parent, key) === null);
    expect(unknown).toEqual([]);
    // Formatting is the view's: no ISO text in the evidence, times are numbers.
    expect(JSON.stringify(findings.map((f) => f.evidence)).match(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g)).toBeNull();
    const room = findings.find((f) => f.kind === 'refund_brushing' && f.subjectType === 'room')!;
    expect(typeof room.evidence.streamEndedAt).toBe('number');
    const gmv = findings.find((f) => f.kind === 'inflated_gmv')!;
    expect(typeof (gmv.evidence.claim as { claimedAt: unknown }).claimedAt).toBe('number');
  });
  it('gives every field of a ring report a label and a known unit, the absorbed ring pointer included', async () => {
    const { fieldOf } = await catalogue();
    const members = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const identifiers = [
      { kind: 'payment' as const, value: 'wallet', users: 8, accounts: members },
      { kind: 'device' as const, value: 'phone-a', users: 4, accounts: members.slice(0, 4) },
      { kind: 'device' as const, value: 'phone-b', users: 4, accounts: members.slice(4) },
      { kind: 'subnet' as const, value: '10.0.0.0/24', users: 8, accounts: members },
    ];
    const verdict = judgeRing(
      {
        ringId: 'ring-x',
        members,
        links: strongLinks(identifiers, DEFAULT_RING_CONFIG),
        identifiers,
        registrations: members.map((accountId, i) => ({ accountId, registeredAt: T0 - DAY * 3 + i * 1_000, deviceId: i < 4 ? 'phone-a' : 'phone-b', channel: 'promo', clonedApp: true })),
        caught: members.slice(0, 3).map((accountId) => ({ accountId, kind: 'scalper_bot' as const, roomId: 'room-1', streamId: 'st-1' })),
        presence: ['st-1', 'st-2'].flatMap((streamId, r) => members.map((accountId, i) => ({ accountId, roomId: `room-${r}`, streamId, firstTs: T0 + i * 1_000 }))),
        absorbed: ['ring-old'],
        asOf: T0,
      },
      DEFAULT_RING_CONFIG,
    );
    expect(verdict.finding).not.toBeNull();
    const findings = [verdict.finding!, absorbedRingFinding(verdict.finding!, 'ring-y'), stoodDownRingFinding(verdict.finding!, { members: 3, at: T0 }, DEFAULT_RING_CONFIG)];
    const paths = new Set<string>();
    for (const finding of findings) fieldPaths(finding.evidence, null, paths);
    const unknown = [...paths].map((p) => p.split('\u0000')).filter(([parent, key]) => fieldOf(parent === '' ? null : parent, key) === null);
    expect(unknown).toEqual([]);
  });
});

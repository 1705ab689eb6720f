import type { RoomEvent } from '../../../events/event.schema.js';
import type { Finding } from '../../engine/finding.js';
import { accountFindings, rng, roomFindings, runEngine, T0 } from '../../../../test/support/detection/traffic.js';
import { limitedDrop, type RingOptions } from '../../../../test/support/detection/flash-traffic.js';
import { roundRobin, splitIntoLanes } from '../../../../test/support/detection/interleave.js';
import { DetectionEngine } from '../../engine/engine.js';
import type { ScalperBotAccountEvidence, ScalperBotRoomEvidence } from './scalper-bot.evidence.js';

const MIN = 60_000;
const OPEN = T0 + 20 * MIN;
const ring = (name: string, size: number, options: Partial<RingOptions> = {}): RingOptions => ({
  accounts: Array.from({ length: size }, (_, i) => `${name}-${i}`),
  devices: 6,
  latency: (i) => 60 + ((i * 7) % 25),
  device: { model: 'SM-G9810', os: 'Android 9', emulator: true, rooted: true, hooked: true },
  payments: 5,
  drops: 3,
  ...options,
});

function scalperFindings(events: readonly RoomEvent[]): Finding[] {
  return runEngine(events).findings.filter((finding) => finding.kind === 'scalper_bot');
}

describe('scalper_bot', () => {
  it('names a plugin farm that took the stock at machine speed from a few emulators, with evidence a reviewer can check', () => {
    const farm = ring('farm', 40);
    const findings = scalperFindings(limitedDrop({ roomId: 'room-a', streamId: 'a-1', startAt: T0, openAt: OPEN, stock: 120, honest: 250, fastFingers: 6, ring: farm }));
    const [room] = roomFindings(findings, 'scalper_bot');
    expect(room).toBeDefined();
    expect([...room.accounts].sort()).toEqual([...farm.accounts].sort());
    expect(accountFindings(findings, 'scalper_bot').map((f) => f.subjectId).sort()).toEqual([...farm.accounts].sort());
    const evidence = room.evidence as unknown as ScalperBotRoomEvidence;
    expect(evidence.signals).toEqual(expect.arrayContaining(['tamperedDevices', 'sharedDevices', 'machineSpeed', 'stockTaken']));
    const [drop] = evidence.drops;
    expect(drop.shareOfStockTaken).toBeCloseTo(40 / 120, 2);
    const group = drop.groups[0];
    expect(group.devices.length).toBe(6);
    expect(group.devices[0].accountIds.length).toBeGreaterThanOrEqual(6);
    expect(group.paymentAccounts.length).toBe(5);
    expect(group.orderLatencies.every((order) => order.latencyMs >= 60 && order.latencyMs < 90)).toBe(true);
    // The opening second: the farm's orders fill the first 100 ms bin, the crowd's come seconds later.
    const first = drop.openingSecond.bins.find((bin) => bin.fromMs === 0);
    expect(first?.flaggedOrders).toBe(40);
    expect(drop.openingSecond.bins.filter((bin) => bin.fromMs >= 1_000).every((bin) => bin.flaggedOrders === 0)).toBe(true);
    const account = accountFindings(findings, 'scalper_bot')[0].evidence as unknown as ScalperBotAccountEvidence;
    expect(account.orderLatencies).toHaveLength(1);
    expect(account.groupAccountCount).toBe(40);
  });

  it('leaves an honest rush clean: hundreds within seconds, carrier NAT, households on one phone, fast fingers within half a second', () => {
    const findings = scalperFindings(limitedDrop({ roomId: 'room-h', streamId: 'h-1', startAt: T0, openAt: OPEN, stock: 200, honest: 600, fastFingers: 12, natShare: 0.25, households: 15 }));
    expect(findings).toEqual([]);
  });

  it('leaves a bigger rush clean too: 900 people, forty family tablets, a third behind carrier NAT, fifteen fast fingers', () => {
    for (const seed of [3, 4, 5]) {
      const findings = scalperFindings(limitedDrop({ roomId: 'room-b', streamId: `b-${seed}`, startAt: T0, openAt: OPEN, stock: 150, perAccountLimit: 2, honest: 900, fastFingers: 15, natShare: 0.33, households: 40, seed }));
      expect(findings).toEqual([]);
    }
  });

  it('never decides on speed alone: forty unlinked people on clean phones all within 200 ms', () => {
    const quick = ring('quick', 40, { devices: 40, payments: 40, drops: 40, device: { model: 'iPhone15,2', os: 'iOS 18', emulator: false, rooted: false }, watch: true });
    quick.spoofDevices = true;
    expect(scalperFindings(limitedDrop({ roomId: 'room-q', streamId: 'q-1', startAt: T0, openAt: OPEN, stock: 200, honest: 200, ring: quick }))).toEqual([]);
  });

  it('never decides on a shared device alone: a ring on few phones ordering at human speed and taking little', () => {
    const slow = ring('slow', 6, { device: { model: 'V2227A', os: 'Android 13', emulator: false, rooted: false }, latency: (i) => 1_500 + i * 900, watch: true, devices: 2 });
    expect(scalperFindings(limitedDrop({ roomId: 'room-s', streamId: 's-1', startAt: T0, openAt: OPEN, stock: 300, honest: 200, ring: slow }))).toEqual([]);
  });

  it('links a ring that resets its device id per order through its payments and drop addresses, and flags its early orders', () => {
    const spoofed = ring('spoof', 30, { spoofDevices: true, latency: (i) => (i % 3 === 0 ? -800 - i * 20 : 110 + (i % 9)) });
    const findings = scalperFindings(limitedDrop({ roomId: 'room-p', streamId: 'p-1', startAt: T0, openAt: OPEN, stock: 100, perAccountLimit: 2, honest: 250, ring: spoofed }));
    const [room] = roomFindings(findings, 'scalper_bot');
    expect([...room.accounts].sort()).toEqual([...spoofed.accounts].sort());
    const evidence = room.evidence as unknown as ScalperBotRoomEvidence;
    expect(evidence.signals).toEqual(expect.arrayContaining(['beforeOpen', 'sharedPayments', 'dropAddresses']));
    expect(evidence.drops[0].ordersBeforeOpen).toBe(10);
    expect(evidence.drops[0].groups[0].limitMultiple).toBe(30);
  });

  it('sees one farm in a ring split over many phones, three accounts each, with nothing else in common', () => {
    const split = ring('split', 36, { devices: 12, payments: 36, drops: 36, device: { model: 'V2227A', os: 'Android 13', emulator: false, rooted: false }, watch: true });
    const findings = scalperFindings(limitedDrop({ roomId: 'room-x', streamId: 'x-0', startAt: T0, openAt: OPEN, stock: 150, honest: 250, households: 10, ring: split }));
    const [room] = roomFindings(findings, 'scalper_bot');
    expect([...room.accounts].sort()).toEqual([...split.accounts].sort());
    expect((room.evidence as unknown as ScalperBotRoomEvidence).signals).toEqual(expect.arrayContaining(['sharedDevices', 'machineSpeed']));
  });

  it('names the other rooms the same accounts struck', () => {
    const shared = ring('op', 30);
    const a = limitedDrop({ roomId: 'room-1', streamId: 'x-1', startAt: T0, openAt: OPEN, stock: 100, honest: 150, ring: shared, prefix: 'x1' });
    const b = limitedDrop({ roomId: 'room-2', streamId: 'x-2', startAt: T0 + 60 * MIN, openAt: OPEN + 60 * MIN, stock: 100, honest: 150, ring: shared, prefix: 'x2', seed: 9 });
    const findings = scalperFindings([...a, ...b].sort((x, y) => x.ts - y.ts));
    const second = roomFindings(findings, 'scalper_bot').find((f) => f.streamId === 'x-2');
    expect((second?.evidence as unknown as ScalperBotRoomEvidence).otherRooms).toEqual([expect.objectContaining({ streamId: 'x-1', sharedAccounts: 30 })]);
  });

  it('gives the same verdicts whatever the interleaving of streams, the lanes, the disorder and the batching', () => {
    const rooms = [0, 1, 2, 3].map((r) =>
      limitedDrop({
        roomId: `room-${r}`,
        streamId: `d-${r}`,
        startAt: T0 + r * 90 * MIN,
        openAt: OPEN + r * 90 * MIN,
        stock: 120,
        honest: 200,
        fastFingers: 5,
        households: 4,
        prefix: `d${r}`,
        seed: 20 + r,
        ...(r % 2 === 0 ? { ring: ring(`r${r}`, 25, { latency: (i) => (r === 2 ? -500 - i * 30 : 90 + (i % 11)) }) } : {}),
      }),
    );
    const verdicts = (findings: Finding[]): string[] =>
      findings
        .filter((f) => f.kind === 'scalper_bot')
        .map((f) => `${f.subjectType}:${f.subjectId}:${f.streamId}:${f.score}:${f.detectedAt}:${[...f.accounts].sort().join(',')}`)
        .sort();
    const ordered = verdicts(runEngine(rooms.flat().sort((a, b) => a.ts - b.ts)).findings);
    expect(ordered.filter((line) => line.startsWith('room:'))).toHaveLength(2);
    const random = rng(77);
    for (const [lanes, batch] of [
      [4, 50],
      [2, 333],
      [3, 7],
    ] as const) {
      const engine = new DetectionEngine();
      const merged = new Map<string, Finding>();
      for (const events of roundRobin(splitIntoLanes(rooms.flat(), lanes, 3_000, random), batch)) {
        for (const event of events) engine.process(event);
        for (const finding of engine.drainFindings()) merged.set(`${finding.kind}|${finding.subjectType}|${finding.subjectId}|${finding.streamId}`, finding);
      }
      engine.flush();
      for (const finding of engine.drainFindings()) merged.set(`${finding.kind}|${finding.subjectType}|${finding.subjectId}|${finding.streamId}`, finding);
      expect(verdicts([...merged.values()])).toEqual(ordered);
    }
  });
});

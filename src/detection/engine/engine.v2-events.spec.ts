import type { RoomEvent } from '../../events/event.schema.js';
import { DetectionEngine } from './engine.js';
import { findingKey, type Finding } from './finding.js';
import { DAY, T0, honestCrowd, RoomTraffic } from '../../../test/support/detection/traffic.js';

const MIN = 60_000;

/** A farm room with an honest crowd: something for the engine to find, so a change of verdict would show. */
function farmRoom(): RoomEvent[] {
  const room = new RoomTraffic('room-v2', 'v2-1').start(T0);
  honestCrowd(room, { prefix: 'h', viewers: 80, from: T0, to: T0 + 12 * MIN, endAt: T0 + 20 * MIN, seed: 31, commentShare: 0.4 });
  for (let step = 0; step < 5; step++) {
    for (let i = 0; i < 30; i++) {
      const n = step * 30 + i;
      room.join(`farm-${n}`, T0 + 2 * MIN + step * 40_000 + i * 7, { createdAt: T0 - 2 * DAY + n * 10_000, model: 'SM-G9810', os: 'Android 9', emulator: true, ip: `103.21.${40 + (n >> 4)}.${n % 16}` });
    }
  }
  for (let t = T0 + 10_000; t < T0 + 20 * MIN; t += 10_000) room.count(t, 2_000);
  room.end(T0 + 20 * MIN);
  return room.sorted();
}

function run(events: readonly RoomEvent[]): { engine: DetectionEngine; findings: Map<string, Finding> } {
  const engine = new DetectionEngine();
  const findings = new Map<string, Finding>();
  for (const event of events) {
    engine.process(event);
    for (const finding of engine.drainFindings()) findings.set(findingKey(finding), finding);
  }
  engine.flush();
  for (const finding of engine.drainFindings()) findings.set(findingKey(finding), finding);
  return { engine, findings };
}

describe('the engine and the v2 events', () => {
  const base = farmRoom();
  const plain = run(base);

  it('finds the farm without v2 events (the figure the rest compares with)', () => {
    expect([...plain.findings.keys()].some((key) => key.startsWith('injected_viewers|room|'))).toBe(true);
  });

  it('opens no stream for events of no room, and lets them change no verdict and no clock', () => {
    const streamless: RoomEvent[] = [];
    for (let i = 0; i < 400; i++) {
      // Registrations and off-room claims from far in the future and the past: neither may move a stream's clock or the memory valve.
      streamless.push({ id: `reg-${i}`, type: 'account.registered', ts: T0 + (i % 2 === 0 ? 30 * DAY : -30 * DAY) + i, accountId: `new-${i}` });
      streamless.push({ id: `cp-${i}`, type: 'coupon.claimed', ts: T0 + 40 * DAY + i, accountId: `new-${i}`, couponId: `c-${i}`, campaignId: 'camp', value: 500 });
    }
    const mixed = base.flatMap((event, i) => (i % 3 === 0 && streamless.length > 0 ? [streamless.pop()!, event] : [event]));
    const { engine, findings } = run([...mixed, ...streamless]);
    expect(findings).toEqual(plain.findings);
    const stats = engine.stats();
    expect(stats.streamlessEvents).toBe(800);
    expect(stats.eventsProcessed).toBe(base.length);
    expect(stats.maxEventTime).toBe(plain.engine.stats().maxEventTime);
    expect(stats.liveStreams + stats.finalisedStreams).toBe(1);
  });

  it('takes a sale.opened announced a minute ahead without making the stream’s next events late', () => {
    const opensAt = T0 + 6 * MIN;
    const opening: RoomEvent = { id: 'sale-1', type: 'sale.opened', roomId: 'room-v2', streamId: 'v2-1', ts: opensAt, skuId: 'sku-1', salePrice: 990, listPrice: 5_900, currency: 'CNY', stock: 50 };
    const announceAt = base.findIndex((event) => event.ts >= opensAt - MIN);
    const announced = [...base.slice(0, announceAt), opening, ...base.slice(announceAt)];
    const { engine, findings } = run(announced);
    expect(engine.stats().lateEvents).toBe(plain.engine.stats().lateEvents);
    expect(findings).toEqual(plain.findings);
    expect(engine.stats().eventsProcessed).toBe(base.length + 1);
  });

  it('applies a coupon claimed in the room to the stream like any account event', () => {
    const claimAt = T0 + 8 * MIN;
    const claim: RoomEvent = { id: 'claim-1', type: 'coupon.claimed', roomId: 'room-v2', streamId: 'v2-1', ts: claimAt, accountId: 'h-3', couponId: 'c-1', campaignId: 'camp', value: 500 };
    const index = base.findIndex((event) => event.ts >= claimAt);
    const { engine, findings } = run([...base.slice(0, index), claim, ...base.slice(index)]);
    expect(engine.stats().streamlessEvents).toBe(0);
    expect(engine.stats().eventsProcessed).toBe(base.length + 1);
    expect(findings).toEqual(plain.findings);
  });
});

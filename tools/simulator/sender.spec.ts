import type { RoomEvent } from '../../src/events/event.schema.js';
import { generateEvening } from './generator.js';
import { laneKey, laneOfRoom, planLanes } from './sender.js';

describe('planLanes', () => {
  const evening = generateEvening({ seed: 4, rooms: 8, audienceScale: 0.2 });
  const lanes = planLanes(evening.events, { count: 4, jitterMs: 3_000, seed: 9 });

  it('partitions the events into lanes by room, every event exactly once', () => {
    expect(lanes.reduce((sum, lane) => sum + lane.length, 0)).toBe(evening.events.length);
    expect(new Set(lanes.flat().map((event) => event.id)).size).toBe(evening.events.length);
    const misplaced = lanes.flatMap((lane, index) => lane.filter((event) => laneOfRoom(laneKey(event), 4) !== index));
    expect(misplaced).toEqual([]);
    expect(lanes.filter((lane) => lane.length > 0).length).toBeGreaterThan(1);
  });

  it('keeps each lane in ts order but for at most the jitter, and that jitter really reorders', () => {
    let reordered = 0;
    let worstLagMs = 0;
    for (const lane of lanes) {
      let newest = Number.NEGATIVE_INFINITY;
      // A sale.opened is announced ahead of its ts on purpose (next test).
      for (const event of lane.filter((sent) => sent.type !== 'sale.opened')) {
        worstLagMs = Math.max(worstLagMs, newest - event.ts);
        if (event.ts < newest) reordered++;
        newest = Math.max(newest, event.ts);
      }
    }
    expect(worstLagMs).toBeLessThan(3_000);
    expect(reordered).toBeGreaterThan(0);
  });

  it('announces each sale.opened ahead of its ts, and carries an event of no room by its account', () => {
    let announced = 0;
    for (const lane of lanes) {
      lane.forEach((event, index) => {
        if (event.type !== 'sale.opened') return;
        announced++;
        // Events of the 20 s before the opening come after the announcement in its lane.
        const later = lane.slice(index + 1).filter((next) => next.roomId === event.roomId && next.ts < event.ts - 20_000);
        expect(later.length).toBeGreaterThan(0);
      });
    }
    expect(announced).toBeGreaterThan(0);
    const registration = evening.accountEvents.find((event) => event.type === 'account.registered')!;
    expect(lanes[laneOfRoom(registration.accountId!, 4)]).toContain(registration);
  });

  it('gives the same plan for the same seed', () => {
    const again = planLanes(evening.events, { count: 4, jitterMs: 3_000, seed: 9 });
    expect(again.map((lane) => lane.map((event: RoomEvent) => event.id))).toEqual(lanes.map((lane) => lane.map((event) => event.id)));
  });

  it('names the field of a bad lane count', () => {
    expect(() => planLanes(evening.events, { count: 0 })).toThrow(/lanes\.count/);
  });
});

import type { RoomEvent } from '../../src/events/event.schema.js';
import { generateEvening } from './generator.js';
import { laneOfRoom, planLanes } from './sender.js';

describe('planLanes', () => {
  const evening = generateEvening({ seed: 4, rooms: 8, audienceScale: 0.2 });
  const lanes = planLanes(evening.events, { count: 4, jitterMs: 3_000, seed: 9 });

  it('partitions the events into lanes by room, every event exactly once', () => {
    expect(lanes.reduce((sum, lane) => sum + lane.length, 0)).toBe(evening.events.length);
    expect(new Set(lanes.flat().map((event) => event.id)).size).toBe(evening.events.length);
    const misplaced = lanes.flatMap((lane, index) => lane.filter((event) => laneOfRoom(event.roomId, 4) !== index));
    expect(misplaced).toEqual([]);
    expect(lanes.filter((lane) => lane.length > 0).length).toBeGreaterThan(1);
  });

  it('keeps each lane in ts order but for at most the jitter, and that jitter really reorders', () => {
    let reordered = 0;
    let worstLagMs = 0;
    for (const lane of lanes) {
      let newest = Number.NEGATIVE_INFINITY;
      for (const event of lane) {
        worstLagMs = Math.max(worstLagMs, newest - event.ts);
        if (event.ts < newest) reordered++;
        newest = Math.max(newest, event.ts);
      }
    }
    expect(worstLagMs).toBeLessThan(3_000);
    expect(reordered).toBeGreaterThan(0);
  });

  it('gives the same plan for the same seed', () => {
    const again = planLanes(evening.events, { count: 4, jitterMs: 3_000, seed: 9 });
    expect(again.map((lane) => lane.map((event: RoomEvent) => event.id))).toEqual(lanes.map((lane) => lane.map((event) => event.id)));
  });

  it('names the field of a bad lane count', () => {
    expect(() => planLanes(evening.events, { count: 0 })).toThrow(/lanes\.count/);
  });
});

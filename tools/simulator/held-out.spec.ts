import { validateEvent } from '../../src/events/event.schema.js';
import { DEFAULT_EVENING_START } from './generator.js';
import { defaultHeldOutV2Rooms, HELD_OUT_MODEL, mixEvening } from './held-out.js';
import { generateHeldOutRooms, generateHeldOutRoomsWithRings, generateHeldOutV2 } from './heldout/index.js';
import { kindsOfStyle } from './scoring.js';

describe('mixEvening', () => {
  const evening = mixEvening({ seed: 7, rooms: 4, audienceScale: 0.2, heldOutRooms: 4, heldOutV2Rooms: 3 }, HELD_OUT_MODEL);
  const heldOut = evening.rooms.filter((room) => room.heldOut);
  const main = evening.rooms.filter((room) => !room.heldOut);
  const v1 = generateHeldOutRooms({ seed: 7, startTs: DEFAULT_EVENING_START, rooms: 4 });
  const v2 = generateHeldOutV2({ seed: 7, startTs: DEFAULT_EVENING_START, rooms: 3 });

  it('adds the held-out rooms, marked, over the same hours as the main rooms', () => {
    expect(main).toHaveLength(4);
    expect(heldOut).toHaveLength(4 + v2.rooms.length);
    expect(evening.heldOutRooms).toBe(heldOut.length);
    // Same evening: held-out streams (reruns later the same night included) start within hours of the main ones.
    const mainFrom = Math.min(...main.map((room) => room.startTs));
    const mainTo = Math.max(...main.map((room) => room.endTs));
    for (const room of heldOut) {
      expect(room.startTs).toBeGreaterThanOrEqual(mainFrom - 3_600_000);
      expect(room.startTs).toBeLessThan(mainTo + 6 * 3_600_000);
    }
    expect(heldOut.some((room) => room.startTs < mainTo)).toBe(true);
  });

  it('keeps the v1 held-out rooms exactly as the model makes them alone, the v2 traffic after them', () => {
    expect(JSON.stringify(heldOut.slice(0, 4)) === JSON.stringify(v1.map((room) => ({ ...room, heldOut: true })))).toBe(true);
    expect(heldOut.slice(4).map((room) => room.streamId)).toEqual(v2.rooms.map((room) => room.streamId));
  });

  it('merges every event of both models in ts order without an id in common', () => {
    expect(evening.events.length).toBe([...evening.rooms, ...(evening.ringShops ?? [])].reduce((sum, room) => sum + room.events.length, evening.accountEvents.length));
    expect(evening.events.filter((event, i) => i > 0 && event.ts < evening.events[i - 1]!.ts)).toEqual([]);
    expect(new Set(evening.events.map((event) => event.id)).size).toBe(evening.events.length);
    expect(new Set(evening.rooms.map((room) => room.streamId)).size).toBe(evening.rooms.length);
  });

  it('carries the held-out account events and truth, and every one of its events validates', () => {
    const ids = new Set(evening.accountEvents.map((event) => event.id));
    expect(v2.accountEvents.length).toBeGreaterThan(0);
    expect(v2.accountEvents.filter((event) => !ids.has(event.id))).toEqual([]);
    const v1Rings = generateHeldOutRoomsWithRings({ seed: 7, startTs: DEFAULT_EVENING_START, rooms: 4 }).rings;
    expect(evening.truth?.rings.filter((ring) => ring.heldOut)).toEqual([...v1Rings, ...v2.truth.rings]);
    expect(evening.truth?.scalperOrders).toEqual(expect.arrayContaining(v2.truth.scalperOrders));
    expect(evening.truth?.couponHoarders).toEqual(expect.arrayContaining(v2.truth.couponHoarders));
    const heldOutEvents = [...heldOut.flatMap((room) => room.events), ...v2.accountEvents];
    expect(heldOutEvents.map((event) => validateEvent(event)).filter((result) => !result.ok)).toEqual([]);
  });

  it('scores every held-out style through the map the model exports, and none through the main one', () => {
    for (const style of heldOut.flatMap((room) => room.attackStyles)) {
      expect(kindsOfStyle(style, [HELD_OUT_MODEL.HELD_OUT_STYLES]).length).toBeGreaterThan(0);
      expect(() => kindsOfStyle(style)).toThrow(/no style map/);
    }
  });

  it('mixes three v2 room plans for every four held-out rooms by default', () => {
    expect(defaultHeldOutV2Rooms(16)).toBe(12);
    expect(defaultHeldOutV2Rooms(0)).toBe(0);
  });

  it('leaves the main evening alone without held-out rooms', () => {
    expect(mixEvening({ seed: 7, rooms: 4, audienceScale: 0.2, heldOutRooms: 0 }, HELD_OUT_MODEL).rooms.every((room) => !room.heldOut)).toBe(true);
  });
});

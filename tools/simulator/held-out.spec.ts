import { HELD_OUT_MODEL, mixEvening } from './held-out.js';
import { kindsOfStyle } from './scoring.js';

describe('mixEvening', () => {
  const evening = mixEvening({ seed: 7, rooms: 4, audienceScale: 0.2, heldOutRooms: 4 }, HELD_OUT_MODEL);
  const heldOut = evening.rooms.filter((room) => room.heldOut);
  const main = evening.rooms.filter((room) => !room.heldOut);

  it('adds the held-out rooms, marked, over the same hours as the main rooms', () => {
    expect(main).toHaveLength(4);
    expect(heldOut).toHaveLength(4);
    expect(evening.heldOutRooms).toBe(4);
    // Same evening: held-out streams (reruns later the same night included) start within hours of the main ones.
    const mainFrom = Math.min(...main.map((room) => room.startTs));
    const mainTo = Math.max(...main.map((room) => room.endTs));
    for (const room of heldOut) {
      expect(room.startTs).toBeGreaterThanOrEqual(mainFrom - 3_600_000);
      expect(room.startTs).toBeLessThan(mainTo + 6 * 3_600_000);
    }
    expect(heldOut.some((room) => room.startTs < mainTo)).toBe(true);
  });

  it('merges every event of both models in ts order without an id in common', () => {
    expect(evening.events.length).toBe(evening.rooms.reduce((sum, room) => sum + room.events.length, evening.accountEvents.length));
    expect(evening.events.filter((event, i) => i > 0 && event.ts < evening.events[i - 1]!.ts)).toEqual([]);
    expect(new Set(evening.events.map((event) => event.id)).size).toBe(evening.events.length);
    expect(new Set(evening.rooms.map((room) => room.streamId)).size).toBe(evening.rooms.length);
  });

  it('scores every held-out style through the map the model exports, and none through the main one', () => {
    for (const style of heldOut.flatMap((room) => room.attackStyles)) {
      expect(kindsOfStyle(style, [HELD_OUT_MODEL.HELD_OUT_STYLES]).length).toBeGreaterThan(0);
      expect(() => kindsOfStyle(style)).toThrow(/no style map/);
    }
  });

  it('leaves the main evening alone without held-out rooms', () => {
    expect(mixEvening({ seed: 7, rooms: 4, audienceScale: 0.2, heldOutRooms: 0 }, HELD_OUT_MODEL).rooms.every((room) => !room.heldOut)).toBe(true);
  });
});

import type { ReportKind } from '../../src/detection/engine/finding.js';
import { generateHeldOutRooms, HELD_OUT_STYLES } from './heldout/index.js';
import { DEFAULT_EVENING_START, generateEvening, mergeEvening, type EveningOptions, type SimulatedEvening, type SimulatedRoom } from './generator.js';

/**
 * The independent held-out attacker model (`tools/simulator/heldout/`), as the
 * eval uses it: rooms in this generator's shape, styles prefixed `ho_`.
 */
export interface HeldOutModel {
  generateHeldOutRooms(options: { seed: number; startTs: number; rooms: number; ids?: unknown }): SimulatedRoom[];
  HELD_OUT_STYLES: Record<ReportKind, readonly string[]>;
}

/** The held-out model as this tree has it; the eval mixes its rooms into every evening. */
export const HELD_OUT_MODEL: HeldOutModel = { generateHeldOutRooms, HELD_OUT_STYLES };

export interface MixedEvening extends SimulatedEvening {
  /** How many of `rooms` came from the held-out model. */
  heldOutRooms: number;
}

/**
 * One evening of both models over the same hours: the main generator's
 * rooms and `heldOutRooms` held-out ones, every event merged in ts order.
 * Throws when the two models' ids collide, since scoring keys on stream id.
 */
export function mixEvening(options: EveningOptions & { heldOutRooms: number }, model: HeldOutModel | null): MixedEvening {
  const main = generateEvening(options);
  if (!model || options.heldOutRooms === 0) return { ...main, heldOutRooms: 0 };
  const heldOut = model
    .generateHeldOutRooms({ seed: options.seed, startTs: options.startTs ?? DEFAULT_EVENING_START, rooms: options.heldOutRooms })
    .map((room) => ({ ...room, heldOut: true }));
  // A room may air several streams in either model; only ids the two models share are a collision.
  const mainIds = new Set(main.rooms.flatMap((room) => [`stream ${room.streamId}`, `room ${room.roomId}`]));
  for (const room of heldOut) {
    for (const key of [`stream ${room.streamId}`, `room ${room.roomId}`]) {
      if (mainIds.has(key)) throw new Error(`held-out model: ${key} is also one of the main generator's`);
    }
  }
  const eventIds = new Set(main.events.map((event) => event.id));
  for (const event of heldOut.flatMap((room) => room.events)) {
    if (eventIds.has(event.id)) throw new Error(`held-out model: event id ${event.id} is also one of the main generator's`);
  }
  const rooms = [...main.rooms, ...heldOut];
  return { seed: options.seed, rooms, accountEvents: main.accountEvents, events: mergeEvening(rooms, main.accountEvents), heldOutRooms: heldOut.length };
}

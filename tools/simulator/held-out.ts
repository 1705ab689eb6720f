import type { RoomEvent } from '../../src/events/event.schema.js';
import type { ReportKind } from '../../src/detection/engine/finding.js';
import { generateHeldOutRooms, generateHeldOutRoomsWithRings, generateHeldOutV2, HELD_OUT_STYLES } from './heldout/index.js';
import { DEFAULT_EVENING_START, generateEvening, mergeEvening, type EveningOptions, type SimulatedEvening, type SimulatedRoom } from './generator.js';
import { emptyTruth, type EveningTruth, type TrueRing } from './truth.js';

/** (v2) What the held-out model adds beyond rooms: events of no room and the evening's truth. */
export interface HeldOutTraffic {
  rooms: SimulatedRoom[];
  /** Account registrations and coupons claimed outside rooms. */
  accountEvents: RoomEvent[];
  truth: EveningTruth;
}

/**
 * The independent held-out attacker model (`tools/simulator/heldout/`), as the
 * eval uses it: rooms in this generator's shape, styles prefixed `ho_`.
 */
export interface HeldOutModel {
  generateHeldOutRooms(options: { seed: number; startTs: number; rooms: number; ids?: unknown }): SimulatedRoom[];
  HELD_OUT_STYLES: Record<ReportKind, readonly string[]>;
  /**
   * (v2) Flash sales, coupon campaigns, cash-out shops and operator rings,
   * drawn apart from the rooms above (which it leaves unchanged); `rooms`
   * counts its room plans (a shop's plan airs two streams).
   */
  generateHeldOutTraffic?(options: { seed: number; startTs: number; rooms: number }): HeldOutTraffic;
  /** (v2) The rooms of `generateHeldOutRooms`, unchanged, with the linked operators behind them as rings. */
  generateHeldOutRoomsWithRings?(options: { seed: number; startTs: number; rooms: number }): { rooms: SimulatedRoom[]; rings: TrueRing[]; honestSharers: string[] };
}

/** The held-out model as this tree has it; the eval mixes its rooms into every evening. */
export const HELD_OUT_MODEL: HeldOutModel = { generateHeldOutRooms, HELD_OUT_STYLES, generateHeldOutTraffic: generateHeldOutV2, generateHeldOutRoomsWithRings };

export interface MixedEvening extends SimulatedEvening {
  /** How many of `rooms` came from the held-out model. */
  heldOutRooms: number;
}

/** v2 room plans mixed in by default: three for every four held-out rooms. */
export function defaultHeldOutV2Rooms(heldOutRooms: number): number {
  return Math.ceil((heldOutRooms * 3) / 4);
}

/**
 * One evening of both models over the same hours: the main generator's
 * rooms and `heldOutRooms` held-out ones, plus (v2) `heldOutV2Rooms` room
 * plans of the held-out v2 traffic with its account events, every event
 * merged in ts order, and both models' truth (the held-out rooms' linked
 * operators and honest sharers included). Throws when the two models' ids collide, since
 * scoring keys on stream, account and order ids.
 */
export function mixEvening(options: EveningOptions & { heldOutRooms: number; heldOutV2Rooms?: number }, model: HeldOutModel | null): MixedEvening {
  const main = generateEvening(options);
  if (!model || options.heldOutRooms === 0) return { ...main, heldOutRooms: 0 };
  const startTs = options.startTs ?? DEFAULT_EVENING_START;
  const v2Rooms = options.heldOutV2Rooms ?? defaultHeldOutV2Rooms(options.heldOutRooms);
  const traffic = model.generateHeldOutTraffic && v2Rooms > 0 ? model.generateHeldOutTraffic({ seed: options.seed, startTs, rooms: v2Rooms }) : null;
  const roomOptions = { seed: options.seed, startTs, rooms: options.heldOutRooms };
  const v1 = model.generateHeldOutRoomsWithRings ? model.generateHeldOutRoomsWithRings(roomOptions) : { rooms: model.generateHeldOutRooms(roomOptions), rings: null, honestSharers: [] };
  const heldOut = [...v1.rooms, ...(traffic?.rooms ?? [])].map((room) => ({ ...room, heldOut: true }));
  const heldOutAccountEvents = traffic?.accountEvents ?? [];
  assertNoCollision(main, heldOut, heldOutAccountEvents);
  const rooms = [...main.rooms, ...heldOut];
  const accountEvents = [...main.accountEvents, ...heldOutAccountEvents].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  const v2Truth = traffic?.truth ?? emptyTruth();
  const heldOutTruth =
    v1.rings || traffic ? { ...v2Truth, rings: [...(v1.rings ?? []), ...v2Truth.rings], honestSharers: [...v1.honestSharers, ...v2Truth.honestSharers] } : null;
  const truth = heldOutTruth ? mergeTruth(main.truth, heldOutTruth) : main.truth;
  return {
    seed: options.seed,
    rooms,
    accountEvents,
    events: mergeEvening([...rooms, ...(main.ringShops ?? [])], accountEvents),
    ...(main.ringShops ? { ringShops: main.ringShops } : {}),
    heldOutRooms: heldOut.length,
    ...(truth ? { truth } : {}),
  };
}

/** A room may air several streams in either model; only ids the two models share are a collision. */
function assertNoCollision(main: SimulatedEvening, heldOut: readonly SimulatedRoom[], heldOutAccountEvents: readonly RoomEvent[]): void {
  const mainIds = new Set(main.rooms.flatMap((room) => [`stream ${room.streamId}`, `room ${room.roomId}`, `merchant ${room.merchantId}`]));
  for (const room of heldOut) {
    for (const key of [`stream ${room.streamId}`, `room ${room.roomId}`, `merchant ${room.merchantId}`]) {
      if (mainIds.has(key)) throw new Error(`held-out model: ${key} is also one of the main generator's`);
    }
  }
  const heldOutEvents = [...heldOut.flatMap((room) => room.events), ...heldOutAccountEvents];
  const heldOutAccounts = new Set(heldOutEvents.flatMap((event) => ('accountId' in event && event.accountId ? [event.accountId] : [])));
  const eventIds = new Set<string>();
  for (const event of main.events) {
    eventIds.add(event.id);
    if ('accountId' in event && event.accountId && heldOutAccounts.has(event.accountId)) throw new Error(`held-out model: account ${event.accountId} is also one of the main generator's`);
  }
  for (const event of heldOutEvents) {
    if (eventIds.has(event.id)) throw new Error(`held-out model: event id ${event.id} is also one of the main generator's`);
  }
}

/** Both models' truth side by side: each entry belongs to one model (held-out rings say so). */
function mergeTruth(main: EveningTruth | undefined, heldOut: EveningTruth): EveningTruth {
  const base = main ?? emptyTruth();
  return {
    ...base,
    rings: [...base.rings, ...heldOut.rings],
    honestSharers: [...base.honestSharers, ...heldOut.honestSharers],
    bulkRegistered: [...base.bulkRegistered, ...heldOut.bulkRegistered],
    cashOutMerchants: [...base.cashOutMerchants, ...heldOut.cashOutMerchants],
    honestTwinMerchants: [...base.honestTwinMerchants, ...heldOut.honestTwinMerchants],
    scalperOrders: [...base.scalperOrders, ...heldOut.scalperOrders],
    couponHoarders: [...(base.couponHoarders ?? []), ...(heldOut.couponHoarders ?? [])],
  };
}

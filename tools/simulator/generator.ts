import type { RoomEvent } from '../../src/events/event.schema.js';
import { REPORT_KINDS, type ReportKind } from '../../src/detection/engine/finding.js';
import { IdRegistry, OrganicPopulation, type SimAccount } from './accounts.js';
import {
  agedFarmBatches,
  agedPackageLockstep,
  allInOneFarmRoom,
  cloudPhoneRotation,
  emulatorFarmJoins,
  humanLikeComments,
  identicalComments,
  inflateDisplayedCount,
  kickbackBrushing,
  merchantFlashBrushing,
  merchantTeamBrushing,
  periodicPosters,
  phoneFarmWaves,
  ringBrushing,
  studioBrushing,
  taskWorkerBrushing,
  templatedComments,
  trickleFarmJoins,
} from './attacks.js';
import { makeSkus, type Category, type Locale } from './catalog.js';
import { massPool, poolRotation, relayChain, relayQuestions, slowDrip, spunTemplates } from './comment-campaigns.js';
import {
  agedFarm,
  agedPackage,
  allInOneFarm,
  brusherRing,
  brushingStudio,
  chatCohort,
  cloudPhoneFarm,
  emulatorFarm,
  kickbackCrew,
  merchantFlashStaff,
  merchantStaff,
  ordinaryLooking,
  phoneFarm,
  proxyPoolAccounts,
  taskPlatformWorkers,
  trickleFarm,
  type CloudPhoneFarm,
} from './cohorts.js';
import { NO_ORDER_TRAPS, orderTrapNames, orderTrapsFor, playClaimTraps, playOrderTraps, shipToPickupPoints } from './order-traps.js';
import { placeHonestOrder, planOrganicProfile, playOrganicMoments, simulateAudience, type OrganicTraps } from './organic.js';
import { Rng } from './prng.js';
import { RoomBuilder, type LedgerOrder, type ViewerSession } from './room.js';
import { emptyTruth, type EveningTruth } from './truth.js';
import { newFlashSaleEvening, playLimitedDrop, SCALPER_STYLES, type FlashSaleEvening, type ScalperStyle } from './flash-sales.js';
import { addRingsAndSharers } from './rings.js';
import { salesClaim, verifiedSales, type ClaimStyle, type ExpectedSalesAudit } from './sales.js';
import { newEveningStorefront, Storefront, type EveningStorefront } from './storefront.js';
import { newEveningPromotions, playPromotions, PROMOTION_STYLES, type EveningPromotions } from './promotions.js';

export type { ExpectedSalesAudit, VerifiedSales } from './sales.js';

/**
 * Attacker styles, grouped by the report kind they should produce. A style
 * listed under two kinds (the all-in-one farm both injects viewers and posts
 * the script) is labelled, and scored, for both.
 */
export const ATTACK_STYLES = {
  injected_viewers: ['emulator_farm', 'phone_farm', 'aged_viewer_package', 'displayed_count_only', 'trickle_farm', 'aged_farm', 'all_in_one_farm', 'cloud_phone_farm'],
  scripted_comments: [
    'identical_interval_comments',
    'template_comments',
    'human_like_comments',
    'periodic_posters',
    'all_in_one_farm',
    'spun_templates',
    'relay_questions',
    'relay_chain',
    'pool_rotation',
    'slow_drip',
    'mass_pool',
  ],
  refund_brushing: ['hired_brusher_ring', 'merchant_team', 'brushing_studio', 'kickback_crew', 'task_workers', 'merchant_flash_team'],
  inflated_gmv: ['gmv_counts_refunds', 'gmv_list_price', 'gmv_counts_unpaid', 'gmv_claim_before_refunds', 'gmv_flash_list_price'],
  // account_ring has no attacker here yet: its simulator comes with its detector.
  scalper_bot: SCALPER_STYLES,
  coupon_abuse: PROMOTION_STYLES.coupon_abuse,
  cash_out: PROMOTION_STYLES.cash_out,
  account_ring: [],
} as const satisfies Record<ReportKind, readonly string[]>;

export type AttackStyle = (typeof ATTACK_STYLES)[ReportKind][number];

/**
 * Attacked rooms take these plans in order (cycling), so even a small
 * evening covers every kind early and a 40-room one covers every style,
 * the reused cohorts and rings, and the usual combinations (a room that buys
 * viewers often buys comments too; brushing comes with an inflated claim).
 */
const ATTACK_PLANS: readonly (readonly AttackStyle[])[] = [
  // The promotion styles (promotions.ts) ride along with others: their draws are their own, so the others' stay as they were.
  ['emulator_farm', 'brushing_studio', 'cash_out_shop'],
  ['template_comments', 'wool_party'],
  ['hired_brusher_ring', 'gmv_counts_refunds', 'mass_pool'],
  ['trickle_farm', 'task_workers', 'cash_out_kept'],
  ['all_in_one_farm', 'gmv_flash_list_price'],
  ['aged_farm', 'full_reduction_ring'],
  ['displayed_count_only', 'spun_templates', 'merchant_flash_team'],
  ['cloud_phone_farm', 'identical_interval_comments', 'kickback_crew', 'gmv_claim_before_refunds', 'wool_party_proxies'],
  ['merchant_team', 'relay_questions'],
  ['gmv_list_price', 'slow_drip', 'cash_out_shop'],
  ['phone_farm', 'periodic_posters', 'task_workers'],
  ['aged_viewer_package', 'human_like_comments', 'brushing_studio', 'wool_party'],
  ['gmv_counts_unpaid', 'pool_rotation', 'full_reduction_ring'],
  ['aged_farm', 'template_comments', 'task_workers', 'cash_out_shop'],
  ['cloud_phone_farm', 'hired_brusher_ring', 'relay_chain'],
  ['emulator_farm', 'identical_interval_comments', 'kickback_crew'],
  // A 40-room evening (16 attacked) ends here; larger ones repeat the styles in other company.
  ['trickle_farm', 'hired_brusher_ring'],
  ['merchant_team', 'gmv_counts_refunds'],
  ['all_in_one_farm', 'gmv_list_price'],
  ['phone_farm', 'template_comments'],
  ['spun_templates'],
  ['aged_farm'],
  ['relay_chain'],
  ['aged_viewer_package'],
  ['human_like_comments'],
  ['mass_pool'],
  ['trickle_farm'],
  ['relay_questions', 'gmv_counts_unpaid'],
  ['hired_brusher_ring', 'phone_farm'],
  ['pool_rotation'],
  ['periodic_posters'],
  ['slow_drip', 'spun_templates'],
];

export interface EveningOptions {
  seed: number;
  /** Number of rooms (one stream each); default 40. */
  rooms?: number;
  /** Event time of the evening's first possible stream start; default 2026-11-20 19:00 China time. */
  startTs?: number;
  /** Share of rooms that are attacked; default 0.4. */
  attackShare?: number;
  /** Multiplies every room's honest audience; default 1. */
  audienceScale?: number;
}

export interface RoomLabels {
  /** Kinds of fraud really present in this stream (empty for an honest room). */
  kinds: ReportKind[];
  /** Accounts that really committed each kind in this stream (empty for room-level kinds). */
  accounts: Record<ReportKind, string[]>;
}

export interface SimulatedRoom {
  roomId: string;
  streamId: string;
  merchantId: string;
  locale: Locale;
  category: Category;
  /** `organic[+trap...]` or the attacker styles joined with `+`. */
  scenario: string;
  /** This generator's `AttackStyle`s, or the held-out model's `ho_` styles when `heldOut`. */
  attackStyles: string[];
  traps: string[];
  startTs: number;
  endTs: number;
  labels: RoomLabels;
  expectedAudit: ExpectedSalesAudit;
  events: RoomEvent[];
  /** Set on rooms of the independent held-out attacker model (`tools/simulator/heldout/`). */
  heldOut?: boolean;
}

export interface SimulatedEvening {
  seed: number;
  rooms: SimulatedRoom[];
  /** (v2) Events of no room: account registrations, coupons claimed outside rooms. */
  accountEvents: RoomEvent[];
  /** Every room's events and the account events merged in event-time order. */
  events: RoomEvent[];
  /** (v2) Operators across rooms and honest sharers (`truth.ts`); absent where a generator fills none. */
  truth?: EveningTruth;
  /** (issue 14) The rings' shop streams (`rings.ts`): in `events`, not in `rooms`, scored by the ring rows only. */
  ringShops?: SimulatedRoom[];
}

/** 2026-11-20 19:00 in China (UTC+8): prime time for live shopping. */
export const DEFAULT_EVENING_START = Date.UTC(2026, 10, 20, 11, 0, 0);

const MINUTE = 60_000;

/** Attacker infrastructure that outlives one room: it works the whole evening. */
interface EveningUnderground {
  phoneFarm: SimAccount[];
  agedViewers: SimAccount[];
  brusherRings: SimAccount[][];
  agedFarm: SimAccount[];
  cloudPhones: CloudPhoneFarm;
  /** The city's parcel lockers: honest buyers of every room ship to them, and so does the brushing studio. */
  pickupPoints: string[];
  studio: SimAccount[];
  kickbackCrew: SimAccount[];
  taskWorkers: SimAccount[];
  /** (v2) The evening's scalper operation and its fast-fingered honest regulars (`flash-sales.ts`). */
  flashSales: FlashSaleEvening | null;
}

/**
 * A room's own stream for the order styles and traps added after the rest
 * (issue 10), seeded by the evening and the room's slot, so they never shift
 * the draws the room made before them.
 */
function orderStream(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ 0x6f726473) >>> 0);
}

export function generateEvening(options: EveningOptions): SimulatedEvening {
  const roomCount = options.rooms ?? 40;
  const startTs = options.startTs ?? DEFAULT_EVENING_START;
  const attackShare = options.attackShare ?? 0.4;
  const audienceScale = options.audienceScale ?? 1;
  const rng = new Rng(options.seed);
  const ids = new IdRegistry(rng.fork());
  const populationRng = rng.fork();
  const population = new OrganicPopulation(populationRng, ids, startTs);
  const regulars: Record<Locale, SimAccount[]> = {
    zh: Array.from({ length: Math.max(20, roomCount * 60) }, () => population.create('zh')),
    en: Array.from({ length: Math.max(10, roomCount * 15) }, () => population.create('en')),
  };
  const undergroundRng = rng.fork();
  const underground: EveningUnderground = {
    phoneFarm: phoneFarm(undergroundRng, ids, startTs, undergroundRng.int(150, 300)),
    agedViewers: agedPackage(undergroundRng, ids, startTs, undergroundRng.int(80, 160), 'zh'),
    brusherRings: Array.from({ length: 3 }, () => brusherRing(undergroundRng, ids, startTs, 'zh')),
    agedFarm: agedFarm(undergroundRng, ids, startTs, undergroundRng.int(120, 220), 'zh'),
    cloudPhones: cloudPhoneFarm(undergroundRng, ids, startTs, undergroundRng.int(8, 40), undergroundRng.int(1_500, 3_000)),
    pickupPoints: [],
    studio: [],
    kickbackCrew: [],
    taskWorkers: [],
    flashSales: null,
  };
  const orderRng = orderStream(options.seed, -1);
  const orderIds = ids.branch(orderRng.fork());
  underground.pickupPoints = Array.from({ length: 25 }, () => orderIds.addressHash());
  underground.studio = brushingStudio(orderRng, orderIds, startTs, underground.pickupPoints);
  underground.kickbackCrew = kickbackCrew(orderRng, orderIds, startTs);
  underground.taskWorkers = taskPlatformWorkers(orderRng, orderIds, startTs, orderRng.int(20, 30));
  underground.flashSales = newFlashSaleEvening(options.seed, orderIds.branch(orderStream(options.seed, -2)), startTs, underground.pickupPoints);
  const truth = emptyTruth();
  // Celebrities touring tonight's rooms, each followed by their fans.
  const fanClubs = Array.from({ length: 3 }, () => Array.from({ length: populationRng.int(60, 200) }, () => population.create('zh')));

  const attackedCount = Math.min(roomCount, Math.round(roomCount * attackShare));
  const attackedSlots = new Set(rng.shuffle(Array.from({ length: roomCount }, (_, index) => index)).slice(0, attackedCount));
  const rooms: SimulatedRoom[] = [];
  const storefront = newEveningStorefront(options.seed);
  const promotions = newEveningPromotions(options.seed, ids, startTs);
  const accountEvents: RoomEvent[] = [];
  let attackIndex = 0;
  let organicIndex = 0;
  for (let index = 0; index < roomCount; index++) {
    const roomRng = rng.fork();
    const attacked = attackedSlots.has(index);
    const styles: AttackStyle[] = attacked ? [...(ATTACK_PLANS[attackIndex++ % ATTACK_PLANS.length] ?? [])] : [];
    // (v2) Every third attacked room is also struck by the evening's scalper operation, its styles in turn.
    if (attacked && attackIndex % 3 === 2) styles.push(SCALPER_STYLES[Math.floor(attackIndex / 3) % SCALPER_STYLES.length] as ScalperStyle);
    const traps = attacked ? randomTraps(roomRng) : organicTraps(roomRng, organicIndex++);
    const generated = generateRoom({
      rng: roomRng,
      ids,
      orderIds,
      population,
      regulars,
      fanClubs,
      underground,
      storefront,
      promotions,
      index,
      organicIndex: attacked ? null : organicIndex - 1,
      seed: options.seed,
      eveningStart: startTs,
      audienceScale,
      styles,
      traps,
    });
    rooms.push(generated.room);
    accountEvents.push(...generated.accountEvents);
    truth.scalperOrders.push(...generated.scalperOrders);
  }
  accountEvents.push(...promotions.accountEvents);
  truth.bulkRegistered.push(...[...promotions.bulkRegistered].sort());
  truth.cashOutMerchants.push(...[...new Set(promotions.cashOutMerchants)].sort());
  truth.honestTwinMerchants.push(...[...new Set(promotions.honestTwinMerchants)].sort());
  // Rings and honest sharers across the rooms (issue 14), on a stream of their own (-2 is the flash sales') so no earlier draw moves.
  const ringRng = orderStream(options.seed, -3);
  const ringed = addRingsAndSharers({ rng: ringRng, ids: ids.branch(ringRng.fork()), rooms, startTs, seed: options.seed });
  accountEvents.push(...ringed.accountEvents);
  accountEvents.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  truth.rings.push(...ringed.truth.rings);
  truth.honestSharers.push(...ringed.truth.honestSharers);
  truth.bulkRegistered.push(...ringed.truth.bulkRegistered);

  return { seed: options.seed, rooms, ringShops: ringed.shops, accountEvents, events: mergeEvening([...rooms, ...ringed.shops], accountEvents), truth };
}

/** Every room's events and the evening's account events in ts order (ties: rooms in order, then account events). */
export function mergeEvening(rooms: readonly SimulatedRoom[], accountEvents: readonly RoomEvent[]): RoomEvent[] {
  return mergeByTime([...rooms.map((room) => room.events), [...accountEvents]]);
}

/** Merges per-room streams already in ts order; ties go to the earlier room, so the result is deterministic. */
export function mergeByTime(streams: readonly RoomEvent[][]): RoomEvent[] {
  const merged: RoomEvent[] = [];
  const cursors = streams.map(() => 0);
  for (;;) {
    let best = -1;
    let bestTs = Infinity;
    streams.forEach((stream, index) => {
      const event = stream[cursors[index] ?? 0];
      if (event && event.ts < bestTs) {
        best = index;
        bestTs = event.ts;
      }
    });
    if (best < 0) return merged;
    merged.push(streams[best]?.[cursors[best] ?? 0] as RoomEvent);
    cursors[best] = (cursors[best] ?? 0) + 1;
  }
}

interface RoomPlan {
  /** `lateSettlement`: orders placed before the anchor's claim are paid a minute or more after it. */
  traps: OrganicTraps & { apparel: boolean; lateSettlement: boolean };
}

/**
 * Spreads the honest traps so every small evening has each of them in an
 * organic room: the moments cycle over four rooms, the crowds and late
 * settlement over six, the chat moments over five, the celebrity guest and
 * the sign-up draw over seven.
 */
function organicTraps(rng: Rng, organicIndex: number): RoomPlan['traps'] {
  const lane = organicIndex % 4;
  const crowd = organicIndex % 6;
  const guest = organicIndex % 7;
  return {
    luckyBag: lane === 0 || rng.chance(0.15),
    chants: lane === 1 ? rng.int(2, 4) : rng.chance(0.6) ? rng.int(1, 3) : 0,
    flashSales: lane === 2 ? rng.int(1, 3) : rng.chance(0.4) ? rng.int(1, 2) : 0,
    viralSurge: lane === 3 || rng.chance(0.15),
    apparel: lane === 3 || rng.chance(0.25),
    growthCampaign: crowd === 0 || rng.chance(0.1),
    officeWifi: crowd === 1 || rng.chance(0.08),
    campusNetwork: crowd === 2 || rng.chance(0.08),
    households: crowd === 3 ? rng.int(4, 8) : rng.chance(0.4) ? rng.int(1, 3) : 0,
    carrierNat: crowd === 4 || rng.chance(0.1),
    lateSettlement: crowd === 5 || rng.chance(0.15),
    celebrityDropIn: guest === 0 || rng.chance(0.1),
    giveawaySignups: guest === 3 || rng.chance(0.1),
    ...chatTraps(rng, organicIndex % 5, 0.15),
  };
}

/** The honest chat moments: one of them for sure in its lane (0-4; -1 none), each of the others by chance. */
function chatTraps(rng: Rng, lane: number, chance: number): Pick<RoomPlan['traps'], 'repeatedQuestions' | 'copiedComments' | 'giveawayKeyword' | 'cheers' | 'multilingual'> {
  return {
    repeatedQuestions: lane === 0 || rng.chance(chance * 2),
    copiedComments: lane === 1 ? rng.int(1, 3) : rng.chance(chance * 2) ? 1 : 0,
    giveawayKeyword: lane === 2 || rng.chance(chance),
    cheers: lane === 3 ? rng.int(1, 3) : rng.chance(chance) ? 1 : 0,
    multilingual: lane === 4 || rng.chance(chance / 2),
  };
}

function randomTraps(rng: Rng): RoomPlan['traps'] {
  return {
    luckyBag: rng.chance(0.2),
    chants: rng.chance(0.5) ? rng.int(1, 3) : 0,
    flashSales: rng.chance(0.4) ? rng.int(1, 2) : 0,
    viralSurge: rng.chance(0.1),
    apparel: rng.chance(0.25),
    growthCampaign: rng.chance(0.1),
    officeWifi: rng.chance(0.05),
    campusNetwork: rng.chance(0.05),
    households: rng.chance(0.4) ? rng.int(1, 3) : 0,
    carrierNat: rng.chance(0.1),
    lateSettlement: rng.chance(0.1),
    celebrityDropIn: rng.chance(0.1),
    giveawaySignups: rng.chance(0.1),
    ...chatTraps(rng, -1, 0.15),
  };
}

interface RoomInput {
  rng: Rng;
  ids: IdRegistry;
  /** Ids for the order styles' accounts (issue 10), from their own stream. */
  orderIds: IdRegistry;
  /** Position among the evening's honest rooms; null for an attacked room. */
  organicIndex: number | null;
  population: OrganicPopulation;
  regulars: Record<Locale, SimAccount[]>;
  fanClubs: SimAccount[][];
  underground: EveningUnderground;
  storefront: EveningStorefront;
  promotions: EveningPromotions;
  index: number;
  seed: number;
  eveningStart: number;
  audienceScale: number;
  styles: AttackStyle[];
  traps: RoomPlan['traps'];
}

const CATEGORIES: readonly (readonly [Category, number])[] = [
  ['beauty', 25],
  ['food', 20],
  ['home', 20],
  ['electronics', 15],
  ['jewelry', 10],
  ['apparel', 10],
];

function generateRoom(input: RoomInput): { room: SimulatedRoom; accountEvents: RoomEvent[]; scalperOrders: string[] } {
  const { rng, ids, styles } = input;
  const traps = { ...input.traps };
  const has = (style: AttackStyle): boolean => styles.includes(style);
  // Inflating by list price needs deep live discounts; brushing a merchant team needs flash sales to grab.
  if (has('gmv_list_price') || has('merchant_team') || has('merchant_flash_team') || has('gmv_flash_list_price')) traps.flashSales = Math.max(traps.flashSales, 2);
  // Counting refunds only flatters a room that has refunds.
  if (has('gmv_counts_refunds') && !has('hired_brusher_ring') && !has('merchant_team')) traps.apparel = true;

  // The evening's farms and brusher rings work the Chinese-language rooms.
  const usesUnderground =
    has('phone_farm') ||
    has('aged_viewer_package') ||
    has('hired_brusher_ring') ||
    has('aged_farm') ||
    has('cloud_phone_farm') ||
    has('brushing_studio') ||
    has('kickback_crew') ||
    has('task_workers');
  const englishRoom = rng.chance(0.2);
  const locale: Locale = englishRoom && !usesUnderground ? 'en' : 'zh';
  const category: Category = traps.apparel ? 'apparel' : rng.weighted(CATEGORIES);
  const merchantId = `m${rng.digits(8)}`;
  const roomId = `rm${rng.digits(9)}`;
  const streamId = `st-${input.seed}-${String(input.index).padStart(3, '0')}-${rng.hex(6)}`;
  // A slow drip needs a long stream to post more than a couple of times per account.
  const minMinutes = has('slow_drip') ? 45 : traps.luckyBag ? 35 : 20;
  const startTs = input.eveningStart + Math.round(rng.uniform(0, 150)) * MINUTE + rng.int(0, 59) * 1_000;
  const endTs = startTs + Math.round(rng.uniform(minMinutes, 90) * MINUTE);
  const room = new RoomBuilder(
    {
      roomId,
      streamId,
      merchantId,
      anchorId: `a${rng.digits(9)}`,
      startTs,
      endTs,
      currency: locale === 'zh' ? 'CNY' : 'USD',
      locale,
      category,
      skus: makeSkus(rng, merchantId, category, rng.int(6, 14)),
      orderPrefix: ids.orderPrefix(),
    },
    rng,
  );
  room.displayedMultiplier = rng.uniform(1.05, 1.45);
  room.displayedLagMs = rng.int(5, 15) * 1_000;

  const profile = planOrganicProfile(rng, room, traps, input.audienceScale);
  // The touring celebrities draw Chinese-speaking fans.
  const audience = { population: input.population, regulars: input.regulars[locale], fanClubs: locale === 'zh' ? input.fanClubs : [] };
  const organicSessions = simulateAudience(room, audience, profile);

  const labelled = Object.fromEntries(REPORT_KINDS.map((kind) => [kind, new Set<string>()])) as Record<ReportKind, Set<string>>;
  const kinds = new Set<ReportKind>();
  const mark = (kind: ReportKind, accounts: readonly string[]): void => {
    kinds.add(kind);
    for (const account of accounts) labelled[kind].add(account);
  };
  const now = startTs;
  let farm: SimAccount[] = [];
  const orderRng = orderStream(input.seed, input.index);

  for (const style of styles) {
    switch (style) {
      case 'emulator_farm':
        farm = emulatorFarm(rng, ids, now, rng.int(150, 450));
        mark('injected_viewers', emulatorFarmJoins(room, farm));
        break;
      case 'phone_farm':
        mark('injected_viewers', phoneFarmWaves(room, input.underground.phoneFarm));
        break;
      case 'aged_viewer_package':
        mark('injected_viewers', agedPackageLockstep(room, input.underground.agedViewers));
        break;
      case 'trickle_farm':
        mark('injected_viewers', trickleFarmJoins(room, trickleFarm(rng, ids, now, rng.int(120, 300), locale)));
        break;
      case 'aged_farm':
        mark('injected_viewers', agedFarmBatches(room, input.underground.agedFarm));
        break;
      case 'cloud_phone_farm':
        mark('injected_viewers', cloudPhoneRotation(room, input.underground.cloudPhones));
        break;
      case 'all_in_one_farm': {
        const { viewers, posters } = allInOneFarmRoom(room, allInOneFarm(rng, ids, now, rng.int(200, 450)));
        mark('injected_viewers', viewers);
        mark('scripted_comments', posters);
        break;
      }
      case 'displayed_count_only':
        inflateDisplayedCount(room, profile.peakViewers);
        mark('injected_viewers', []);
        break;
      case 'identical_interval_comments': {
        // A farm that already sits in the room is the cheapest comment source.
        const joinedFarm = farm.filter((account) => labelled.injected_viewers.has(account.accountId));
        const cohort = joinedFarm.length > 0 ? rng.sample(joinedFarm, rng.int(10, 30)) : chatCohort(rng, ids, now, rng.int(12, 40), locale);
        mark('scripted_comments', identicalComments(room, cohort));
        break;
      }
      case 'template_comments':
        mark('scripted_comments', templatedComments(room, chatCohort(rng, ids, now, rng.int(20, 60), locale)));
        break;
      case 'human_like_comments':
        mark('scripted_comments', humanLikeComments(room, agedPackage(rng, ids, now, rng.int(15, 40), locale)));
        break;
      case 'periodic_posters':
        mark('scripted_comments', periodicPosters(room, ordinaryLooking(rng, ids, now, rng.int(3, 6), locale)));
        break;
      case 'spun_templates':
        mark('scripted_comments', spunTemplates(room, commentAccounts(input, ['fresh', 'proxyPool', 'agedPackage', 'phoneFarm'], rng.int(15, 50), locale)));
        break;
      case 'relay_questions':
        mark('scripted_comments', relayQuestions(room, commentAccounts(input, ['agedPackage', 'ordinary', 'proxyPool', 'phoneFarm'], rng.int(5, 12), locale)));
        break;
      case 'relay_chain':
        mark('scripted_comments', relayChain(room, commentAccounts(input, ['proxyPool', 'fresh', 'agedPackage'], rng.int(20, 60), locale)));
        break;
      case 'pool_rotation':
        mark('scripted_comments', poolRotation(room, commentAccounts(input, ['ordinary', 'agedPackage', 'proxyPool'], rng.int(8, 25), locale)));
        break;
      case 'slow_drip':
        mark('scripted_comments', slowDrip(room, commentAccounts(input, ['proxyPool', 'fresh', 'agedPackage'], rng.int(10, 40), locale)));
        break;
      case 'mass_pool':
        mark('scripted_comments', massPool(room, commentAccounts(input, ['proxyPool', 'proxyPool', 'fresh'], rng.int(150, 400), locale)));
        break;
      case 'hired_brusher_ring':
        // Two of the evening's three rings per room, so every ring works several rooms and merchants.
        for (const ring of rng.sample(input.underground.brusherRings, 2)) mark('refund_brushing', ringBrushing(room, ring));
        break;
      case 'merchant_team':
        mark('refund_brushing', merchantTeamBrushing(room, merchantStaff(rng, ids, now, locale), profile.flashSales));
        break;
      case 'brushing_studio':
        mark('refund_brushing', studioBrushing(room, input.underground.studio, orderRng));
        break;
      case 'kickback_crew':
        mark('refund_brushing', kickbackBrushing(room, input.underground.kickbackCrew, orderRng));
        break;
      case 'task_workers':
        mark('refund_brushing', taskWorkerBrushing(room, input.underground.taskWorkers, orderRng));
        break;
      case 'merchant_flash_team':
        mark('refund_brushing', merchantFlashBrushing(room, merchantFlashStaff(orderRng, input.orderIds, now, locale), profile.flashSales, orderRng));
        break;
      case 'gmv_counts_refunds':
      case 'gmv_list_price':
      case 'gmv_counts_unpaid':
      case 'gmv_claim_before_refunds':
      case 'gmv_flash_list_price':
        mark('inflated_gmv', []);
        break;
      default:
        // Scalper styles strike the room's limited drop, played with the honest rush below.
        break;
    }
  }

  playOrganicMoments(room, organicSessions, profile, input.population);
  // v2 facts on the honest traffic, drawn apart from the room's generator (storefront.ts).
  const storefront = new Storefront(room, organicSessions, input.storefront);
  storefront.announceFlashSales(profile.flashSales);
  const orderTraps = input.organicIndex === null ? NO_ORDER_TRAPS : orderTrapsFor(orderRng, input.organicIndex);
  playOrderTraps(room, organicSessions, profile, orderTraps, orderRng);
  const honestBuyers = new Set(organicSessions.map((session) => session.account.accountId));
  shipToPickupPoints(
    room.orders.filter((order) => honestBuyers.has(order.account.accountId)),
    input.underground.pickupPoints,
    orderRng,
  );

  // (v2) A limited drop: in every scalper room, and as an honest rush in every third honest room.
  const scalperStyle = styles.find((style): style is ScalperStyle => (SCALPER_STYLES as readonly string[]).includes(style)) ?? null;
  const honestRush = input.organicIndex !== null && input.organicIndex % 3 === 1;
  let scalperOrders: string[] = [];
  if ((scalperStyle !== null || honestRush) && input.underground.flashSales) {
    const drop = playLimitedDrop(room, organicSessions, input.underground.flashSales, scalperStyle);
    if (scalperStyle !== null) mark('scalper_bot', drop.scalpers);
    scalperOrders = drop.scalperOrders;
  }

  if (has('gmv_counts_unpaid') && organicSessions.length > 0) {
    // A room that publishes placed GMV is one where big carts often go unpaid.
    const expensive = [...room.setup.skus].sort((a, b) => b.livePrice - a.livePrice).slice(0, 2);
    const abandon = Math.max(8, Math.round(room.orders.length * rng.uniform(0.12, 0.25)));
    for (let i = 0; i < abandon; i++) {
      const session = rng.pick(organicSessions);
      const sku = rng.pick(expensive);
      const placedAt = rng.uniform(session.joinAt, Math.min(session.leaveAt, endTs - 1_000));
      placeHonestOrder(room, session.account, placedAt, sku, sku.livePrice, rng.int(1, 3), 0, 1);
    }
  }

  // Coupons change what honest orders pay, so they are used before the room publishes its sales.
  storefront.couponDrop();
  storefront.signUpsAndWelcomeCoupons();
  // Campaigns, wool parties and shops (promotions.ts) sell before the claim too; their v2 fields are settled after the storefront's.
  const promotions = playPromotions(input.promotions, room, organicSessions, styles, input.organicIndex, mark);

  const claimStyle: ClaimStyle | null = has('gmv_claim_before_refunds')
    ? 'before_refunds'
    : has('gmv_flash_list_price')
      ? 'flash_at_list_price'
      : has('gmv_counts_refunds')
        ? 'counts_refunds'
        : has('gmv_list_price')
          ? 'list_price'
          : has('gmv_counts_unpaid')
            ? 'counts_unpaid'
            : rng.weighted<ClaimStyle | null>([
                [null, 25],
                ['honest_exact', 45],
                ['honest_rounded', 30],
              ]);
  const honestClaim = claimStyle === 'honest_exact' || claimStyle === 'honest_rounded';
  const settlesLate = traps.lateSettlement && organicSessions.length > 0 && (honestClaim || claimStyle === null);
  if (settlesLate) {
    // The anchor announces the total right after the stream while the last-minute orders are still being paid.
    const claimAt = endTs + rng.uniform(0.3, 2) * MINUTE;
    settleAfterClaim(room, organicSessions, claimAt);
    room.claim = salesClaim(rng, room.orders, claimStyle ?? 'honest_exact', claimAt);
  } else if (claimStyle === 'before_refunds') {
    room.claim = salesClaim(orderRng, room.orders, claimStyle, endTs + orderRng.uniform(1, 5) * MINUTE);
  } else if (claimStyle) {
    room.claim = salesClaim(rng, room.orders, claimStyle, endTs + rng.uniform(1, 10) * MINUTE);
  } else if (orderTraps.payLater || orderTraps.resentClaims || orderTraps.flooredClaim) {
    // The claim traps need a claim: an honest one, timed from the room's order stream.
    room.claim = salesClaim(orderRng, room.orders, 'honest_exact', endTs + orderRng.uniform(1, 10) * MINUTE);
  }
  playClaimTraps(room, orderTraps, orderRng);

  storefront.describeHonestOrders();
  promotions.settle();
  const events = room.finish();
  const trapNames = [
    traps.luckyBag ? 'lucky_bag' : null,
    traps.chants > 0 ? 'chant' : null,
    traps.flashSales > 0 ? 'flash_sale' : null,
    traps.viralSurge ? 'viral_surge' : null,
    category === 'apparel' ? 'apparel_refunds' : null,
    traps.growthCampaign ? 'growth_campaign' : null,
    traps.officeWifi ? 'office_wifi' : null,
    traps.campusNetwork ? 'campus_network' : null,
    traps.households > 0 ? 'household' : null,
    traps.carrierNat ? 'carrier_nat' : null,
    settlesLate ? 'late_settlement' : null,
    traps.repeatedQuestions ? 'repeated_questions' : null,
    traps.copiedComments > 0 ? 'copied_comment' : null,
    traps.giveawayKeyword ? 'giveaway_keyword' : null,
    traps.cheers > 0 ? 'cheer_wave' : null,
    traps.multilingual ? 'multilingual_chat' : null,
    profile.celebrity && audience.fanClubs.length > 0 ? 'celebrity_dropin' : null,
    profile.signups ? 'giveaway_signups' : null,
    honestRush ? 'honest_rush' : null,
    ...orderTrapNames(orderTraps).filter(
      (name) =>
        (name !== 'company_orders' || profile.crowds.turnedOut.office.length > 0) &&
        (name !== 'household_returns' || profile.crowds.turnedOut.households.length > 0) &&
        (!['pay_later', 'resent_claims', 'floored_claim'].includes(name) || room.claim !== null),
    ),
    ...promotions.traps,
  ].filter((name): name is string => name !== null);
  const accounts = Object.fromEntries(REPORT_KINDS.map((kind) => [kind, [...labelled[kind]].sort()])) as Record<ReportKind, string[]>;
  const simulated: SimulatedRoom = {
    roomId,
    streamId,
    merchantId,
    locale,
    category,
    scenario: styles.length > 0 ? styles.join('+') : ['organic', ...trapNames].join('+'),
    attackStyles: styles,
    traps: trapNames,
    startTs,
    endTs,
    labels: { kinds: REPORT_KINDS.filter((kind) => kinds.has(kind)), accounts },
    expectedAudit: {
      roomId,
      streamId,
      merchantId,
      currency: room.orders.length > 0 ? room.setup.currency : null,
      claimed: room.claim ? { gmv: room.claim.gmv, orders: room.claim.orders } : null,
      verified: verifiedSales(room.orders),
    },
    events,
  };
  return { room: simulated, accountEvents: storefront.accountEvents, scalperOrders };
}

/** Where a comment campaign gets its accounts; each source leaves different traces (or, `ordinary`, none but timing). */
type CommentAccountSource = 'fresh' | 'proxyPool' | 'agedPackage' | 'phoneFarm' | 'ordinary';

function commentAccounts(input: RoomInput, sources: readonly CommentAccountSource[], size: number, locale: Locale): SimAccount[] {
  const { rng, ids } = input;
  const now = input.eveningStart;
  switch (rng.pick(sources)) {
    case 'fresh':
      return chatCohort(rng, ids, now, size, locale);
    case 'proxyPool':
      return proxyPoolAccounts(rng, ids, now, size, locale);
    case 'agedPackage':
      return agedPackage(rng, ids, now, size, locale);
    case 'phoneFarm':
      // The evening's phone farm rents its accounts out for comments too.
      return rng.sample(input.underground.phoneFarm, size);
    case 'ordinary':
      return ordinaryLooking(rng, ids, now, size, locale);
  }
}

/**
 * A last call before the stream ends: viewers still present order, and a
 * share of those orders (and of the orders placed in the final minutes)
 * settles a minute or more after the anchor's claim, which counts them.
 */
function settleAfterClaim(room: RoomBuilder, sessions: readonly ViewerSession[], claimAt: number): void {
  const rng = room.rng;
  const { endTs } = room;
  const lastCall = endTs - rng.uniform(2, 5) * MINUTE;
  const stillHere = sessions.filter((session) => session.joinAt < lastCall && session.leaveAt > endTs - 10_000);
  const lastCallOrders = new Set<LedgerOrder>();
  for (let i = 0, orders = Math.min(stillHere.length, rng.int(6, 16)); i < orders; i++) {
    const session = rng.pick(stillHere);
    const sku = rng.pick(room.setup.skus);
    lastCallOrders.add(room.order(session.account, rng.uniform(lastCall, endTs - 10_000), sku, sku.livePrice, rng.int(1, 2), { paidAt: null, refundedAt: null }));
  }
  for (const order of room.orders) {
    if (order.placedAt < lastCall - 3 * MINUTE || order.placedAt >= claimAt) continue;
    // Carts abandoned for good stay unpaid; of the orders already paid in time, half keep their time.
    if (order.paidAt === null && !lastCallOrders.has(order)) continue;
    if (order.paidAt !== null && order.paidAt < claimAt && rng.chance(0.5)) continue;
    // Bank transfers and pay-later checks clear after the announcement; refunds still come days later.
    order.paidAt = Math.round(claimAt + rng.uniform(1, 10) * MINUTE);
    if (order.refundedAt !== null && order.refundedAt <= order.paidAt) order.refundedAt = order.paidAt + rng.int(1, 3) * 86_400_000;
  }
}

import type { RoomEvent } from '../../../src/events/event.schema.js';
import { REPORT_KINDS, type ReportKind } from '../../../src/detection/engine/finding.js';
import type { Category, Locale } from '../catalog.js';
import type { RoomLabels } from '../generator.js';
import type { TrueRing } from '../truth.js';
import { Rng } from '../prng.js';
import {
  agedAccountDrip,
  cloudPhoneRotation,
  countOnlySmooth,
  launchWaveTestimonials,
  merchantStaffFlash,
  operatorPlaylist,
  partialRefundKickback,
  praiseRotation,
  questionRelay,
  rackWaves,
  sparsePlaylist,
  studioBrushing,
  taskPlatformWorkers,
  Underground,
} from './attackers.js';
import { claimFigures, ledgerAudit, type ClaimRule, type HeldOutAudit } from './claims.js';
import {
  campusClass,
  celebrityDropIn,
  CLAIM_DELAY_MS,
  familyTablet,
  flashRush,
  flashStampede,
  growthCampaign,
  HONEST_TRAPS,
  honestActivity,
  honestAudience,
  hostPoll,
  keywordGiveaway,
  officeLaunch,
  sharedLinkFriends,
  sizeBracketing,
  type AudienceProfile,
  type HonestTrap,
  type RoomContext,
} from './honest.js';
import { V2_STYLES_BY_KIND } from './v2-styles.js';
import { HoStream, ViewingCalendar, type HoSession, type HoSku, type Segment } from './stream.js';
import { HoIds, honestAccount, HOUR, MINUTE, SECOND, type HoAccount } from './world.js';

export { HONEST_TRAPS, type HonestTrap } from './honest.js';
export type { HeldOutAudit, HeldOutVerifiedSales } from './claims.js';

/**
 * Attacker styles of the held-out model by the kind they commit. Kinds this
 * model does not simulate get no styles.
 */
const STYLES_BY_KIND = {
  injected_viewers: ['ho_cloud_phone_rotation', 'ho_aged_account_drip', 'ho_rack_waves', 'ho_count_only_smooth'],
  scripted_comments: ['ho_praise_rotation', 'ho_launch_wave_testimonials', 'ho_question_relay', 'ho_sparse_playlist'],
  refund_brushing: ['ho_studio_shared_address', 'ho_merchant_staff_flash', 'ho_task_platform_workers', 'ho_partial_refund_kickback'],
  inflated_gmv: ['ho_claim_placed_gmv', 'ho_claim_padded', 'ho_claim_list_price_all_paid', 'ho_claim_before_refunds'],
} as const;

export type HeldOutStyle = (typeof STYLES_BY_KIND)[keyof typeof STYLES_BY_KIND][number];

/** Every held-out style by kind: the rooms' styles above and the v2 traffic's (`v2-styles.ts`). */
export const HELD_OUT_STYLES: Record<ReportKind, readonly string[]> = Object.fromEntries(
  REPORT_KINDS.map((kind): [ReportKind, readonly string[]] => [
    kind,
    [...((STYLES_BY_KIND as Partial<Record<string, readonly string[]>>)[kind] ?? []), ...((V2_STYLES_BY_KIND as Partial<Record<string, readonly string[]>>)[kind] ?? [])],
  ]),
) as Record<ReportKind, readonly string[]>;

const KIND_OF_STYLE = new Map<string, ReportKind>(
  [...Object.entries(STYLES_BY_KIND), ...Object.entries(V2_STYLES_BY_KIND)].flatMap(([kind, styles]) => styles.map((style) => [style, kind as ReportKind] as const)),
);

/** The kind a held-out style commits, or undefined for a name that is not one. */
export function heldOutStyleKind(style: string): ReportKind | undefined {
  return KIND_OF_STYLE.get(style);
}

/**
 * Attacked rooms take these plans in turn, so a dozen rooms cover every
 * style and twenty cover the usual pairings (a rack that also posts, a
 * studio's refunds behind a pre-refund claim).
 */
const ATTACK_PLANS: readonly (readonly HeldOutStyle[])[] = [
  ['ho_cloud_phone_rotation'],
  ['ho_praise_rotation'],
  ['ho_studio_shared_address', 'ho_claim_before_refunds'],
  ['ho_count_only_smooth'],
  ['ho_question_relay'],
  ['ho_merchant_staff_flash', 'ho_claim_list_price_all_paid'],
  ['ho_claim_placed_gmv'],
  ['ho_partial_refund_kickback'],
  ['ho_aged_account_drip'],
  ['ho_launch_wave_testimonials'],
  ['ho_task_platform_workers'],
  ['ho_rack_waves', 'ho_sparse_playlist'],
  ['ho_claim_padded'],
  ['ho_cloud_phone_rotation', 'ho_question_relay'],
  ['ho_sparse_playlist'],
  ['ho_studio_shared_address'],
  ['ho_aged_account_drip', 'ho_praise_rotation'],
  ['ho_rack_waves'],
  ['ho_merchant_staff_flash'],
  ['ho_count_only_smooth', 'ho_claim_padded'],
  ['ho_task_platform_workers', 'ho_claim_before_refunds'],
  ['ho_partial_refund_kickback', 'ho_claim_placed_gmv'],
];

export interface HeldOutRoom {
  roomId: string;
  streamId: string;
  merchantId: string;
  locale: Locale;
  category: Category;
  /** `organic[+trap...]` or the attacker styles joined with `+`. */
  scenario: string;
  attackStyles: string[];
  traps: string[];
  startTs: number;
  endTs: number;
  labels: RoomLabels;
  expectedAudit: HeldOutAudit;
  events: RoomEvent[];
  heldOut: true;
  /** The earlier stream of the same room tonight, when this is the room going live again. */
  rerunOf?: string;
}

export interface HeldOutOptions {
  seed: number;
  /** Event time of the evening's first possible stream start. */
  startTs: number;
  rooms: number;
}

export function generateHeldOutRooms(options: HeldOutOptions): HeldOutRoom[] {
  return generateHeldOutRoomsWithRings(options).rooms;
}

/**
 * The same rooms, and (v2 truth) the evening's linked operators as rings:
 * each cloud-phone service, rack and studio with the accounts of it that
 * took part in a room.
 */
export function generateHeldOutRoomsWithRings(options: HeldOutOptions): { rooms: HeldOutRoom[]; rings: TrueRing[]; honestSharers: string[] } {
  if (!Number.isInteger(options.rooms) || options.rooms < 0) throw new Error(`rooms: must be a non-negative integer, got ${options.rooms}`);
  if (!Number.isSafeInteger(options.startTs) || options.startTs < 0) throw new Error(`startTs: must be epoch milliseconds, got ${options.startTs}`);
  if (!Number.isFinite(options.seed)) throw new Error(`seed: must be a number, got ${options.seed}`);
  // Salted so seed 7 here shares no draws with the main simulator's seed 7.
  const rng = new Rng((Math.imul(options.seed | 0, 0x2c1b3c6d) ^ 0x686f6c64) >>> 0);
  const ids = new HoIds(rng.fork());
  const underground = new Underground(rng.fork(), ids, options.startTs);
  const populationRng = rng.fork();
  const regulars: Record<Locale, HoAccount[]> = {
    zh: Array.from({ length: Math.max(30, options.rooms * 30) }, () => honestAccount(populationRng, ids, 'zh', options.startTs)),
    en: Array.from({ length: Math.max(10, options.rooms * 8) }, () => honestAccount(populationRng, ids, 'en', options.startTs)),
  };
  const attackedCount = Math.floor(options.rooms / 2);
  const attacked = new Set(rng.shuffle(Array.from({ length: options.rooms }, (_, index) => index)).slice(0, attackedCount));
  const calendar = new ViewingCalendar();
  const rooms: HeldOutRoom[] = [];
  const honestSharers: string[] = [];
  const identities = new Map<string, RoomIdentity>();
  let attackIndex = 0;
  let honestIndex = 0;
  for (let index = 0; index < options.rooms; index++) {
    const roomRng = rng.fork();
    const isAttacked = attacked.has(index);
    // Rooms go live again later the same night: a new stream of the same room, merchant and audience.
    const earlier = rooms.filter((room) => room.attackStyles.length > 0 === isAttacked && room.rerunOf === undefined);
    const rerun = earlier.length > 0 && roomRng.chance(0.12) ? roomRng.pick(earlier) : null;
    const styles = rerun ? (rerun.attackStyles as HeldOutStyle[]) : isAttacked ? [...(ATTACK_PLANS[attackIndex++ % ATTACK_PLANS.length] ?? [])] : [];
    const traps = styles.length > 0 ? attackedRoomTraps(roomRng, styles) : honestRoomTraps(roomRng, honestIndex++);
    const identity = rerun ? { ...(identities.get(rerun.streamId) as RoomIdentity), notBefore: rerun.endTs + roomRng.int(2, 5) * HOUR, rerunOf: rerun.streamId } : null;
    const room = generateRoom({ rng: roomRng, ids, underground, regulars, calendar, eveningStart: options.startTs, styles: [...styles], traps, identity });
    identities.set(room.heldOutRoom.streamId, room.identity);
    rooms.push(room.heldOutRoom);
    honestSharers.push(...room.sharers);
  }
  const culprits = new Set(rooms.flatMap((room) => Object.values(room.labels.accounts).flat()));
  const rings = underground
    .linkedOperators()
    .map((operator) => ({ style: operator.style, members: operator.accounts.map((account) => account.accountId).filter((account) => culprits.has(account)).sort(), heldOut: true }))
    .filter((ring) => ring.members.length >= 3);
  return { rooms, rings, honestSharers: [...new Set(honestSharers)].sort() };
}

/** What stays the same when a room goes live again. */
interface RoomIdentity {
  roomId: string;
  merchantId: string;
  anchorId: string;
  locale: Locale;
  category: Category;
}

/** Two traps per honest room, walking the list so every trap shows up in a small evening; sometimes a third. */
function honestRoomTraps(rng: Rng, honestIndex: number): HonestTrap[] {
  const first = HONEST_TRAPS[(honestIndex * 2) % HONEST_TRAPS.length] as HonestTrap;
  const second = HONEST_TRAPS[(honestIndex * 2 + 1) % HONEST_TRAPS.length] as HonestTrap;
  const traps = new Set<HonestTrap>([first, second]);
  if (rng.chance(0.3)) traps.add(rng.pick(HONEST_TRAPS));
  return [...traps];
}

const CLAIM_TRAPS: readonly HonestTrap[] = ['ho_paid_later_claim', 'ho_round_up_claim'];

/** Attacked rooms are busy honest rooms too: one in three carries an honest trap. */
function attackedRoomTraps(rng: Rng, styles: readonly HeldOutStyle[]): HonestTrap[] {
  if (!rng.chance(0.35)) return [];
  const inflates = styles.some((style) => KIND_OF_STYLE.get(style) === 'inflated_gmv');
  const candidates = HONEST_TRAPS.filter((trap) => !(inflates && CLAIM_TRAPS.includes(trap)));
  return [rng.pick(candidates)];
}

interface RoomInput {
  rng: Rng;
  ids: HoIds;
  underground: Underground;
  regulars: Record<Locale, HoAccount[]>;
  eveningStart: number;
  styles: HeldOutStyle[];
  traps: HonestTrap[];
  calendar: ViewingCalendar;
  /** Set for a later stream of an earlier room. */
  identity: (RoomIdentity & { notBefore: number; rerunOf: string }) | null;
}

const CATEGORY_WEIGHTS: readonly (readonly [Category, number])[] = [
  ['beauty', 22],
  ['food', 22],
  ['home', 18],
  ['apparel', 16],
  ['electronics', 12],
  ['jewelry', 10],
];

/** List prices in minor units (fen or cents) by category. */
const PRICE_RANGE: Record<Category, readonly [number, number]> = {
  apparel: [6_900, 45_900],
  beauty: [3_900, 69_900],
  food: [1_290, 15_900],
  electronics: [9_900, 199_900],
  home: [1_990, 39_900],
  jewelry: [19_900, 299_900],
};

function makeSkus(rng: Rng, ids: HoIds, category: Category): HoSku[] {
  const [low, high] = PRICE_RANGE[category];
  return Array.from({ length: rng.int(5, 12) }, () => {
    const listPrice = Math.round(Math.exp(rng.uniform(Math.log(low), Math.log(high))) / 100) * 100 - 10;
    const livePrice = Math.max(100, Math.round((listPrice * rng.uniform(0.55, 0.9)) / 10) * 10);
    return { skuId: ids.make('sku', 10), listPrice, livePrice };
  });
}

/** The host's run of show: products in a shuffled order, a few minutes each, some with a flash countdown. */
function runOfShow(rng: Rng, skus: readonly HoSku[], startTs: number, endTs: number, flashes: number): Segment[] {
  const segments: Segment[] = [];
  const order = rng.shuffle([...skus]);
  let from = startTs;
  let index = 0;
  while (from < endTs) {
    const to = Math.min(endTs, from + rng.int(4, 10) * MINUTE);
    segments.push({ sku: order[index++ % order.length] as HoSku, from, to, flash: null });
    from = to;
  }
  const eligible = rng.shuffle(segments.filter((segment) => segment.to - segment.from >= 4 * MINUTE && segment.from > startTs && segment.to < endTs - 2 * MINUTE));
  for (const segment of eligible.slice(0, flashes)) {
    segment.flash = {
      at: segment.from + rng.int(60, 150) * SECOND + rng.int(0, 999),
      price: Math.max(100, Math.round((segment.sku.listPrice * rng.uniform(0.2, 0.45)) / 100) * 100 - 10),
      stock: rng.int(20, 80),
    };
  }
  return segments;
}

function generateRoom(input: RoomInput): { heldOutRoom: HeldOutRoom; identity: RoomIdentity; sharers: string[] } {
  const { rng, ids, styles, identity } = input;
  const locale: Locale = identity?.locale ?? (rng.chance(0.2) ? 'en' : 'zh');
  const category: Category = identity?.category ?? (input.traps.includes('ho_fashion_returns') ? 'apparel' : rng.weighted(CATEGORY_WEIGHTS));
  // A rerun keeps its room's category, so it only has high returns if it sells clothes.
  const traps = input.traps.filter((trap) => trap !== 'ho_fashion_returns' || category === 'apparel');
  const has = (name: HeldOutStyle | HonestTrap): boolean => (styles as string[]).includes(name) || (traps as string[]).includes(name);
  const merchantId = identity?.merchantId ?? ids.make('m', 8);
  const roomId = identity?.roomId ?? ids.make('r', 10);
  const anchorId = identity?.anchorId ?? ids.make('a', 8);
  const streamId = ids.make('st-', 12);
  const durationMin = rng.int(45, 120);
  const startTs = identity ? identity.notBefore + rng.int(0, 30) * MINUTE + rng.int(0, 59_999) : input.eveningStart + rng.int(0, 180) * MINUTE + rng.int(0, 59_999);
  const endTs = startTs + durationMin * MINUTE;
  const skus = makeSkus(rng, ids, category);
  const needsFlash = has('ho_merchant_staff_flash') || has('ho_flash_stampede');
  const flashes = needsFlash ? rng.int(1, 2) : rng.chance(0.35) ? 1 : 0;
  const stream = new HoStream(
    {
      roomId,
      streamId,
      merchantId,
      anchorId,
      startTs,
      endTs,
      currency: locale === 'zh' ? 'CNY' : 'USD',
      locale,
      category,
      skus,
      segments: runOfShow(rng, skus, startTs, endTs, flashes),
      orderPrefix: `${ids.make('o', 8)}-`,
    },
    rng,
    input.calendar,
  );
  const baseRefund = category === 'apparel' ? rng.uniform(0.18, 0.3) : rng.uniform(0.03, 0.09);
  const ctx: RoomContext = {
    rng,
    ids,
    stream,
    locale,
    regulars: input.regulars[locale],
    refundRate: has('ho_fashion_returns') ? rng.uniform(0.38, 0.45) : baseRefund,
    payLaterShare: has('ho_paid_later_claim') ? rng.uniform(0.25, 0.45) : 0.03,
  };
  const profile: AudienceProfile = {
    peakConcurrent: Math.round(Math.min(400, Math.max(25, rng.lognormal(90, 0.6)))),
    sessionMedianMin: rng.uniform(2.5, 5),
  };

  const labelled = Object.fromEntries(REPORT_KINDS.map((kind) => [kind, new Set<string>()])) as Record<ReportKind, Set<string>>;
  const kinds = new Set<ReportKind>();
  const mark = (style: HeldOutStyle, accounts: readonly string[]): void => {
    const kind = KIND_OF_STYLE.get(style) as ReportKind;
    kinds.add(kind);
    for (const account of accounts) labelled[kind].add(account);
  };

  // The honest room first: every attacked room is also a real show with a real audience.
  const audience = honestAudience(ctx, profile);
  for (const session of audience) honestActivity(ctx, session);
  const crowd: HoSession[] = [...audience];
  if (has('ho_keyword_giveaway')) crowd.push(...keywordGiveaway(ctx, audience));
  if (has('ho_celebrity_dropin')) crowd.push(...celebrityDropIn(ctx, profile));
  // (v2 truth) Whoever shares a campus exit, a family's wifi and tablet, or an office's exits is an honest sharer.
  const sharers: string[] = [];
  const sharing = (sessions: HoSession[]): HoSession[] => {
    sharers.push(...sessions.map((session) => session.account.accountId));
    return sessions;
  };
  if (has('ho_campus_class')) crowd.push(...sharing(campusClass(ctx)));
  if (has('ho_family_tablet')) crowd.push(...sharing(familyTablet(ctx)));
  if (has('ho_office_launch')) crowd.push(...sharing(officeLaunch(ctx)));
  if (has('ho_shared_link_friends')) crowd.push(...sharedLinkFriends(ctx));
  if (has('ho_fashion_returns')) sizeBracketing(ctx, audience);
  if (has('ho_growth_campaign')) crowd.push(...growthCampaign(ctx));
  if (has('ho_host_poll')) hostPoll(ctx, crowd);
  const honestPeakDisplayed = peakConcurrency(stream.sessions) * 1.25;

  const flashSegments = stream.setup.segments.filter((segment) => segment.flash !== null);
  if (has('ho_merchant_staff_flash') && flashSegments[0]) mark('ho_merchant_staff_flash', merchantStaffFlash(ctx, flashSegments[0]));
  if (has('ho_flash_stampede')) crowd.push(...flashStampede(ctx, crowd));
  const stampeded = has('ho_flash_stampede') ? flashSegments[0] : undefined;
  for (const segment of flashSegments) if (segment !== stampeded) flashRush(ctx, segment, crowd, rng.uniform(0.1, 0.25), rng.uniform(1.5, 6) * SECOND);

  const underground = input.underground;
  for (const style of styles) {
    switch (style) {
      case 'ho_cloud_phone_rotation':
        mark(style, cloudPhoneRotation(ctx, underground.cloudPhones()));
        break;
      case 'ho_aged_account_drip':
        mark(style, agedAccountDrip(ctx, underground.agedShop()));
        break;
      case 'ho_rack_waves': {
        const rack = rng.pick(underground.racks());
        mark(style, rackWaves(ctx, rack));
        if (has('ho_sparse_playlist')) {
          // The rack's own accounts post the playlist: the cheapest comment source is already seated.
          const seated = new Set(rack.accounts);
          const sessions = stream.sessions.filter((session) => seated.has(session.account));
          mark('ho_sparse_playlist', sparsePlaylist(ctx, rng.pick(underground.commentOperators(locale)).playlist, rng.sample(sessions, rng.int(20, 40))));
        }
        break;
      }
      case 'ho_count_only_smooth':
        countOnlySmooth(ctx, honestPeakDisplayed);
        mark(style, []);
        break;
      case 'ho_praise_rotation':
        mark(style, praiseRotation(ctx, rng.pick(underground.commentOperators(locale))));
        break;
      case 'ho_launch_wave_testimonials':
        mark(style, launchWaveTestimonials(ctx, rng.pick(underground.commentOperators(locale))));
        break;
      case 'ho_question_relay':
        mark(style, questionRelay(ctx));
        break;
      case 'ho_sparse_playlist':
        if (!has('ho_rack_waves')) mark(style, operatorPlaylist(ctx, rng.pick(underground.commentOperators(locale))));
        break;
      case 'ho_studio_shared_address':
        // Studios split a big job: one or two of the evening's studios per room.
        for (const studio of rng.sample(underground.studios(locale), rng.int(1, 2))) mark(style, studioBrushing(ctx, studio));
        break;
      case 'ho_merchant_staff_flash':
        break;
      case 'ho_task_platform_workers':
        mark(style, taskPlatformWorkers(ctx, underground.taskWorkers(locale)));
        break;
      case 'ho_partial_refund_kickback':
        mark(style, partialRefundKickback(ctx));
        break;
      case 'ho_claim_placed_gmv':
      case 'ho_claim_padded':
      case 'ho_claim_list_price_all_paid':
      case 'ho_claim_before_refunds':
        mark(style, []);
        break;
    }
  }

  const rule = claimRule(rng, styles, traps);
  if (rule) {
    const at = has('ho_paid_later_claim') ? endTs + rng.uniform(30, 120) * SECOND : endTs + rng.uniform(CLAIM_DELAY_MS.min, CLAIM_DELAY_MS.max / 3);
    stream.claim = { at, ...claimFigures(rng, stream.orders, rule) };
  }

  const events = stream.finish();
  const accounts = Object.fromEntries(REPORT_KINDS.map((kind) => [kind, [...labelled[kind]].sort()])) as Record<ReportKind, string[]>;
  const trapNames = [...traps];
  const heldOutRoom: HeldOutRoom = {
    roomId,
    streamId,
    merchantId,
    locale,
    category,
    scenario: styles.length > 0 ? styles.join('+') : ['organic', ...trapNames].join('+'),
    attackStyles: [...styles],
    traps: trapNames,
    startTs,
    endTs,
    labels: { kinds: REPORT_KINDS.filter((kind) => kinds.has(kind)), accounts },
    expectedAudit: {
      roomId,
      streamId,
      merchantId,
      currency: stream.setup.currency,
      claimed: stream.claim ? { gmv: stream.claim.gmv, orders: stream.claim.orders } : null,
      verified: ledgerAudit(stream.orders, labelled.refund_brushing),
    },
    events,
    heldOut: true,
    ...(identity ? { rerunOf: identity.rerunOf } : {}),
  };
  return { heldOutRoom, identity: { roomId, merchantId, anchorId, locale, category }, sharers };
}

function claimRule(rng: Rng, styles: readonly HeldOutStyle[], traps: readonly HonestTrap[]): ClaimRule | null {
  if (styles.includes('ho_claim_placed_gmv')) return 'placed_gmv';
  if (styles.includes('ho_claim_padded')) return 'padded';
  if (styles.includes('ho_claim_list_price_all_paid')) return 'list_price_all_paid';
  if (styles.includes('ho_claim_before_refunds')) return 'before_refunds';
  if (traps.includes('ho_round_up_claim')) return 'honest_round_up';
  if (traps.includes('ho_paid_later_claim')) return 'honest_exact';
  return rng.weighted<ClaimRule | null>([
    [null, 25],
    ['honest_exact', 40],
    ['honest_yuan', 35],
  ]);
}

function peakConcurrency(sessions: readonly HoSession[]): number {
  const changes = sessions.flatMap((session) => [
    [session.joinAt, 1],
    [session.leaveAt, -1],
  ] as const);
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let present = 0;
  let peak = 0;
  for (const [, delta] of changes) {
    present += delta;
    peak = Math.max(peak, present);
  }
  return peak;
}

import type { DeviceInfo, RoomEvent } from '../../../src/events/event.schema.js';
import { REPORT_KINDS, type ReportKind } from '../../../src/detection/engine/finding.js';
import type { Category, Locale } from '../catalog.js';
import { Rng } from '../prng.js';
import { emptyTruth, type EveningTruth } from '../truth.js';
import { afterBuying, honestComment, reaction } from './chatter.js';
import { ledgerAudit } from './claims.js';
import type { HeldOutRoom } from './evening.js';
import { honestActivity, honestAudience, type AudienceProfile, type RoomContext } from './honest.js';
import { HoStream, ViewingCalendar, type CouponGrant, type HoSession, type HoSku, type OrderExtras, type RefundExtras, type Segment, type StreamSetup } from './stream.js';
import { V2_STYLES_BY_KIND, type V2Style, type V2Trap } from './v2-styles.js';
import {
  campusEgress,
  carrierNat,
  CLOUD_PHONE_MODELS,
  DAY,
  datacenterBlock,
  fixedDevice,
  homeBroadband,
  honestAccount,
  HoIds,
  HOUR,
  inBlock,
  MINUTE,
  phoneDevice,
  RACK_MODELS,
  residentialProxy,
  SECOND,
  tabletDevice,
  type HoAccount,
  type NetworkKind,
} from './world.js';

/**
 * (v2) The held-out model's flash sales, coupon campaigns, cash-out shops and
 * operator rings, with their honest look-alikes. Written from the problem
 * statement, CONTRACT.md v2 and issues 13–15 alone, drawing from its own
 * random stream and its own ids (`ho-x…`), so the v1 held-out rooms are
 * unchanged by it.
 *
 * Every operator works the whole evening: the same farm, party or ring
 * strikes each room its style is planned for, so its accounts meet in
 * several rooms, and its registrations (weeks earlier) are sent as
 * `account.registered` events.
 */

export interface HeldOutV2Options {
  seed: number;
  startTs: number;
  /** Room plans to play; a shop's plan airs two streams of its room, so the evening may hold more rooms. */
  rooms: number;
}

export interface HeldOutV2Evening {
  rooms: HeldOutRoom[];
  /** Events of no room: account registrations and coupons claimed on a campaign page. */
  accountEvents: RoomEvent[];
  truth: HeldOutTruth;
}

/** The evening truth, plus what no room's labels can hold. */
export interface HeldOutTruth extends EveningTruth {
  /** Accounts that hoarded coupons outside every room (claimed on a campaign page for others to use); in no room's labels. */
  couponHoarders: string[];
}

const KIND_OF_V2_STYLE = new Map<string, ReportKind>(
  Object.entries(V2_STYLES_BY_KIND).flatMap(([kind, styles]) => styles.map((style) => [style, kind as ReportKind] as const)),
);

type Shop = 'topup_cashout' | 'giftcard_cashout' | 'giftcard_honest' | 'fresh_food';

interface RoomPlan {
  styles: readonly V2Style[];
  traps: readonly V2Trap[];
  /** The room is a shop that airs twice tonight. */
  shop?: Shop;
}

/**
 * Room plans in turn; twelve cover every style and trap, the scalper farm,
 * the slow ring and the rings strike two rooms each (the plug-in crew its
 * second at 24 plans), and every shop airs two streams.
 */
const PLANS: readonly RoomPlan[] = [
  { styles: ['ho_cloud_farm_proxy_orders'], traps: ['ho_flash_rush_nat'] },
  { styles: [], traps: ['ho_coupon_rush', 'ho_honest_partial_return'] },
  { styles: ['ho_topup_refund_cashout'], traps: [], shop: 'topup_cashout' },
  { styles: [], traps: ['ho_honest_giftcard_shop'], shop: 'giftcard_honest' },
  { styles: ['ho_early_plugin', 'ho_slow_aged_ring'], traps: ['ho_fast_fingers'] },
  { styles: ['ho_dormant_batch_claim', 'ho_full_reduction_refund'], traps: ['ho_office_coupon_claims'] },
  { styles: [], traps: ['ho_flash_rush_nat', 'ho_household_flash', 'ho_fast_fingers'] },
  { styles: ['ho_ring_camouflage', 'ho_ring_chain_links'], traps: ['ho_campus_signup_drive'] },
  { styles: ['ho_slow_aged_ring', 'ho_cloud_farm_proxy_orders', 'ho_ring_chain_links'], traps: ['ho_household_flash', 'ho_fast_fingers'] },
  { styles: ['ho_pooled_coupons', 'ho_ring_camouflage'], traps: ['ho_coupon_rush'] },
  { styles: [], traps: ['ho_fresh_food_refunds'], shop: 'fresh_food' },
  { styles: ['ho_giftcard_cash_kept'], traps: [], shop: 'giftcard_cashout' },
];

const FLASH_STYLES: readonly V2Style[] = ['ho_cloud_farm_proxy_orders', 'ho_early_plugin', 'ho_slow_aged_ring'];
const FLASH_TRAPS: readonly V2Trap[] = ['ho_flash_rush_nat', 'ho_household_flash', 'ho_fast_fingers'];
const COUPON_STYLES: readonly V2Style[] = ['ho_dormant_batch_claim', 'ho_full_reduction_refund'];
const COUPON_TRAPS: readonly V2Trap[] = ['ho_coupon_rush', 'ho_honest_partial_return', 'ho_office_coupon_claims'];

/** How far back registrations are sent: the platform's sign-up log of the last four months. */
const REGISTRATION_LOG_MS = 120 * DAY;

interface Registration {
  ts: number;
  deviceId: string;
  device: DeviceInfo;
  ip: string;
  channel: string;
  bulk: boolean;
}

/** An operator: the style it plays and every account of it that acted tonight. */
interface Operator {
  style: V2Style;
  accounts: HoAccount[];
  acted: Set<string>;
}

/** What the whole v2 evening shares. */
class World {
  readonly ids: HoIds;
  readonly calendar = new ViewingCalendar();
  readonly registrations = new Map<string, Registration>();
  /** Every account a v2 room has seen, by id. */
  readonly seen = new Map<string, HoAccount>();
  readonly honestSharers = new Set<string>();
  readonly couponHoarders = new Set<string>();
  readonly scalperOrders: string[] = [];
  readonly cashOutMerchants = new Set<string>();
  readonly honestTwinMerchants = new Set<string>();
  readonly accountEvents: RoomEvent[] = [];
  readonly regulars: Record<Locale, HoAccount[]>;
  private readonly operators = new Map<string, Operator>();
  private accountSeq = 0;

  constructor(
    readonly rng: Rng,
    readonly start: number,
  ) {
    this.ids = new HoIds(rng.fork(), 'x');
    this.regulars = {
      zh: Array.from({ length: 160 }, () => honestAccount(rng, this.ids, 'zh', start)),
      en: Array.from({ length: 40 }, () => honestAccount(rng, this.ids, 'en', start)),
    };
  }

  /** Gives an account its card and recipient the first time a room sees it. */
  equip(account: HoAccount): void {
    if (account.paymentHash === undefined) account.paymentHash = this.ids.make('pay', 16);
    if (account.recipientHash === undefined) account.recipientHash = this.ids.make('rc', 14);
    this.seen.set(account.accountId, account);
  }

  operator(style: V2Style, make: () => HoAccount[]): Operator {
    let operator = this.operators.get(style);
    if (!operator) {
      operator = { style, accounts: make(), acted: new Set() };
      this.operators.set(style, operator);
    }
    return operator;
  }

  private readonly kits = new Map<string, string[]>();

  /** An operator's stock of identifiers (virtual numbers, prepaid cards, drop addresses), made once. */
  kit(name: string, make: () => string[]): string[] {
    let kit = this.kits.get(name);
    if (!kit) {
      kit = make();
      this.kits.set(name, kit);
    }
    return kit;
  }

  allOperators(): Operator[] {
    return [...this.operators.values()];
  }

  register(account: HoAccount, registration: Omit<Registration, 'ts'>): void {
    account.createdAt = Math.round(account.createdAt);
    this.registrations.set(account.accountId, { ...registration, ts: account.createdAt });
    this.seen.set(account.accountId, account);
  }

  accountEventId(): string {
    this.accountSeq++;
    return `ho-xacc-e${this.accountSeq.toString(36).padStart(6, '0')}`;
  }
}

/** An operator's account: silent, no taps of its own, buys only when told. */
function farmedAccount(w: World, createdAt: number, device: { deviceId: string; device: DeviceInfo }, ip: string, network: NetworkKind, extra: Partial<HoAccount> = {}): HoAccount {
  return {
    accountId: w.ids.account(),
    createdAt: Math.round(createdAt),
    deviceId: device.deviceId,
    device: device.device,
    ip,
    network,
    phoneHash: w.ids.phone(),
    addressHash: w.ids.address(),
    chattiness: 0,
    tapRate: 0,
    buyingMood: 0,
    ...extra,
  };
}

/** A farm's handsets: `count` devices of the given builder. */
function handsets(w: World, count: number, make: () => DeviceInfo): { deviceId: string; device: DeviceInfo }[] {
  return Array.from({ length: count }, () => ({ deviceId: w.ids.device(), device: make() }));
}

/**
 * A registration burst: `count` sign-ups within `spreadMs` from few handsets
 * (cloned apps), each with a fresh virtual number, as SMS-code farms do.
 */
function registerBurst(w: World, count: number, at: number, spreadMs: number, devices: readonly { deviceId: string; device: DeviceInfo }[], ip: () => string, channel: string): HoAccount[] {
  const { rng } = w;
  const times = Array.from({ length: count }, () => at + rng.uniform(0, spreadMs)).sort((a, b) => a - b);
  return times.map((ts, index) => {
    const device = devices[index % devices.length] as { deviceId: string; device: DeviceInfo };
    const account = farmedAccount(w, ts, device, ip(), 'datacenter');
    w.register(account, { deviceId: device.deviceId, device: device.device, ip: account.ip, channel, bulk: true });
    return account;
  });
}

// ------------------------------------------------------------ the evening

export function generateHeldOutV2(options: HeldOutV2Options): HeldOutV2Evening {
  if (!Number.isInteger(options.rooms) || options.rooms < 0) throw new Error(`rooms: must be a non-negative integer, got ${options.rooms}`);
  if (!Number.isSafeInteger(options.startTs) || options.startTs < 0) throw new Error(`startTs: must be epoch milliseconds, got ${options.startTs}`);
  if (!Number.isFinite(options.seed)) throw new Error(`seed: must be a number, got ${options.seed}`);
  // Its own salt: neither the main simulator's nor the v1 held-out rooms' draws.
  const rng = new Rng((Math.imul((options.seed | 0) + 17, 0x5bd1e995) ^ 0x68763273) >>> 0);
  const w = new World(rng.fork(), options.startTs);
  const plans = Array.from({ length: options.rooms }, (_, index) => PLANS[index % PLANS.length] as RoomPlan);
  // The platform campaign whose coupons the pooling party hoards: released on the hour, on a campaign page.
  const campaignHour = Math.ceil((options.startTs + 20 * MINUTE) / HOUR) * HOUR;
  const platformCampaign = plans.some((plan) => plan.styles.includes('ho_pooled_coupons')) ? platformCouponCampaign(w, campaignHour) : null;

  const rooms: PlayedRoom[] = [];
  const shops = new Map<Shop, { roomId: string; merchantId: string; anchorId: string; locale: Locale }>();
  let chainRooms = 0;
  for (const plan of plans) {
    const roomRng = rng.fork();
    const locale: Locale = plan.shop || plan.styles.length > 0 ? 'zh' : roomRng.chance(0.25) ? 'en' : 'zh';
    let startTs = options.startTs + roomRng.int(0, 180) * MINUTE + roomRng.int(0, 59_999);
    if (plan.styles.includes('ho_pooled_coupons')) startTs = campaignHour + roomRng.int(10, 60) * MINUTE + roomRng.int(0, 59_999);
    // The chain ring comes out on the hour only, a different hour for each room it works.
    if (plan.styles.includes('ho_ring_chain_links')) startTs = campaignHour + (1 + chainRooms++) * HOUR - roomRng.int(5, 20) * MINUTE;
    const known = plan.shop ? shops.get(plan.shop) : undefined;
    const first = playRoom(w, roomRng, plan, { locale: known?.locale ?? locale, startTs, identity: known, platformCampaign });
    rooms.push(first);
    if (plan.shop) {
      shops.set(plan.shop, { roomId: first.roomId, merchantId: first.merchantId, anchorId: first.anchorId, locale: first.locale });
      // The shop goes live again later: same room, merchant and (for a cash-out shop) crew.
      const again = playRoom(w, roomRng, plan, {
        locale: first.locale,
        startTs: first.endTs + roomRng.int(1, 3) * HOUR + roomRng.int(0, 59) * MINUTE,
        identity: { roomId: first.roomId, merchantId: first.merchantId, anchorId: first.anchorId },
        platformCampaign,
        rerunOf: first.streamId,
      });
      rooms.push(again);
    }
  }
  const accountEvents = [...w.accountEvents, ...registrationEvents(w, rooms)].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  return { rooms: rooms.map(({ anchorId: _anchorId, ...room }) => room), accountEvents, truth: eveningTruth(w, rooms, accountEvents) };
}

/** Registrations of the last four months: the operators' (with the devices they signed up on) and every honest newcomer's. */
function registrationEvents(w: World, rooms: readonly HeldOutRoom[]): RoomEvent[] {
  const { rng } = w;
  const active = new Set<string>();
  for (const event of [...rooms.flatMap((room) => room.events), ...w.accountEvents]) if ('accountId' in event && event.accountId) active.add(event.accountId);
  const events: RoomEvent[] = [];
  for (const [accountId, account] of w.seen) {
    const known = w.registrations.get(accountId);
    if (!known && (!active.has(accountId) || account.createdAt < w.start - REGISTRATION_LOG_MS)) continue;
    const registration: Registration = known ?? {
      ts: account.createdAt,
      deviceId: account.deviceId,
      device: account.device,
      ip: account.ip,
      channel: rng.weighted([
        ['app_store', 50],
        ['friend_invite', 20],
        ['live_room_link', 20],
        ['search_ad', 10],
      ]),
      bulk: false,
    };
    if (registration.ts < w.start - REGISTRATION_LOG_MS) continue;
    events.push({
      id: w.accountEventId(),
      type: 'account.registered',
      ts: registration.ts,
      accountId,
      deviceId: registration.deviceId,
      ip: registration.ip,
      phoneHash: account.phoneHash,
      channel: registration.channel,
      device: registration.device,
    });
  }
  return events;
}

function eveningTruth(w: World, rooms: readonly HeldOutRoom[], accountEvents: readonly RoomEvent[]): HeldOutTruth {
  const truth = { ...emptyTruth(), couponHoarders: [] as string[] };
  const registered = new Set(accountEvents.filter((event) => event.type === 'account.registered').map((event) => event.accountId));
  for (const operator of w.allOperators()) {
    if (operator.acted.size > 0) truth.rings.push({ style: operator.style, members: [...operator.acted].sort(), heldOut: true });
  }
  truth.bulkRegistered = [...w.registrations].filter(([accountId, registration]) => registration.bulk && registered.has(accountId)).map(([accountId]) => accountId).sort();
  const active = new Set<string>();
  for (const event of [...rooms.flatMap((room) => room.events), ...accountEvents]) if ('accountId' in event && event.accountId) active.add(event.accountId);
  truth.honestSharers = [...w.honestSharers].filter((account) => active.has(account)).sort();
  truth.cashOutMerchants = [...w.cashOutMerchants].sort();
  truth.honestTwinMerchants = [...w.honestTwinMerchants].sort();
  truth.scalperOrders = [...w.scalperOrders].sort();
  truth.couponHoarders = [...w.couponHoarders].sort();
  return truth;
}

// ------------------------------------------------------------ one room

interface RoomOptions {
  locale: Locale;
  startTs: number;
  identity: { roomId: string; merchantId: string; anchorId: string } | undefined;
  platformCampaign: PlatformCampaign | null;
  rerunOf?: string;
}

/** A room's coupon campaign: released by the host at `at`, "spend `minSpend`, save `value`". */
interface RoomCampaign {
  campaignId: string;
  at: number;
  value: number;
  minSpend: number;
}

interface V2Context extends RoomContext {
  w: World;
  mark: (style: V2Style, accounts: readonly string[]) => void;
  /** Honest present viewers, the attackers' cover and the rush's buyers. */
  crowd: HoSession[];
}

const CATEGORY_OF_SHOP: Record<Shop, Category> = { topup_cashout: 'electronics', giftcard_cashout: 'electronics', giftcard_honest: 'electronics', fresh_food: 'food' };

const PRICE_RANGE: Record<Category, readonly [number, number]> = {
  apparel: [6_900, 45_900],
  beauty: [3_900, 69_900],
  food: [1_290, 15_900],
  electronics: [9_900, 199_900],
  home: [1_990, 39_900],
  jewelry: [19_900, 299_900],
};

function physicalSkus(rng: Rng, w: World, category: Category, label: string): HoSku[] {
  const [low, high] = PRICE_RANGE[category];
  return Array.from({ length: rng.int(5, 9) }, () => {
    const listPrice = Math.round(Math.exp(rng.uniform(Math.log(low), Math.log(high))) / 100) * 100 - 10;
    const livePrice = Math.max(100, Math.round((listPrice * rng.uniform(0.55, 0.9)) / 10) * 10);
    return { skuId: w.ids.make('sku', 10), listPrice, livePrice, virtual: false, category: label };
  });
}

/** Virtual goods: game coins, phone top-ups and gift cards sell at face value, near list. */
function virtualSkus(rng: Rng, w: World, kinds: readonly string[]): HoSku[] {
  const faces = [5_000, 10_000, 20_000, 30_000, 50_000, 64_800, 100_000, 200_000];
  return kinds.flatMap((category) =>
    rng.sample(faces, rng.int(2, 4)).map((face) => ({ skuId: w.ids.make('sku', 10), listPrice: face, livePrice: Math.round((face * rng.uniform(0.95, 1)) / 10) * 10, virtual: true, category })),
  );
}

function runOfShow(rng: Rng, w: World, skus: HoSku[], startTs: number, endTs: number, flashes: number): Segment[] {
  const segments: Segment[] = [];
  const order = rng.shuffle([...skus]);
  let from = startTs;
  let index = 0;
  while (from < endTs) {
    const to = Math.min(endTs, from + rng.int(5, 10) * MINUTE);
    segments.push({ sku: order[index++ % order.length] as HoSku, from, to, flash: null });
    from = to;
  }
  const eligible = rng.shuffle(segments.filter((segment) => segment.to - segment.from >= 5 * MINUTE && segment.from > startTs + 8 * MINUTE && segment.to < endTs - 3 * MINUTE));
  for (const segment of eligible.slice(0, flashes)) {
    // A flash sale sells its own listing (the limited-purchase SKU), never bought before it opens.
    segment.sku = { ...segment.sku, skuId: w.ids.make('sku', 10) };
    skus.push(segment.sku);
    segment.flash = {
      at: segment.from + rng.int(60, 150) * SECOND + rng.int(0, 999),
      price: Math.max(100, Math.round((segment.sku.listPrice * rng.uniform(0.15, 0.4)) / 100) * 100 - 10),
      stock: rng.int(60, 150),
    };
  }
  return segments;
}

type PlayedRoom = HeldOutRoom & { anchorId: string };

function playRoom(w: World, rng: Rng, plan: RoomPlan, options: RoomOptions): PlayedRoom {
  const { ids } = w;
  const { locale } = options;
  const category: Category = plan.shop ? CATEGORY_OF_SHOP[plan.shop] : rng.weighted<Category>([
    ['beauty', 3],
    ['food', 3],
    ['home', 2],
    ['electronics', 2],
    ['apparel', 1],
  ]);
  const merchantId = options.identity?.merchantId ?? ids.make('m', 8);
  const roomId = options.identity?.roomId ?? ids.make('r', 10);
  const anchorId = options.identity?.anchorId ?? ids.make('a', 8);
  const streamId = ids.make('st-', 12);
  const startTs = Math.round(options.startTs);
  const endTs = startTs + rng.int(40, 70) * MINUTE;
  const isFlash = plan.styles.some((style) => FLASH_STYLES.includes(style)) || plan.traps.some((trap) => FLASH_TRAPS.includes(trap));
  const skus =
    plan.shop === 'topup_cashout'
      ? virtualSkus(rng, w, ['game_coins', 'phone_topup'])
      : plan.shop === 'giftcard_cashout' || plan.shop === 'giftcard_honest'
        ? virtualSkus(rng, w, ['gift_card'])
        : plan.shop === 'fresh_food'
          ? physicalSkus(rng, w, 'food', rng.pick(['fresh_fruit', 'seafood', 'fresh_meat']))
          : physicalSkus(rng, w, category, category);
  const refundRecord = refundRecordOf(rng, plan.shop);
  const setup: StreamSetup = {
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
    segments: runOfShow(rng, w, skus, startTs, endTs, isFlash ? 1 : 0),
    orderPrefix: `${ids.make('o', 8)}-`,
    equip: (account) => w.equip(account),
    orderDevice: true,
    flashLocked: true,
    refundRecord,
  };
  const stream = new HoStream(setup, rng, w.calendar);
  const labelled = Object.fromEntries(REPORT_KINDS.map((kind) => [kind, new Set<string>()])) as Record<ReportKind, Set<string>>;
  const kinds = new Set<ReportKind>();
  const played = new Set<V2Style>();
  const ctx: V2Context = {
    rng,
    ids,
    stream,
    locale,
    regulars: w.regulars[locale],
    refundRate: plan.shop === 'fresh_food' ? rng.uniform(0.18, 0.28) : category === 'apparel' ? rng.uniform(0.15, 0.25) : rng.uniform(0.03, 0.08),
    payLaterShare: 0.03,
    w,
    crowd: [],
    mark: (style, accounts) => {
      if (accounts.length === 0) return;
      played.add(style);
      const kind = KIND_OF_V2_STYLE.get(style) as ReportKind;
      kinds.add(kind);
      for (const account of accounts) labelled[kind].add(account);
    },
  };
  const small = plan.shop === 'topup_cashout' || plan.shop === 'giftcard_cashout';
  const profile: AudienceProfile = {
    peakConcurrent: Math.round(small ? rng.uniform(12, 30) : Math.min(220, Math.max(25, rng.lognormal(70, 0.5)))),
    sessionMedianMin: rng.uniform(2.5, 5),
  };
  const audience = honestAudience(ctx, profile);
  for (const session of audience) honestActivity(ctx, session);
  ctx.crowd.push(...audience);
  const has = (name: V2Style | V2Trap): boolean => (plan.styles as readonly string[]).includes(name) || (plan.traps as readonly string[]).includes(name);

  if (has('ho_campus_signup_drive')) campusSignupDrive(ctx);
  if (plan.shop === 'fresh_food') freshFoodOrders(ctx);
  if (plan.styles.includes('ho_ring_camouflage')) ringCamouflage(ctx);
  if (plan.styles.includes('ho_ring_chain_links')) ringChainLinks(ctx);

  const flashSegment = setup.segments.find((segment) => segment.flash !== null);
  if (isFlash && flashSegment) flashSale(ctx, flashSegment, plan);

  if (plan.styles.some((style) => COUPON_STYLES.includes(style)) || plan.traps.some((trap) => COUPON_TRAPS.includes(trap))) couponRoom(ctx, plan);
  if (plan.styles.includes('ho_pooled_coupons') && options.platformCampaign) pooledCouponUse(ctx, options.platformCampaign);

  switch (plan.shop) {
    case 'topup_cashout':
      w.cashOutMerchants.add(merchantId);
      topupRefundCashout(ctx);
      break;
    case 'giftcard_cashout':
      w.cashOutMerchants.add(merchantId);
      giftcardCashKept(ctx);
      break;
    case 'giftcard_honest':
      w.honestTwinMerchants.add(merchantId);
      honestGiftcardShop(ctx);
      break;
    case 'fresh_food':
      w.honestTwinMerchants.add(merchantId);
      break;
    case undefined:
      break;
  }

  const events = stream.finish();
  const accounts = Object.fromEntries(REPORT_KINDS.map((kind) => [kind, [...labelled[kind]].sort()])) as Record<ReportKind, string[]>;
  // A style whose operator found none of its accounts free (all busy in another room) did not play here.
  const styles = plan.styles.filter((style) => played.has(style));
  return {
    roomId,
    streamId,
    merchantId,
    anchorId,
    locale,
    category,
    scenario: styles.length > 0 ? styles.join('+') : ['organic', ...plan.traps].join('+'),
    attackStyles: styles,
    traps: [...plan.traps],
    startTs,
    endTs,
    labels: { kinds: REPORT_KINDS.filter((kind) => kinds.has(kind)), accounts },
    expectedAudit: { roomId, streamId, merchantId, currency: setup.currency, claimed: null, verified: ledgerAudit(stream.orders, new Set()) },
    events,
    heldOut: true,
    ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}),
  };
}

/** How a shop's refunds are recorded: a code that needs no delivery never comes back; spoiled food is thrown away. */
function refundRecordOf(rng: Rng, shop: Shop | undefined): (sku: HoSku) => RefundExtras {
  return (sku) => {
    // Top-ups do fail now and then: an honest buyer's refund may give the crew's reason too.
    if (sku.virtual) return { returned: false, reason: rng.pick(['bought_wrong_value', 'duplicate_order', 'changed_mind', 'recharge_not_received']) };
    if (shop === 'fresh_food') return { returned: false, reason: rng.pick(['spoiled_on_arrival', 'damaged_in_transit', 'short_weight']) };
    return rng.chance(0.85) ? { returned: true, reason: rng.pick(['size_or_fit', 'not_as_described', 'changed_mind', 'defective']) } : { returned: false, reason: 'price_protection' };
  };
}

// ------------------------------------------------------------ flash sales

interface Attempt {
  account: HoAccount;
  at: number;
  quantity: number;
  scalper: boolean;
  extras?: OrderExtras;
  /** Called just before the order is placed (a proxy switches exit, say). */
  before?: () => void;
  paidAfter: number;
}

/** Present at `ts` and staying a while. */
function presentAt(sessions: readonly HoSession[], ts: number): HoSession[] {
  return sessions.filter((session) => session.joinAt < ts - 2 * SECOND && session.leaveAt > ts + 20 * SECOND);
}

/**
 * One flash sale: `sale.opened` (sent ahead by the platform), then every
 * attempt in order of arrival takes stock until it runs out; later orders
 * are placed and never paid (sold out).
 */
function flashSale(ctx: V2Context, segment: Segment, plan: RoomPlan): void {
  const { rng, stream, w } = ctx;
  const flash = segment.flash as NonNullable<Segment['flash']>;
  const limit = rng.weighted([
    [1, 3],
    [2, 1],
  ]);
  stream.saleOpened(segment, limit);
  const attempts: Attempt[] = [];
  const honest = (account: HoAccount, latencyMs: number): void => {
    attempts.push({ account, at: flash.at + latencyMs, quantity: rng.chance(0.85) ? 1 : limit, scalper: false, paidAfter: rng.lognormal(25 * SECOND, 0.7) });
  };
  // Whoever is watching when the countdown ends: a share taps the button, at human speed.
  for (const session of presentAt(ctx.crowd, flash.at)) if (rng.chance(0.22)) honest(session.account, 420 + rng.lognormal(1_700, 0.8));

  if (plan.traps.includes('ho_flash_rush_nat')) {
    // A deal group's post brings hundreds; on mobile data many leave by the same carrier-NAT exits.
    const exits = Array.from({ length: rng.int(3, 6) }, () => carrierNat(rng, ctx.locale));
    const size = rng.int(120, 240);
    for (let i = 0; i < size; i++) {
      const shared = rng.chance(0.45);
      // Pinned to the exit for the evening ('office' keeps the address; a 'mobile' one would hop exits between sessions).
      const account = honestAccount(rng, ctx.ids, ctx.locale, stream.startTs, shared ? { ip: rng.pick(exits), network: 'office' } : {});
      if (rng.chance(0.1)) account.createdAt = Math.round(flash.at - rng.uniform(0.05, 5) * DAY);
      const joinAt = flash.at - 4 * SECOND - rng.exponential(2 * MINUTE);
      const session = stream.watch(account, joinAt, flash.at + rng.lognormal(2 * MINUTE, 0.7));
      if (!session) continue;
      ctx.crowd.push(session);
      if (shared) w.honestSharers.add(account.accountId);
      if (rng.chance(0.85)) honest(account, 350 + rng.lognormal(1_300, 0.7));
      if (rng.chance(0.2)) stream.comment(account, flash.at + rng.uniform(5, 40) * SECOND, afterBuying(rng, ctx.locale));
    }
  }
  if (plan.traps.includes('ho_household_flash')) {
    for (let h = rng.int(2, 4); h > 0; h--) {
      const ip = homeBroadband(rng, ctx.locale);
      const addressHash = ctx.ids.address();
      const familyCard = rng.chance(0.4) ? ctx.ids.make('pay', 16) : undefined;
      const tablet = rng.chance(0.5) ? { deviceId: ctx.ids.device(), device: tabletDevice(rng) } : null;
      const size = rng.int(2, 4);
      for (let m = 0; m < size; m++) {
        const onTablet = tablet !== null && m < 2;
        const account = honestAccount(rng, ctx.ids, ctx.locale, stream.startTs, { ip, network: 'home', addressHash, ...(onTablet ? tablet : {}) });
        if (familyCard) account.paymentHash = familyCard;
        // Two people on one tablet take turns: the first hands it over half a minute after the opening.
        const joinAt = onTablet && m === 1 ? flash.at + 40 * SECOND : flash.at - rng.uniform(30, 300) * SECOND;
        const leaveAt = onTablet && m === 0 ? flash.at + 30 * SECOND : joinAt + rng.uniform(4, 15) * MINUTE;
        const session = stream.watch(account, joinAt, leaveAt);
        if (!session) continue;
        ctx.crowd.push(session);
        w.honestSharers.add(account.accountId);
        honest(account, onTablet && m === 1 ? 42 * SECOND + rng.uniform(0, 20_000) : 600 + rng.lognormal(1_800, 0.6));
      }
    }
  }
  if (plan.traps.includes('ho_fast_fingers')) {
    // Regulars who always have the button under their thumb: under half a second, every time.
    for (const fast of fastFingers(w, ctx.locale)) {
      const session = stream.watch(fast.account, flash.at - rng.uniform(60, 240) * SECOND, flash.at + rng.uniform(3, 12) * MINUTE);
      if (!session) continue;
      ctx.crowd.push(session);
      honest(fast.account, Math.max(180, fast.latencyMs + rng.normal(0, 50)));
    }
  }

  for (const style of plan.styles) {
    if (style === 'ho_cloud_farm_proxy_orders') attempts.push(...cloudFarmOrders(ctx, flash, limit));
    if (style === 'ho_early_plugin') attempts.push(...earlyPluginOrders(ctx, flash, limit));
    if (style === 'ho_slow_aged_ring') attempts.push(...slowRingOrders(ctx, flash, limit));
  }

  attempts.sort((a, b) => a.at - b.at);
  let stock = flash.stock;
  for (const attempt of attempts) {
    if (Math.round(attempt.at) > stream.endTs) continue;
    attempt.before?.();
    const inStock = stock >= attempt.quantity;
    if (inStock) stock -= attempt.quantity;
    const order = stream.order(attempt.account, attempt.at, segment.sku, flash.price, attempt.quantity, { paidAfter: inStock ? attempt.paidAfter : null }, attempt.extras);
    if (attempt.scalper) w.scalperOrders.push(`${stream.setup.merchantId}/${order.orderId}`);
  }
  for (const operator of w.allOperators()) {
    if (!FLASH_STYLES.includes(operator.style) || !plan.styles.includes(operator.style)) continue;
    const here = attempts.filter((attempt) => attempt.scalper && operator.accounts.includes(attempt.account)).map((attempt) => attempt.account.accountId);
    for (const account of here) operator.acted.add(account);
    ctx.mark(operator.style, here);
  }
}

interface FastFinger {
  account: HoAccount;
  latencyMs: number;
}

const fastFingerPool = new WeakMap<World, Record<Locale, FastFinger[]>>();

function fastFingers(w: World, locale: Locale): FastFinger[] {
  let pool = fastFingerPool.get(w);
  if (!pool) {
    const make = (from: Locale): FastFinger[] =>
      w.rng.sample(w.regulars[from], w.rng.int(4, 7)).map((account) => ({ account, latencyMs: w.rng.uniform(230, 520) }));
    pool = { zh: make('zh'), en: make('en') };
    fastFingerPool.set(w, pool);
  }
  return pool[locale];
}

/**
 * A cloud-phone farm: a dozen server instances imitating mid-range phones,
 * a hundred-odd accounts bought from a sign-up farm weeks ago, a proxy exit
 * per order, a made-up recipient and an obscured address each time, a few
 * virtual numbers and prepaid cards. Orders land a tenth of a second after
 * the opening, with latencies that barely vary.
 */
function cloudFarmOrders(ctx: V2Context, flash: NonNullable<Segment['flash']>, limit: number): Attempt[] {
  const { rng, stream, w } = ctx;
  const phones = w.kit('cloud-farm phones', () => Array.from({ length: 12 }, () => w.ids.phone()));
  const cards = w.kit('cloud-farm cards', () => Array.from({ length: 8 }, () => w.ids.make('pay', 16)));
  const drops = w.kit('cloud-farm drops', () => Array.from({ length: 4 }, () => w.ids.address()));
  const farm = w.operator('ho_cloud_farm_proxy_orders', () => {
    const instances = handsets(w, w.rng.int(10, 16), () => {
      const device = fixedDevice(w.rng, w.rng.pick(CLOUD_PHONE_MODELS));
      // The cloud provider's image is caught by the SDK on some instances only.
      return w.rng.chance(0.5) ? { ...device, cloudPhone: true } : device;
    });
    const block = datacenterBlock(w.rng);
    const batches = w.rng.int(3, 5);
    return Array.from({ length: batches }, () =>
      registerBurst(w, w.rng.int(25, 40), w.start - w.rng.uniform(40, 110) * DAY, w.rng.uniform(4, 15) * MINUTE, w.rng.sample(instances, 4), () => inBlock(w.rng, block), 'sms_code'),
    ).flat();
  });
  const attempts: Attempt[] = [];
  for (const account of rng.sample(farm.accounts, rng.int(35, 70))) {
    account.network = 'proxy';
    // Most instances open the room before the countdown ends; some call the order API straight away.
    if (rng.chance(0.65)) {
      const joinAt = flash.at - rng.uniform(8, 70) * SECOND;
      if (!stream.watch(account, joinAt, flash.at + rng.uniform(15, 60) * SECOND)) continue;
    } else if (!stream.isFree(account, flash.at)) continue;
    attempts.push({
      account,
      at: flash.at + 55 + rng.lognormal(95, 0.12),
      quantity: limit,
      scalper: true,
      paidAfter: rng.uniform(1_500, 4_000),
      before: () => {
        account.ip = residentialProxy(rng, ctx.locale);
      },
      extras: {
        recipientHash: w.ids.make('rc', 14),
        addressHash: rng.chance(0.7) ? w.ids.address() : rng.pick(drops),
        phoneHash: rng.pick(phones),
        paymentAccountHash: rng.pick(cards),
      },
    });
  }
  return attempts;
}

/**
 * A buying plug-in on a reseller's own phones: a hook framework inside a
 * cloned app fires the order a few hundred ms before the official opening
 * (it reads the countdown off the page), through a couple of dozen accounts
 * shipping to two addresses to get past the per-account limit.
 */
function earlyPluginOrders(ctx: V2Context, flash: NonNullable<Segment['flash']>, limit: number): Attempt[] {
  const { rng, stream, w } = ctx;
  const crew = w.operator('ho_early_plugin', () => {
    const phones = handsets(w, w.rng.int(4, 6), () => ({ ...phoneDevice(w.rng, 'zh'), multiInstance: true, ...(w.rng.chance(0.6) ? { hooked: true } : {}) }));
    const home = [homeBroadband(w.rng, 'zh'), homeBroadband(w.rng, 'zh')];
    const addresses = [w.ids.address(), w.ids.address()];
    const names = [w.ids.make('rc', 14), w.ids.make('rc', 14)];
    const cards = [w.ids.make('pay', 16), w.ids.make('pay', 16), w.ids.make('pay', 16)];
    return Array.from({ length: w.rng.int(14, 26) }, (_, index) =>
      farmedAccount(w, w.start - w.rng.uniform(200, 1_500) * DAY, phones[index % phones.length] as { deviceId: string; device: DeviceInfo }, w.rng.pick(home), 'home', {
        addressHash: w.rng.pick(addresses),
        recipientHash: w.rng.pick(names),
        paymentHash: w.rng.pick(cards),
        tapRate: 2,
      }),
    );
  });
  const attempts: Attempt[] = [];
  for (const account of crew.accounts) {
    const joinAt = flash.at - rng.uniform(2, 10) * MINUTE;
    const session = stream.watch(account, joinAt, flash.at + rng.uniform(1, 4) * MINUTE);
    if (!session) continue;
    if (rng.chance(0.5)) stream.like(account, rng.uniform(joinAt, flash.at), rng.int(3, 30));
    const before = rng.chance(0.75);
    attempts.push({ account, at: before ? flash.at - rng.lognormal(280, 0.5) : flash.at + rng.lognormal(60, 0.4), quantity: limit, scalper: true, paidAfter: rng.uniform(3_000, 12_000) });
  }
  return attempts;
}

/**
 * A slow ring of aged accounts bought one by one (years old, each on its own
 * second-hand phone, on mobile data): orders spread over the first seconds
 * like a crowd's, but paid from a handful of cards and shipped to the
 * ring's lockers, in every flash room it works tonight.
 */
function slowRingOrders(ctx: V2Context, flash: NonNullable<Segment['flash']>, limit: number): Attempt[] {
  const { rng, stream, w } = ctx;
  const ring = w.operator('ho_slow_aged_ring', () => {
    const cards = Array.from({ length: w.rng.int(4, 6) }, () => w.ids.make('pay', 16));
    const names = Array.from({ length: w.rng.int(4, 7) }, () => w.ids.make('rc', 14));
    const lockers = Array.from({ length: w.rng.int(6, 9) }, () => w.ids.address());
    return Array.from({ length: w.rng.int(32, 55) }, () =>
      farmedAccount(w, w.start - w.rng.uniform(1.2, 4) * 365 * DAY, { deviceId: w.ids.device(), device: phoneDevice(w.rng, 'zh') }, carrierNat(w.rng, 'zh'), 'mobile', {
        paymentHash: w.rng.pick(cards),
        recipientHash: w.rng.pick(names),
        addressHash: w.rng.pick(lockers),
        chattiness: 0.02,
      }),
    );
  });
  const attempts: Attempt[] = [];
  for (const account of rng.sample(ring.accounts, rng.int(22, 40))) {
    const joinAt = flash.at - rng.uniform(40, 360) * SECOND;
    const session = stream.watch(account, joinAt, flash.at + rng.uniform(1, 6) * MINUTE);
    if (!session) continue;
    if (rng.chance(0.15)) stream.comment(account, rng.uniform(joinAt, flash.at), reaction(rng, ctx.locale));
    attempts.push({ account, at: flash.at + 600 + rng.lognormal(2_000, 0.55), quantity: limit, scalper: true, paidAfter: rng.uniform(5, 40) * SECOND });
  }
  return attempts;
}

// ------------------------------------------------------------ coupons

function roomCampaign(ctx: V2Context): RoomCampaign {
  const { rng, stream } = ctx;
  const typical = stream.setup.skus.reduce((sum, sku) => sum + sku.livePrice, 0) / stream.setup.skus.length;
  const minSpend = Math.max(2_000, Math.round((typical * rng.uniform(1.2, 1.8)) / 1_000) * 1_000);
  return { campaignId: ctx.ids.make('camp', 10), at: stream.startTs + (stream.endTs - stream.startTs) * rng.uniform(0.2, 0.45), value: Math.round((minSpend * rng.uniform(0.15, 0.25)) / 100) * 100, minSpend };
}

function grant(ctx: V2Context, campaign: { campaignId: string; value: number; minSpend: number }): CouponGrant {
  return { couponId: ctx.ids.make('cp', 14), campaignId: campaign.campaignId, value: campaign.value, minSpend: campaign.minSpend };
}

/** The cheapest way past the threshold: the fewest units of `sku` whose total reaches `minSpend`. */
function unitsToReach(sku: HoSku, minSpend: number): number {
  return Math.max(1, Math.ceil(minSpend / sku.livePrice));
}

/** An honest coupon order of an account that claimed one: enough units to pass the threshold, kept or refunded as real buyers do. */
function useCouponHonestly(ctx: V2Context, account: HoAccount, at: number, coupon: CouponGrant): void {
  const { rng, stream } = ctx;
  const sku = stream.segmentAt(at).sku;
  const quantity = unitsToReach(sku, coupon.minSpend ?? 0);
  if (quantity > 4 || Math.round(at) > stream.endTs) return;
  const refund = rng.chance(ctx.refundRate) ? { refundAt: stream.endTs + rng.uniform(1, 8) * DAY } : {};
  stream.order(account, at, sku, sku.livePrice, quantity, { paidAfter: rng.lognormal(30 * SECOND, 0.6), ...refund }, { couponId: coupon.couponId, discount: coupon.value });
}

function couponRoom(ctx: V2Context, plan: RoomPlan): void {
  const { rng, stream, w } = ctx;
  const campaign = roomCampaign(ctx);
  const afterRelease = (session: HoSession, latency: number): number => Math.max(campaign.at + latency, session.joinAt + SECOND);

  if (plan.traps.includes('ho_coupon_rush')) {
    // The host announces the drop: deal hunters pile in, and most of the room taps "claim" within seconds.
    for (let i = rng.int(60, 150); i > 0; i--) {
      const joinAt = campaign.at - 3 * SECOND - rng.exponential(90 * SECOND);
      const session = stream.watch(honestAccount(rng, ctx.ids, ctx.locale, stream.startTs), joinAt, campaign.at + rng.lognormal(4 * MINUTE, 0.7));
      if (session) ctx.crowd.push(session);
    }
    for (const session of presentAt(ctx.crowd, campaign.at)) {
      if (!rng.chance(0.6)) continue;
      const coupon = grant(ctx, campaign);
      const at = afterRelease(session, 500 + rng.lognormal(2_500, 0.8));
      stream.claimCoupon(session.account, at, coupon);
      if (rng.chance(0.3)) useCouponHonestly(ctx, session.account, Math.min(session.leaveAt, stream.endTs) - rng.uniform(5, 60) * SECOND, coupon);
    }
  }
  if (plan.traps.includes('ho_office_coupon_claims')) {
    // A team watching at the office: one or two exits, a colleague shouts "coupon!", all claim at once.
    const exits = [homeBroadband(rng, ctx.locale), homeBroadband(rng, ctx.locale)];
    const office = ctx.ids.address();
    for (let i = rng.int(20, 40); i > 0; i--) {
      const account = honestAccount(rng, ctx.ids, ctx.locale, stream.startTs, { ip: rng.chance(0.8) ? (exits[0] as string) : (exits[1] as string), network: 'office', ...(rng.chance(0.4) ? { addressHash: office } : {}) });
      const joinAt = campaign.at - rng.uniform(1, 12) * MINUTE;
      const session = stream.watch(account, joinAt, campaign.at + rng.uniform(3, 20) * MINUTE);
      if (!session) continue;
      w.honestSharers.add(account.accountId);
      if (!rng.chance(0.85)) continue;
      const coupon = grant(ctx, campaign);
      stream.claimCoupon(account, afterRelease(session, 900 + rng.lognormal(3_000, 0.7)), coupon);
      if (rng.chance(0.3)) useCouponHonestly(ctx, account, Math.min(session.leaveAt, stream.endTs) - rng.uniform(5, 60) * SECOND, coupon);
    }
  }
  if (plan.traps.includes('ho_honest_partial_return')) honestPartialReturns(ctx, campaign);
  if (plan.styles.includes('ho_dormant_batch_claim')) dormantBatchClaim(ctx, campaign);
  if (plan.styles.includes('ho_full_reduction_refund')) fullReductionRefund(ctx, campaign);
}

/**
 * Honest buyers return one item of a coupon order: where what is kept falls
 * under the threshold the platform takes the discount back from the refund;
 * where it stays above, the item is refunded in full.
 */
function honestPartialReturns(ctx: V2Context, campaign: RoomCampaign): void {
  const { rng, stream } = ctx;
  const buyers = rng.sample(presentAt(ctx.crowd, campaign.at + 30 * SECOND), rng.int(8, 18));
  for (const session of buyers) {
    const coupon = grant(ctx, campaign);
    const claimAt = Math.max(campaign.at + rng.lognormal(20 * SECOND, 1), session.joinAt + SECOND);
    stream.claimCoupon(session.account, claimAt, coupon);
    const at = Math.min(session.leaveAt, stream.endTs) - rng.uniform(2, 30) * SECOND;
    if (at <= claimAt) continue;
    const sku = stream.segmentAt(at).sku;
    const needed = unitsToReach(sku, campaign.minSpend);
    if (needed > 3) continue;
    const quantity = rng.chance(0.5) ? needed : needed + 1;
    const keptValue = sku.livePrice * (quantity - 1);
    const refundAmount = keptValue >= campaign.minSpend ? sku.livePrice : sku.livePrice - campaign.value;
    if (refundAmount <= 0) continue;
    stream.order(
      session.account,
      at,
      sku,
      sku.livePrice,
      quantity,
      { paidAfter: rng.lognormal(40 * SECOND, 0.5), refundAt: stream.endTs + rng.uniform(2, 9) * DAY, refundAmount, refund: { returned: true, reason: rng.pick(['size_exchange', 'one_item_damaged', 'changed_mind']) } },
      { couponId: coupon.couponId, discount: campaign.value },
    );
  }
}

/**
 * A wool party's dormant batch: signed up weeks ago in bursts from a few
 * cloned-app phones, silent since; a script opens the room before the drop
 * and claims within a fraction of a second; a third of the coupons are spent
 * at once, shipped to the party's collection points, the rest sold on.
 */
function dormantBatchClaim(ctx: V2Context, campaign: RoomCampaign): void {
  const { rng, stream, w } = ctx;
  const collection = w.kit('wool-party collection points', () => [w.ids.address(), w.ids.address(), w.ids.address()]);
  const party = w.operator('ho_dormant_batch_claim', () => {
    const devices = handsets(w, w.rng.int(8, 14), () => ({ ...fixedDevice(w.rng, w.rng.pick(RACK_MODELS)), multiInstance: true }));
    const block = datacenterBlock(w.rng);
    return Array.from({ length: w.rng.int(2, 3) }, () =>
      registerBurst(w, w.rng.int(25, 50), w.start - w.rng.uniform(20, 90) * DAY, w.rng.uniform(4, 12) * MINUTE, w.rng.sample(devices, w.rng.int(3, 6)), () => inBlock(w.rng, block), 'invite_reward'),
    ).flat();
  });
  const claimed: string[] = [];
  for (const account of rng.sample(party.accounts, rng.int(30, 60))) {
    const joinAt = campaign.at - rng.uniform(5, 60) * SECOND;
    const session = stream.watch(account, joinAt, campaign.at + rng.uniform(5, 40) * SECOND);
    if (!session) continue;
    const coupon = grant(ctx, campaign);
    const at = campaign.at + 120 + rng.lognormal(400, 0.5);
    stream.claimCoupon(account, at, coupon);
    claimed.push(account.accountId);
    if (rng.chance(0.35)) {
      const sku = stream.segmentAt(at).sku;
      const quantity = unitsToReach(sku, campaign.minSpend);
      stream.order(account, at + rng.uniform(2, 5) * SECOND, sku, sku.livePrice, quantity, { paidAfter: rng.uniform(2, 10) * SECOND }, {
        couponId: coupon.couponId,
        discount: campaign.value,
        addressHash: rng.pick(collection),
        recipientHash: w.ids.make('rc', 14),
      });
    }
  }
  for (const account of claimed) party.acted.add(account);
  ctx.mark('ho_dormant_batch_claim', claimed);
}

/**
 * The full-reduction exploit: a party claims the room's "spend X, save Y",
 * buys two units to pass X, then refunds one at its full price days later,
 * so what it keeps sits under X while the discount stays with it.
 */
function fullReductionRefund(ctx: V2Context, campaign: RoomCampaign): void {
  const { rng, stream, w } = ctx;
  const party = w.operator('ho_full_reduction_refund', () => {
    const devices = handsets(w, 3, () => ({ ...phoneDevice(w.rng, 'zh'), multiInstance: true }));
    const home = homeBroadband(w.rng, 'zh');
    const addresses = [w.ids.address(), w.ids.address()];
    const cards = [w.ids.make('pay', 16), w.ids.make('pay', 16)];
    return registerBurst(w, w.rng.int(12, 24), w.start - w.rng.uniform(10, 40) * DAY, w.rng.uniform(20, 50) * MINUTE, devices, () => home, 'new_user_gift').map((account) => {
      account.network = 'home';
      account.ip = home;
      account.addressHash = w.rng.pick(addresses);
      account.paymentHash = w.rng.pick(cards);
      return account;
    });
  });
  // The product they work: one unit under the threshold, two past it.
  const sku = [...stream.setup.skus].sort((a, b) => Math.abs(a.livePrice - campaign.minSpend * 0.6) - Math.abs(b.livePrice - campaign.minSpend * 0.6))[0] as HoSku;
  const unitPrice = Math.max(sku.livePrice, Math.ceil(campaign.minSpend / 2 / 10) * 10);
  if (unitPrice >= campaign.minSpend || unitPrice < campaign.value) return;
  const acted: string[] = [];
  for (const account of party.accounts) {
    const joinAt = campaign.at - rng.uniform(0, 4) * MINUTE;
    const session = stream.watch(account, joinAt, campaign.at + rng.uniform(5, 15) * MINUTE);
    if (!session) continue;
    const coupon = grant(ctx, campaign);
    const claimAt = Math.max(campaign.at + rng.uniform(2, 120) * SECOND, joinAt + SECOND);
    stream.claimCoupon(account, claimAt, coupon);
    const at = Math.min(session.leaveAt, stream.endTs) - rng.uniform(10, 120) * SECOND;
    if (at <= claimAt) continue;
    stream.order(
      account,
      at,
      sku,
      unitPrice,
      2,
      {
        paidAfter: rng.uniform(10, 60) * SECOND,
        refundAt: stream.endTs + rng.uniform(1, 3) * DAY,
        refundAmount: unitPrice,
        refund: rng.chance(0.5) ? { returned: false, reason: 'not_needed' } : { returned: true, reason: 'changed_mind' },
      },
      { couponId: coupon.couponId, discount: campaign.value },
    );
    acted.push(account.accountId);
  }
  for (const account of acted) party.acted.add(account);
  ctx.mark('ho_full_reduction_refund', acted);
}

/** A platform-wide coupon campaign claimed on its page, outside every room. */
interface PlatformCampaign {
  campaignId: string;
  at: number;
  value: number;
  minSpend: number;
  /** Coupons the pooling party hoarded and has not spent yet. */
  pool: CouponGrant[];
}

/**
 * The platform drops a campaign on the hour: a pooling party's batch of
 * sign-up-farm accounts claims within a second or two from cloned apps,
 * honest users trickle in from the push over the next minutes.
 */
function platformCouponCampaign(w: World, at: number): PlatformCampaign {
  const { rng } = w;
  const campaign: PlatformCampaign = { campaignId: w.ids.make('camp', 10), at, value: rng.pick([1_000, 1_500, 2_000]), minSpend: rng.pick([5_900, 9_900]), pool: [] };
  const party = w.operator('ho_pooled_coupons', () => {
    const devices = handsets(w, rng.int(5, 8), () => ({ ...fixedDevice(rng, rng.pick(RACK_MODELS)), multiInstance: true }));
    const block = datacenterBlock(rng);
    const claimers = Array.from({ length: rng.int(2, 3) }, () =>
      registerBurst(w, rng.int(30, 50), w.start - rng.uniform(10, 60) * DAY, rng.uniform(5, 15) * MINUTE, rng.sample(devices, 3), () => inBlock(rng, block), 'sms_code'),
    ).flat();
    // The buyers who spend the pool log in on the same cloned-app phones.
    const addresses = [w.ids.address(), w.ids.address()];
    const buyers = Array.from({ length: rng.int(4, 8) }, () =>
      farmedAccount(w, w.start - rng.uniform(100, 900) * DAY, rng.pick(devices), homeBroadband(rng, 'zh'), 'home', { addressHash: rng.pick(addresses) }),
    );
    return [...claimers, ...buyers];
  });
  const buyers = new Set(party.accounts.filter((account) => !w.registrations.has(account.accountId)));
  const claim = (account: HoAccount, ts: number, coupon: CouponGrant): void => {
    w.seen.set(account.accountId, account);
    w.accountEvents.push({ id: w.accountEventId(), type: 'coupon.claimed', ts: Math.round(ts), accountId: account.accountId, deviceId: account.deviceId, ip: account.ip, couponId: coupon.couponId, campaignId: coupon.campaignId, value: coupon.value, minSpend: campaign.minSpend, device: account.device });
  };
  for (const account of party.accounts) {
    if (buyers.has(account)) continue;
    const coupon: CouponGrant = { couponId: w.ids.make('cp', 14), campaignId: campaign.campaignId, value: campaign.value, minSpend: campaign.minSpend };
    claim(account, at + 200 + rng.lognormal(700, 0.5), coupon);
    campaign.pool.push(coupon);
    w.couponHoarders.add(account.accountId);
    party.acted.add(account.accountId);
  }
  // Honest users open the push over the next minutes; many were registered long ago.
  for (let i = rng.int(100, 220); i > 0; i--) {
    const account = rng.chance(0.3) ? rng.pick(w.regulars.zh) : honestAccount(rng, w.ids, 'zh', w.start);
    claim(account, at + 1_500 + rng.lognormal(40 * SECOND, 1.3), { couponId: w.ids.make('cp', 14), campaignId: campaign.campaignId, value: campaign.value, minSpend: campaign.minSpend });
  }
  return campaign;
}

/** The pooling party's buyers spend the hoarded coupons in a room, one claimer's coupon per order. */
function pooledCouponUse(ctx: V2Context, campaign: PlatformCampaign): void {
  const { rng, stream, w } = ctx;
  const party = w.operator('ho_pooled_coupons', () => []);
  const buyers = party.accounts.filter((account) => !w.registrations.has(account.accountId));
  const acted: string[] = [];
  for (const buyer of buyers) {
    const joinAt = stream.startTs + rng.uniform(2, 20) * MINUTE;
    const session = stream.watch(buyer, joinAt, joinAt + rng.uniform(15, 35) * MINUTE);
    if (!session) continue;
    const to = Math.min(session.leaveAt, stream.endTs) - SECOND;
    let at = joinAt + rng.uniform(20, 90) * SECOND;
    let orders = 0;
    for (let n = rng.int(4, 12); n > 0 && at < to && campaign.pool.length > 0; n--) {
      const coupon = campaign.pool.shift() as CouponGrant;
      const sku = stream.segmentAt(at).sku;
      stream.order(buyer, at, sku, sku.livePrice, unitsToReach(sku, campaign.minSpend), { paidAfter: rng.uniform(5, 30) * SECOND }, { couponId: coupon.couponId, discount: campaign.value });
      orders++;
      at += rng.uniform(40, 180) * SECOND;
    }
    if (orders > 0) acted.push(buyer.accountId);
  }
  for (const account of acted) party.acted.add(account);
  ctx.mark('ho_pooled_coupons', acted);
}

// ------------------------------------------------------------ shops

/**
 * A top-up shop the crew controls: bulk-registered accounts on a few cloned
 * phones, each paying with its own new credit line, buy game coins and
 * top-ups of high face value, then take the platform's quick refund,
 * nothing to return, within the hour.
 */
function topupRefundCashout(ctx: V2Context): void {
  const { rng, stream, w } = ctx;
  const crew = w.operator('ho_topup_refund_cashout', () => {
    const devices = handsets(w, w.rng.int(2, 4), () => ({ ...phoneDevice(w.rng, 'zh'), multiInstance: true }));
    const home = homeBroadband(w.rng, 'zh');
    return registerBurst(w, w.rng.int(14, 24), w.start - w.rng.uniform(5, 30) * DAY, w.rng.uniform(30, 90) * MINUTE, devices, () => home, 'new_user_credit').map((account) => {
      account.network = 'home';
      account.ip = home;
      return account;
    });
  });
  const dear = stream.setup.skus.filter((sku) => sku.livePrice >= 30_000);
  const skus = dear.length > 0 ? dear : stream.setup.skus;
  const acted: string[] = [];
  for (const account of crew.accounts) {
    const joinAt = stream.startTs + rng.uniform(0.05, 0.8) * (stream.endTs - stream.startTs);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(1, 4) * MINUTE);
    if (!session) continue;
    for (let n = rng.int(1, 3); n > 0; n--) {
      const at = rng.uniform(joinAt + 5 * SECOND, Math.min(session.leaveAt, stream.endTs) - SECOND);
      const sku = rng.pick(skus);
      const keeps = rng.chance(0.15);
      stream.order(account, at, sku, sku.livePrice, rng.int(1, 2), {
        paidAfter: rng.uniform(5, 40) * SECOND,
        ...(keeps ? {} : { refundAt: at + rng.uniform(10, 120) * MINUTE, refund: { returned: false, reason: rng.pick(['recharge_not_received', 'recharge_not_received', 'code_invalid', 'changed_mind']) } }),
      });
    }
    acted.push(account.accountId);
  }
  for (const account of acted) crew.acted.add(account);
  ctx.mark('ho_topup_refund_cashout', acted);
}

/**
 * A gift-card shop the crew controls: linked accounts pay with credit for
 * high-value cards, again and again, and never refund: the cash has reached
 * the shop, the codes are resold.
 */
function giftcardCashKept(ctx: V2Context): void {
  const { rng, stream, w } = ctx;
  const crew = w.operator('ho_giftcard_cash_kept', () => {
    const devices = handsets(w, 3, () => ({ ...phoneDevice(w.rng, 'zh'), multiInstance: true }));
    const home = homeBroadband(w.rng, 'zh');
    return registerBurst(w, w.rng.int(10, 18), w.start - w.rng.uniform(8, 45) * DAY, w.rng.uniform(20, 60) * MINUTE, devices, () => home, 'credit_promo').map((account) => {
      account.network = 'home';
      account.ip = home;
      return account;
    });
  });
  const dear = stream.setup.skus.filter((sku) => sku.livePrice >= 50_000);
  const skus = dear.length > 0 ? dear : stream.setup.skus;
  const acted: string[] = [];
  for (const account of crew.accounts) {
    const joinAt = stream.startTs + rng.uniform(0.05, 0.8) * (stream.endTs - stream.startTs);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(2, 6) * MINUTE);
    if (!session) continue;
    for (let n = rng.int(2, 4); n > 0; n--) {
      const sku = rng.pick(skus);
      stream.order(account, rng.uniform(joinAt + 5 * SECOND, Math.min(session.leaveAt, stream.endTs) - SECOND), sku, sku.livePrice, rng.int(1, 3), { paidAfter: rng.uniform(5, 30) * SECOND });
    }
    acted.push(account.accountId);
  }
  for (const account of acted) crew.acted.add(account);
  ctx.mark('ho_giftcard_cash_kept', acted);
}

/** An honest gift-card shop: unrelated buyers, a few corporate orders of many cards, an occasional refund of an unused code. */
function honestGiftcardShop(ctx: V2Context): void {
  const { rng, stream } = ctx;
  for (const session of ctx.crowd) {
    if (!rng.chance(0.2)) continue;
    const at = rng.uniform(session.joinAt, Math.min(session.leaveAt, stream.endTs) - SECOND);
    if (at <= session.joinAt) continue;
    const sku = rng.pick(stream.setup.skus);
    const corporate = rng.chance(0.04);
    stream.order(session.account, at, sku, sku.livePrice, corporate ? rng.int(5, 12) : 1, {
      paidAfter: rng.lognormal(40 * SECOND, 0.6),
      ...(rng.chance(0.04) ? { refundAt: at + rng.uniform(1, 48) * HOUR } : {}),
    });
  }
}

/**
 * A fresh-food shop: plenty of unrelated buyers, and spoiled or crushed
 * produce refunded without return (whole or part), days after delivery.
 */
function freshFoodOrders(ctx: V2Context): void {
  const { rng, stream } = ctx;
  for (const session of ctx.crowd) {
    if (!rng.chance(0.18)) continue;
    const to = Math.min(session.leaveAt, stream.endTs) - SECOND;
    if (to <= session.joinAt) continue;
    const at = rng.uniform(session.joinAt, to);
    const sku = stream.segmentAt(at).sku;
    const quantity = rng.chance(0.7) ? 1 : rng.int(2, 3);
    const spoiled = rng.chance(0.22);
    stream.order(session.account, at, sku, sku.livePrice, quantity, {
      paidAfter: rng.lognormal(30 * SECOND, 0.6),
      ...(spoiled ? { refundAt: stream.endTs + rng.uniform(1, 4) * DAY, refundAmount: Math.round(sku.livePrice * quantity * rng.uniform(0.3, 1)) } : {}),
    });
  }
}

// ------------------------------------------------------------ rings

/**
 * An operator ring hiding among viewers: a core on five cloned-app phones,
 * the rest each on a phone of its own, linked only by the ring's few cards
 * and addresses; members chat and tap like anyone, come and go at scattered
 * times, and buy the host's product for resale, in every room it works.
 */
function ringCamouflage(ctx: V2Context): void {
  const { rng, stream, w } = ctx;
  const ring = w.operator('ho_ring_camouflage', () => {
    const phones = handsets(w, 5, () => ({ ...phoneDevice(w.rng, 'zh'), ...(w.rng.chance(0.6) ? { multiInstance: true } : {}) }));
    const cards = [w.ids.make('pay', 16), w.ids.make('pay', 16), w.ids.make('pay', 16)];
    const addresses = [w.ids.address(), w.ids.address(), w.ids.address()];
    const home = homeBroadband(w.rng, 'zh');
    return Array.from({ length: w.rng.int(24, 40) }, (_, index) => {
      const core = index < 18;
      const createdAt = w.rng.chance(0.4) ? w.start - w.rng.uniform(400, 1_500) * DAY : w.start - w.rng.uniform(3, 20) * DAY;
      const device = core ? (phones[index % phones.length] as { deviceId: string; device: DeviceInfo }) : { deviceId: w.ids.device(), device: phoneDevice(w.rng, 'zh') };
      return farmedAccount(w, createdAt, device, core ? home : carrierNat(w.rng, 'zh'), core ? 'home' : 'mobile', {
        paymentHash: w.rng.pick(cards),
        addressHash: w.rng.pick(addresses),
        recipientHash: w.ids.make('rc', 14),
        chattiness: core ? 0.01 : w.rng.uniform(0.05, 0.3),
        tapRate: w.rng.uniform(1, 6),
        buyingMood: 0,
      });
    });
  });
  const acted: string[] = [];
  for (const account of ring.accounts) {
    if (!rng.chance(0.7)) continue;
    const joinAt = stream.startTs + rng.uniform(0.02, 0.6) * (stream.endTs - stream.startTs);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(5, 25) * MINUTE);
    if (!session) continue;
    honestActivity(ctx, session);
    const to = Math.min(session.leaveAt, stream.endTs) - SECOND;
    if (rng.chance(0.5) && to > joinAt + 30 * SECOND) {
      const at = rng.uniform(joinAt + 30 * SECOND, to);
      const sku = stream.segmentAt(at).sku;
      if (!stream.lockedAt(at)) stream.order(account, at, sku, sku.livePrice, rng.int(1, 2), { paidAfter: rng.lognormal(40 * SECOND, 0.5) });
    }
    acted.push(account.accountId);
  }
  for (const account of acted) ring.acted.add(account);
  ctx.mark('ho_ring_camouflage', acted);
}

/**
 * A ring linked as a chain, each member sharing one thing with the next (a
 * phone, a card, an address, a contact number) and nothing with the rest;
 * dormant apart from the top of the hour, when they all come in for the
 * hourly deal and buy one item each.
 */
function ringChainLinks(ctx: V2Context): void {
  const { rng, stream, w } = ctx;
  const ring = w.operator('ho_ring_chain_links', () => {
    const members: HoAccount[] = [];
    const size = w.rng.int(12, 20);
    for (let i = 0; i < size; i++) {
      const account = farmedAccount(w, w.start - w.rng.uniform(60, 700) * DAY, { deviceId: w.ids.device(), device: phoneDevice(w.rng, 'zh') }, carrierNat(w.rng, 'zh'), 'mobile', {
        paymentHash: w.ids.make('pay', 16),
        recipientHash: w.ids.make('rc', 14),
        chattiness: 0.02,
      });
      const previous = members[i - 1];
      if (previous) {
        switch (i % 4) {
          case 0:
            // Both log in on one phone at once: an app cloner runs the second.
            previous.device = { ...previous.device, multiInstance: true };
            account.deviceId = previous.deviceId;
            account.device = previous.device;
            break;
          case 1:
            account.paymentHash = previous.paymentHash;
            break;
          case 2:
            account.addressHash = previous.addressHash;
            break;
          default:
            account.phoneHash = previous.phoneHash;
        }
      }
      members.push(account);
    }
    return members;
  });
  const hour = Math.ceil(stream.startTs / HOUR) * HOUR;
  if (hour > stream.endTs - 8 * MINUTE) return;
  const acted: string[] = [];
  for (const account of ring.accounts) {
    const joinAt = hour + rng.uniform(-60, 120) * SECOND;
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(4, 9) * MINUTE);
    if (!session) continue;
    const at = Math.min(hour + rng.uniform(2, 6) * MINUTE, Math.min(session.leaveAt, stream.endTs) - SECOND);
    if (at > joinAt && !stream.lockedAt(at)) {
      const sku = stream.segmentAt(at).sku;
      stream.order(account, at, sku, sku.livePrice, 1, { paidAfter: rng.uniform(10, 60) * SECOND });
    }
    if (rng.chance(0.2)) stream.comment(account, rng.uniform(joinAt, Math.min(session.leaveAt, stream.endTs)), honestComment(rng, ctx.locale, 1));
    acted.push(account.accountId);
  }
  for (const account of acted) ring.acted.add(account);
  ctx.mark('ho_ring_chain_links', acted);
}

/**
 * A campus ambassador's sign-up drive: dozens of students register within
 * the hour on the campus egress, each on their own phone, hours before the
 * show; some of them watch it together.
 */
function campusSignupDrive(ctx: V2Context): void {
  const { rng, stream, w } = ctx;
  const egress = campusEgress(rng);
  const driveAt = stream.startTs - rng.uniform(2, 8) * HOUR;
  for (let i = rng.int(30, 60); i > 0; i--) {
    const account = honestAccount(rng, ctx.ids, ctx.locale, stream.startTs, { createdAt: Math.round(driveAt + rng.uniform(0, 40) * MINUTE), ip: rng.pick(egress), network: 'campus' });
    w.register(account, { deviceId: account.deviceId, device: account.device, ip: account.ip, channel: 'campus_ambassador', bulk: false });
    w.honestSharers.add(account.accountId);
    if (!rng.chance(0.5)) continue;
    const joinAt = stream.startTs + rng.uniform(0.1, 0.5) * (stream.endTs - stream.startTs);
    const session = stream.watch(account, joinAt, joinAt + rng.uniform(5, 30) * MINUTE);
    if (session) honestActivity(ctx, session);
  }
}

/** The kind a v2 style commits. */
export function v2StyleKind(style: string): ReportKind | undefined {
  return KIND_OF_V2_STYLE.get(style);
}

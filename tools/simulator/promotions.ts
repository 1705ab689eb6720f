import type { DeviceInfo, RoomEvent } from '../../src/events/event.schema.js';
import type { ReportKind } from '../../src/detection/engine/finding.js';
import type { IdRegistry, SimAccount } from './accounts.js';
import { FARM_HANDSETS, ipIn, pickHandset, subnet24 } from './catalog.js';
import { Rng } from './prng.js';
import type { LedgerOrder, RoomBuilder, ViewerSession } from './room.js';

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Promotion abuse and cash-out (issue 15) on the main generator: wool
 * parties and full-reduction rings working coupon campaigns, cash-out shops
 * selling virtual goods to their own linked accounts; and their honest
 * twins: a coupon rush of real people with a size exchange, an honest
 * gift-card shop, a fresh-food shop refunding spoiled goods without return.
 *
 * Every draw comes from generators of its own (seeded by the evening and the
 * stream), so the rooms' v1 traffic and the storefront's v2 traffic are drawn
 * exactly as without it. Event ids are `…-pr-…`.
 */
export const PROMOTION_STYLES = {
  coupon_abuse: ['wool_party', 'wool_party_proxies', 'full_reduction_ring'],
  cash_out: ['cash_out_shop', 'cash_out_kept'],
} as const;

export type PromotionStyle = (typeof PROMOTION_STYLES)[keyof typeof PROMOTION_STYLES][number];

/** The evening's promotion underground and what it leaves for the truth. */
export interface EveningPromotions {
  rng: Rng;
  ids: IdRegistry;
  /** A wool party's stock of accounts: registered in batches months ago, on a few phones running cloned apps, dormant since. */
  woolStock: SimAccount[];
  /** The same party's second line: accounts on residential proxies and real second-hand phones, registered in batches too. */
  proxyStock: SimAccount[];
  accountEvents: RoomEvent[];
  cashOutMerchants: string[];
  honestTwinMerchants: string[];
  bulkRegistered: string[];
  /** Honest rooms given a twin so far (the first food room, the first gift-card lane...). */
  twins: { giftCard: number; freshFood: number; rush: number };
}

export function newEveningPromotions(seed: number, ids: IdRegistry, eveningStart: number): EveningPromotions {
  const rng = new Rng((Math.imul(seed + 7, 0x2545f491) ^ 0x70726f6d) >>> 0);
  const own = ids.branch(rng.fork());
  const promotions: EveningPromotions = {
    rng,
    ids: own,
    woolStock: [],
    proxyStock: [],
    accountEvents: [],
    cashOutMerchants: [],
    honestTwinMerchants: [],
    bulkRegistered: [],
    twins: { giftCard: 0, freshFood: 0, rush: 0 },
  };
  promotions.woolStock = woolPartyStock(promotions, eveningStart, rng.int(250, 400), 'cloned');
  promotions.proxyStock = woolPartyStock(promotions, eveningStart, rng.int(120, 200), 'proxies');
  return promotions;
}

/**
 * Accounts registered in sittings of 20–60, months before tonight, and
 * left dormant. `cloned`: 8–16 accounts per phone through an app cloner
 * (multiInstance), a few farm handsets, one or two subnets. `proxies`: each
 * account its own second-hand phone and a residential proxy, but registered
 * in the same batches (same channel, minutes apart).
 */
function woolPartyStock(promotions: EveningPromotions, now: number, size: number, kind: 'cloned' | 'proxies'): SimAccount[] {
  const { rng, ids } = promotions;
  const accounts: SimAccount[] = [];
  const phones: { deviceId: string; device: DeviceInfo }[] = [];
  const subnets = Array.from({ length: rng.int(1, 3) }, () => subnet24(rng));
  const channel = rng.pick(['sms_invite', 'ad_campaign', 'partner_h5', 'app_store']);
  let batchStart = now - rng.uniform(60, 150) * DAY;
  while (accounts.length < size) {
    const batch = Math.min(size - accounts.length, rng.int(20, 60));
    for (let i = 0; i < batch; i++) {
      let hardware: { deviceId: string; device: DeviceInfo };
      if (kind === 'cloned') {
        if (phones.length === 0 || (accounts.length % rng.int(8, 16) === 0 && rng.chance(0.9))) {
          const handset = rng.pick(FARM_HANDSETS);
          phones.push({ deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.6), multiInstance: true } });
        }
        hardware = phones[phones.length - 1] as { deviceId: string; device: DeviceInfo };
      } else {
        const handset = pickHandset(rng, 'zh');
        hardware = { deviceId: ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false } };
      }
      const createdAt = Math.round(batchStart + i * rng.uniform(3, 40) * SECOND);
      const account: SimAccount = {
        accountId: ids.accountId(),
        createdAt,
        deviceId: hardware.deviceId,
        device: hardware.device,
        ip: kind === 'cloned' ? ipIn(rng.pick(subnets), rng) : ipIn(subnet24(rng), rng),
        phoneHash: ids.phoneHash(),
        addressHash: ids.addressHash(),
        engagement: 0,
      };
      accounts.push(account);
      promotions.bulkRegistered.push(account.accountId);
      // Most batches are registered through the platform's sign-up API, which reports them; some were bought already registered.
      if (rng.chance(0.85)) {
        promotions.accountEvents.push({
          id: `pr-reg-${account.accountId}`,
          type: 'account.registered',
          ts: createdAt,
          accountId: account.accountId,
          deviceId: account.deviceId,
          ip: account.ip,
          phoneHash: account.phoneHash,
          channel,
          device: account.device,
        });
      }
    }
    batchStart += rng.uniform(1, 12) * DAY;
  }
  return accounts;
}

/** What the promotion styles and twins did in one room. */
export interface PromotionOutcome {
  traps: string[];
  /**
   * Call after the storefront described the honest orders: puts back the
   * v2 fields the promotions gave their orders (the storefront gives every
   * honest order physical goods and its own refund outcome), and lets a
   * fresh-food twin's bad batch go bad.
   */
  settle(): void;
}

/**
 * One room's promotions: the attack styles among `styles`, or an honest
 * twin for an honest room (by its position among the honest rooms).
 * `mark` labels the kind and its accounts.
 */
export function playPromotions(
  promotions: EveningPromotions,
  room: RoomBuilder,
  sessions: readonly ViewerSession[],
  styles: readonly string[],
  organicIndex: number | null,
  mark: (kind: ReportKind, accounts: readonly string[]) => void,
): PromotionOutcome {
  const rng = new Rng(hashOf(`promotions:${room.setup.streamId}`));
  const traps: string[] = [];
  const before = new Set(room.orders);
  let freshFood = false;
  const has = (style: PromotionStyle): boolean => styles.includes(style);
  if (has('wool_party')) mark('coupon_abuse', woolParty(promotions, room, sessions, rng, promotions.woolStock, 'wool_party'));
  if (has('wool_party_proxies')) mark('coupon_abuse', woolParty(promotions, room, sessions, rng, promotions.proxyStock, 'wool_party_proxies'));
  if (has('full_reduction_ring')) mark('coupon_abuse', fullReductionRing(promotions, room, sessions, rng));
  if (has('cash_out_shop')) {
    mark('cash_out', cashOutShop(promotions, room, sessions, rng));
    promotions.cashOutMerchants.push(room.setup.merchantId);
  }
  if (has('cash_out_kept')) {
    mark('cash_out', cashOutKept(promotions, room, sessions, rng));
    promotions.cashOutMerchants.push(room.setup.merchantId);
  }
  if (organicIndex !== null) {
    // Honest twins, spread over the honest rooms so a small evening has each.
    if (organicIndex % 4 === 1 || (organicIndex % 4 === 3 && promotions.twins.rush < 2)) {
      const { exchanges, households } = honestRush(room, sessions, rng);
      promotions.twins.rush++;
      traps.push('coupon_rush', ...(exchanges > 0 ? ['size_exchange'] : []), ...(households > 0 ? ['household_coupons'] : []));
    }
    if (organicIndex % 6 === 2 || (organicIndex % 6 === 4 && promotions.twins.giftCard === 0)) {
      honestGiftCardShop(room, sessions, rng);
      promotions.twins.giftCard++;
      promotions.honestTwinMerchants.push(room.setup.merchantId);
      traps.push('gift_card_shop');
    } else if (room.setup.category === 'food' && (promotions.twins.freshFood === 0 || rng.chance(0.6)) && freshFoodCandidates(room).length >= 15) {
      freshFood = true;
      promotions.twins.freshFood++;
      promotions.honestTwinMerchants.push(room.setup.merchantId);
      traps.push('fresh_food_refunds');
    }
  }
  const mine = room.orders.filter((order) => !before.has(order)).map((order) => [order, { ...order.v2 }] as const);
  return {
    traps,
    settle: () => {
      for (const [order, v2] of mine) order.v2 = { ...order.v2, ...v2 };
      if (freshFood) freshFoodRefunds(room, rng);
    },
  };
}

/**
 * A big "spend X, save Y" campaign of the room (full reduction). The wool
 * party's script fires at the release second from its stock, all within a
 * second or two; present viewers rush it too, seconds later as people do.
 * A share of the hoard is resold (the coupon used by buyers of a resale
 * market, other accounts), a share used by the party itself on orders to
 * its two or three drop addresses, some of those gaming the threshold (two
 * pieces past it, one refunded at full price the same day, discount kept);
 * the rest is never used. Half the parties pool instead of reselling: that
 * share is spent by two or three accounts of the party's own, each using
 * the coupons of many claimers and shipping to the drops (their own draws,
 * so the rest of the party plays as it did before they were added).
 */
function woolParty(
  promotions: EveningPromotions,
  room: RoomBuilder,
  sessions: readonly ViewerSession[],
  rng: Rng,
  stock: readonly SimAccount[],
  style: 'wool_party' | 'wool_party_proxies',
): string[] {
  const { startTs, endTs } = room;
  const releaseAt = Math.round(startTs + (endTs - startTs) * rng.uniform(0.2, 0.5));
  const value = rng.pick([2_000, 3_000, 5_000]);
  const minSpend = value * 5;
  const campaignId = `cpb-${room.setup.streamId}`;
  const party = rng.sample(stock, rng.int(30, Math.min(90, stock.length)));
  let serial = 0;
  const couponOf = (): string => `${campaignId}-${String(++serial).padStart(5, '0')}`;
  // Real viewers rush the same release.
  honestClaims(room, sessions, rng, { campaignId, value, minSpend, releaseAt, medianMs: 4 * SECOND }, couponOf);
  const spread = style === 'wool_party' ? 900 : 2_500;
  const drops = Array.from({ length: rng.int(2, 3) }, () => promotions.ids.addressHash());
  const sku = cheapestOver(room, minSpend);
  const claimers: string[] = [];
  const pool = new Rng(hashOf(`pool:${campaignId}`));
  const spenders = pool.chance(0.5) ? Array.from({ length: pool.int(2, 3) }, () => marketBuyer(promotions, pool, startTs)) : [];
  const pooling = new Set<string>();
  for (const account of party) {
    const at = releaseAt + Math.round(rng.uniform(20, spread));
    const couponId = couponOf();
    room.claimCoupon(account, at, { couponId, campaignId, value, minSpend });
    claimers.push(account.accountId);
    const use = rng.next();
    if (use < 0.3) {
      // Resold: a buyer from the second-hand market uses it (an account of its own, its own address); or pooled, spent by one of the party's spenders.
      const buyer = marketBuyer(promotions, rng, at);
      const usedAt = at + rng.uniform(5, 30) * MINUTE;
      const spender = spenders.length > 0 ? pool.pick(spenders) : undefined;
      if (spender === undefined) couponOrder(room, buyer, usedAt, sku, minSpend, value, couponId, { shipTo: buyer.addressHash });
      else if (couponOrder(room, spender, usedAt, sku, minSpend, value, couponId, { shipTo: pool.pick(drops) }) !== null) pooling.add(spender.accountId);
    } else if (use < 0.6) {
      const exploit = rng.chance(0.6);
      couponOrder(room, account, at + rng.uniform(0.5, 20) * MINUTE, sku, minSpend, value, couponId, { shipTo: rng.pick(drops), exploit, rng });
    }
  }
  return [...claimers, ...pooling];
}

/**
 * A full-reduction ring: 6–12 aged accounts on their own phones claim the
 * room's coupon like anyone (seconds after release), then each buys two
 * pieces past the threshold, refunds one at full price within hours (the
 * discount stays) and ships what is left to the ring's one or two addresses.
 */
function fullReductionRing(promotions: EveningPromotions, room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng): string[] {
  const { startTs, endTs } = room;
  const releaseAt = Math.round(startTs + (endTs - startTs) * rng.uniform(0.2, 0.5));
  // The ring works the rooms whose threshold it can game: one piece of the shop's cheapest fitting SKU
  // falls short of it, two pass it. Where the usual thresholds fit none, the room's own is set that way.
  const offered = rng.pick([1_000, 2_000, 3_000]);
  const value = exploitable(room, offered * 5) ? offered : exploitableValue(room);
  const minSpend = value * 5;
  const campaignId = `cpr-${room.setup.streamId}`;
  let serial = 0;
  const couponOf = (): string => `${campaignId}-${String(++serial).padStart(5, '0')}`;
  honestClaims(room, sessions, rng, { campaignId, value, minSpend, releaseAt, medianMs: 6 * SECOND }, couponOf);
  const drops = Array.from({ length: rng.int(1, 2) }, () => promotions.ids.addressHash());
  const sku = cheapestOver(room, minSpend);
  const ring: string[] = [];
  for (let i = 0, size = rng.int(6, 12); i < size; i++) {
    const account = agedAccount(promotions, rng, startTs);
    const at = releaseAt + Math.round(Math.min(60 * SECOND, rng.lognormal(5 * SECOND, 0.7)));
    // Each member claims once per campaign; a few claim again through the resale channel (a second coupon of the same campaign).
    for (let n = 0, orders = rng.chance(0.4) ? 2 : 1; n < orders; n++) {
      const couponId = couponOf();
      room.claimCoupon(account, at + n * rng.int(20, 90) * SECOND, { couponId, campaignId, value, minSpend });
      couponOrder(room, account, at + (n + 1) * rng.uniform(1, 8) * MINUTE, sku, minSpend, value, couponId, { shipTo: rng.pick(drops), exploit: true, rng });
    }
    ring.push(account.accountId);
  }
  return ring;
}

/**
 * A cash-out shop: the room's merchant sells gift cards, game coins and
 * top-ups; 10–24 accounts of its operator, a few per phone behind an app
 * cloner, paying with a handful of credit accounts, buy high-value codes
 * again and again, and most of those orders are refunded without return
 * within hours or days (the shop keeps the payment, the account gets the
 * refund: credit turned cash). Real viewers buy a few codes too.
 */
function cashOutShop(promotions: EveningPromotions, room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng): string[] {
  return cashOutTrades(promotions, room, sessions, rng, { orders: [2, 6], quantity: [1, 3], refunds: true });
}

/**
 * A cash-out shop that keeps the cash: the operator's accounts pay its
 * virtual goods with credit lines (a handful of credit accounts), the
 * platform settles the money to the shop, which is the operator's, and the
 * codes are never used; nothing is refunded, so nothing but who the buyers
 * are and how much of the shop they are shows it. Orders are high-value
 * and repeated, spread over the stream; real viewers buy a few codes too.
 */
function cashOutKept(promotions: EveningPromotions, room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng): string[] {
  return cashOutTrades(promotions, room, sessions, rng, { orders: [2, 5], quantity: [1, 2], refunds: false });
}

/** The operator's accounts buying the shop's dear codes, each order refunded without return or not as `refunds` says; real viewers buy a few too. */
function cashOutTrades(
  promotions: EveningPromotions,
  room: RoomBuilder,
  sessions: readonly ViewerSession[],
  rng: Rng,
  trades: { orders: [number, number]; quantity: [number, number]; refunds: boolean },
): string[] {
  const skus = virtualSkus(room, rng);
  const { startTs, endTs } = room;
  const { accounts, cards } = cashOutOperator(promotions, room, rng);
  for (const account of accounts) {
    const card = rng.pick(cards);
    for (let n = 0, orders = rng.int(...trades.orders); n < orders; n++) {
      const sku = rng.pick(skus.filter((s) => s.listPrice >= 50_000));
      const placedAt = rng.uniform(startTs + MINUTE, endTs - MINUTE);
      const order = room.order(account, placedAt, sku, sku.listPrice, rng.int(...trades.quantity), { paidAt: placedAt + rng.int(5, 60) * SECOND, refundedAt: null });
      order.v2 = { category: sku.category, virtual: true, paymentAccountHash: card, device: account.device };
      // Most codes are taken back through the platform's quick refund minutes after paying; some hours later; the rest never used.
      if (trades.refunds && rng.chance(0.65)) {
        const paidAt = order.paidAt ?? placedAt;
        order.refundedAt = Math.round(rng.chance(0.7) ? paidAt + rng.uniform(2, 30) * MINUTE : paidAt + rng.uniform(1, 48) * HOUR);
        order.refundAmount = order.unitPrice * order.quantity;
        order.v2 = { ...order.v2, returned: false, refundReason: rng.pick(['code not received', 'bought by mistake', 'duplicate charge']) };
      }
    }
  }
  organicVirtualBuyers(room, sessions, rng, skus, 0.08);
  return accounts.map((account) => account.accountId);
}

/** A cash-out operator's accounts: 10–24, a few per phone behind an app cloner, paying with two to five credit accounts. */
function cashOutOperator(promotions: EveningPromotions, room: RoomBuilder, rng: Rng): { accounts: SimAccount[]; cards: string[] } {
  const { startTs } = room;
  const phones = Array.from({ length: rng.int(3, 6) }, () => {
    const handset = pickHandset(rng, 'zh');
    return { deviceId: promotions.ids.deviceId(), device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: rng.chance(0.5), multiInstance: rng.chance(0.7) } };
  });
  const cards = Array.from({ length: rng.int(2, 5) }, () => `pa_${rng.hex(12)}`);
  const subnet = subnet24(rng);
  const accounts: SimAccount[] = Array.from({ length: rng.int(10, 24) }, () => {
    const phone = rng.pick(phones);
    return {
      accountId: promotions.ids.accountId(),
      createdAt: Math.round(startTs - rng.uniform(3, 60) * DAY),
      deviceId: phone.deviceId,
      device: phone.device,
      ip: ipIn(subnet, rng),
      phoneHash: promotions.ids.phoneHash(),
      addressHash: promotions.ids.addressHash(),
      engagement: 0,
    };
  });
  return { accounts, cards };
}

/** An honest gift-card shop: real viewers buy codes (a gamer tops up twice); refunds are rare, and none comes back physically. */
function honestGiftCardShop(room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng): void {
  organicVirtualBuyers(room, sessions, rng, virtualSkus(room, rng), 0.3);
}

function organicVirtualBuyers(room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng, skus: readonly VirtualSku[], share: number): void {
  for (const session of sessions) {
    if (!rng.chance(share)) continue;
    for (let n = 0, orders = rng.chance(0.15) ? rng.int(2, 3) : 1; n < orders; n++) {
      const sku = rng.pick(skus);
      const placedAt = rng.uniform(session.joinAt, Math.min(session.leaveAt, room.endTs - SECOND));
      const paid = rng.chance(0.93);
      const order = room.order(session.account, placedAt, sku, sku.listPrice, 1, { paidAt: paid ? placedAt + rng.int(5, 90) * SECOND : null, refundedAt: null });
      order.v2 = {
        category: sku.category,
        virtual: true,
        recipientHash: `rc_${hashOf(`recipient:${session.account.accountId}`).toString(16)}`,
        paymentAccountHash: `pa_${hashOf(`payment:${session.account.accountId}`).toString(16)}`,
        device: session.account.device,
      };
      if (paid && rng.chance(0.04)) {
        order.refundedAt = Math.round((order.paidAt ?? placedAt) + rng.uniform(0.1, 24) * HOUR);
        order.refundAmount = order.unitPrice;
        order.v2 = { ...order.v2, returned: false, refundReason: 'code not delivered' };
      }
    }
  }
}

/**
 * A fresh-food shop's bad batch: a fifth to a third of its paid orders come
 * back as refunds without return (spoiled on arrival), from its ordinary,
 * unrelated buyers. Not for a room that sold too little to have a bad batch
 * (freshFoodCandidates under 15). As shops do after sales: some refund the
 * whole order; most compensate the spoiled part only, case by case or at a
 * fixed share of the price (the shop's policy: "30 % back for a bad box"),
 * while the buyer keeps the rest. A parcel shop's complaints come a day or
 * two after payment; a same-city shop delivers within hours, and its
 * complaints, compensations included, come the same evening.
 */
function freshFoodRefunds(room: RoomBuilder, rng: Rng): void {
  const paid = freshFoodCandidates(room);
  const share = rng.uniform(0.2, 0.35);
  const sameCity = rng.chance(0.4);
  const wholeShare = rng.uniform(0.2, 0.5);
  const policy = rng.chance(0.5) ? rng.pick([0.3, 0.5, 0.6, 0.8]) : null;
  for (const order of paid) {
    if (!rng.chance(share)) continue;
    const price = order.unitPrice * order.quantity - (order.v2?.discount ?? 0);
    const complainedAfter = sameCity ? rng.uniform(2, 10) * HOUR : rng.uniform(20, 60) * HOUR;
    order.refundedAt = Math.round((order.paidAt ?? order.placedAt) + complainedAfter);
    if (rng.chance(wholeShare)) {
      order.refundAmount = price;
      order.v2 = { ...order.v2, returned: false, refundReason: 'spoiled on arrival' };
    } else {
      order.refundAmount = Math.max(1, Math.round(price * (policy ?? rng.uniform(0.2, 0.9))));
      order.v2 = { ...order.v2, returned: false, refundReason: 'part of the box spoiled' };
    }
  }
}

function freshFoodCandidates(room: RoomBuilder): LedgerOrder[] {
  return room.orders.filter((order) => order.paidAt !== null && order.refundedAt === null && order.v2?.virtual !== true);
}

/**
 * An honest coupon rush: a big campaign many present viewers claim in the
 * first seconds (people: quick, but spread), some use on orders over the
 * threshold, and a couple exchange a size: two sizes ordered with the
 * coupon, one returned at its full price, the other kept. Returns how many
 * exchanged.
 */
function honestRush(room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng): { exchanges: number; households: number } {
  const { startTs, endTs } = room;
  const releaseAt = Math.round(startTs + (endTs - startTs) * rng.uniform(0.2, 0.6));
  const value = rng.pick([1_000, 2_000, 3_000]);
  const minSpend = value * 5;
  const campaignId = `cph-${room.setup.streamId}`;
  let serial = 0;
  const couponOf = (): string => `${campaignId}-${String(++serial).padStart(5, '0')}`;
  const claims = honestClaims(room, sessions, rng, { campaignId, value, minSpend, releaseAt, medianMs: 2_500, share: 0.7 }, couponOf);
  const sku = cheapestOver(room, minSpend);
  let exchanges = 0;
  const unused: typeof claims = [];
  for (const claim of claims) {
    if (!rng.chance(0.3)) {
      unused.push(claim);
      continue;
    }
    const exchange = exchanges < 2 || rng.chance(0.1);
    const order = couponOrder(room, claim.account, claim.at + rng.uniform(1, 15) * MINUTE, sku, minSpend, value, claim.couponId, { exchange, rng });
    if (exchange && order !== null && order.refundedAt !== null) exchanges++;
  }
  // A household pools its coupons: a parent spends the coupons the family's other two or three accounts claimed,
  // shipped home (its own draws, so the rush plays as it did before households were added).
  const house = new Rng(hashOf(`household:${campaignId}`));
  let households = 0;
  for (let home = 0; home < 2 && unused.length >= 4; home++) {
    const family = unused.splice(0, house.int(3, 4));
    const parent = family[0]!.account;
    let spent = 0;
    for (const member of family.slice(1)) {
      if (couponOrder(room, parent, member.at + house.uniform(2, 40) * MINUTE, sku, minSpend, value, member.couponId, { shipTo: parent.addressHash }) !== null) spent++;
    }
    if (spent > 0) households++;
  }
  return { exchanges, households };
}

interface CampaignDrop {
  campaignId: string;
  value: number;
  minSpend: number;
  releaseAt: number;
  medianMs: number;
  /** Share of present viewers who claim (default 0.35). */
  share?: number;
}

/** Present viewers claiming a campaign after its release, seconds apart (lognormal around `medianMs`). */
function honestClaims(room: RoomBuilder, sessions: readonly ViewerSession[], rng: Rng, drop: CampaignDrop, couponOf: () => string): Array<{ account: SimAccount; couponId: string; at: number }> {
  const claimed: Array<{ account: SimAccount; couponId: string; at: number }> = [];
  const seen = new Set<string>();
  for (const session of sessions) {
    if (session.joinAt > drop.releaseAt || session.leaveAt <= drop.releaseAt + 5 * SECOND || seen.has(session.account.accountId)) continue;
    if (!rng.chance(drop.share ?? 0.35)) continue;
    const at = Math.round(drop.releaseAt + Math.max(300, Math.min(2 * MINUTE, rng.lognormal(drop.medianMs, 0.8))));
    if (at >= session.leaveAt || at >= room.endTs) continue;
    seen.add(session.account.accountId);
    const couponId = couponOf();
    room.claimCoupon(session.account, at, { couponId, campaignId: drop.campaignId, value: drop.value, minSpend: drop.minSpend });
    claimed.push({ account: session.account, couponId, at });
  }
  return claimed;
}

/**
 * An order using a coupon: enough pieces of `sku` to pass `minSpend`
 * (two at least when it is gamed or exchanged). `exploit`: one piece
 * refunded at its full price hours later, without clawing the discount
 * back, leaving the order under the threshold. `exchange`: the same refund
 * days later, returned, the wrong size (what the rule sees is the same; who
 * does it is not).
 */
function couponOrder(
  room: RoomBuilder,
  account: SimAccount,
  placedAt: number,
  sku: { skuId: string; listPrice: number; livePrice: number },
  minSpend: number,
  value: number,
  couponId: string,
  options: { shipTo?: string; exploit?: boolean; exchange?: boolean; rng?: Rng },
): LedgerOrder | null {
  if (placedAt >= room.endTs) return null;
  const gamed = options.exploit === true || options.exchange === true;
  // Gamed orders: the fewest pieces past the threshold, two at least, so that one returned piece drops it under.
  let quantity = Math.max(gamed ? 2 : 1, Math.ceil(minSpend / sku.livePrice));
  if (gamed && sku.livePrice * (quantity - 1) >= minSpend) quantity = Math.max(2, Math.ceil(minSpend / sku.livePrice));
  const paidAt = placedAt + 30 * SECOND;
  const order = room.order(account, placedAt, sku, sku.livePrice, quantity, { paidAt, refundedAt: null });
  order.v2 = { couponId, discount: value, category: room.setup.category, virtual: false, device: account.device };
  if (options.shipTo) order.shipTo = options.shipTo;
  const rng = options.rng;
  if (rng && gamed && sku.livePrice * (quantity - 1) < minSpend) {
    order.refundedAt = Math.round(paidAt + (options.exploit ? rng.uniform(0.3, 6) * HOUR : rng.uniform(2, 7) * DAY));
    order.refundAmount = sku.livePrice;
    order.v2 = { ...order.v2, returned: options.exchange ? true : rng.chance(0.5), refundReason: options.exchange ? 'size exchange' : 'changed my mind' };
  }
  return order;
}

/** One piece of `sku` is below `minSpend` and two pass it: a gamed order can drop under it with one refund. */
function gameable(sku: { livePrice: number }, minSpend: number): boolean {
  return sku.livePrice < minSpend && sku.livePrice * 2 >= minSpend;
}

/** Some SKU of the room can game `minSpend`. */
function exploitable(room: RoomBuilder, minSpend: number): boolean {
  return room.setup.skus.some((sku) => gameable(sku, minSpend));
}

/** A coupon value (a fifth of its threshold, whole yuan) whose threshold sits at 1.5 pieces of the room's cheapest SKU. */
function exploitableValue(room: RoomBuilder): number {
  const cheapest = Math.min(...room.setup.skus.map((sku) => sku.livePrice));
  return Math.max(100, Math.round((cheapest * 1.5) / 5 / 100) * 100);
}

/** The room's cheapest SKU, the one a gamed order stacks to pass the threshold. */
function cheapestOver(room: RoomBuilder, minSpend: number): { skuId: string; listPrice: number; livePrice: number } {
  const skus = [...room.setup.skus].sort((a, b) => a.livePrice - b.livePrice);
  const fitting = skus.find((sku) => gameable(sku, minSpend));
  return fitting ?? (skus[0] as { skuId: string; listPrice: number; livePrice: number });
}

interface VirtualSku {
  skuId: string;
  listPrice: number;
  livePrice: number;
  category: string;
}

/** Gift cards, game coins and top-ups the shop sells, 50 to 2,000 in major units. */
function virtualSkus(room: RoomBuilder, rng: Rng): VirtualSku[] {
  const kinds = ['gift_card', 'game_coins', 'mobile_top_up'];
  return [5_000, 10_000, 20_000, 50_000, 100_000, 200_000].map((price, index) => ({
    skuId: `${room.setup.merchantId}-v${String(index + 1).padStart(2, '0')}`,
    listPrice: price,
    livePrice: price,
    category: kinds[index % kinds.length] ?? 'gift_card',
  })).map((sku) => ({ ...sku, category: rng.chance(0.1) ? 'gift_card' : sku.category }));
}

function marketBuyer(promotions: EveningPromotions, rng: Rng, now: number): SimAccount {
  const handset = pickHandset(rng, 'zh');
  return {
    accountId: promotions.ids.accountId(),
    createdAt: Math.round(now - rng.uniform(30, 900) * DAY),
    deviceId: promotions.ids.deviceId(),
    device: { model: handset.model, os: rng.pick(handset.os), emulator: false, rooted: false },
    ip: ipIn(subnet24(rng), rng),
    phoneHash: promotions.ids.phoneHash(),
    addressHash: promotions.ids.addressHash(),
    engagement: 0,
  };
}

function agedAccount(promotions: EveningPromotions, rng: Rng, now: number): SimAccount {
  return marketBuyer(promotions, rng, now);
}

/** FNV-1a of a text. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

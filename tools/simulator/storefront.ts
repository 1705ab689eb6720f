import type { RoomEvent } from '../../src/events/event.schema.js';
import type { SimAccount } from './accounts.js';
import type { FlashSale } from './organic.js';
import { Rng } from './prng.js';
import { paidAmount, type LedgerOrder, type RoomBuilder, type ViewerSession } from './room.js';

const SECOND = 1_000;
const MINUTE = 60_000;

/** Sign-ups the evening has already sent, and accounts that claimed the platform-wide coupon: one each per account. */
export interface EveningStorefront {
  registered: Set<string>;
  platformClaimers: Set<string>;
  /** The platform's own campaign, claimed outside rooms (a campaign page, the app's home screen). */
  platformCampaignId: string;
}

export function newEveningStorefront(seed: number): EveningStorefront {
  return { registered: new Set(), platformClaimers: new Set(), platformCampaignId: `plat-${seed}-welcome` };
}

/**
 * What the shop and the platform send about one room's honest traffic in v2
 * (CONTRACT.md §1): the opening of each flash sale, a coupon drop that real
 * viewers claim over the following seconds and some use on their orders,
 * sign-ups of the accounts that joined the platform tonight, the platform's
 * welcome coupon claimed outside rooms, and returns that say whether the
 * goods came back. Attackers' events are left as they were.
 *
 * Every draw comes from the storefront's own generator, seeded by the
 * stream: the room's v1 traffic is drawn exactly as without it, so the v1
 * figures of an evaluation stay comparable. Its events take ids of their own
 * (`…-v2-…`) for the same reason.
 */
export class Storefront {
  /** Events of no room this room's honest audience caused: registrations, off-room coupon claims. */
  readonly accountEvents: RoomEvent[] = [];
  private readonly rng: Rng;
  private readonly honest: ReadonlySet<string>;

  constructor(
    private readonly room: RoomBuilder,
    private readonly sessions: readonly ViewerSession[],
    private readonly evening: EveningStorefront,
  ) {
    this.rng = new Rng(hashOf(room.setup.streamId));
    this.honest = new Set(sessions.map((session) => session.account.accountId));
  }

  /** A `sale.opened` for every flash sale, at its opening: one per account, the stock the rush competes for. */
  announceFlashSales(flashSales: readonly FlashSale[]): void {
    for (const flash of flashSales) {
      this.room.openSale(flash.at, { skuId: flash.sku.skuId, salePrice: flash.flashPrice, listPrice: flash.sku.listPrice, stock: flash.stock, perAccountLimit: 1 });
    }
  }

  /**
   * Half the rooms drop a "spend 3×, save 1×" coupon once: present viewers
   * claim it over the next seconds (people, not a script: seconds apart,
   * lognormal), and a claimer's later order over the threshold uses it.
   */
  couponDrop(): void {
    const rng = this.rng;
    const { startTs, endTs } = this.room;
    if (!rng.chance(0.5) || this.sessions.length === 0) return;
    const releaseAt = Math.round(startTs + (endTs - startTs) * rng.uniform(0.25, 0.7));
    const value = rng.pick([500, 1_000, 2_000, 3_000]);
    const minSpend = value * 3;
    const campaignId = `cp-${this.room.setup.streamId}`;
    const claimedBy = new Map<string, { couponId: string; at: number }>();
    for (const session of this.sessions) {
      if (session.joinAt > releaseAt || session.leaveAt <= releaseAt + 2 * SECOND) continue;
      if (!rng.chance(0.2 + 0.4 * session.account.engagement)) continue;
      const at = Math.round(releaseAt + Math.min(90 * SECOND, rng.lognormal(6 * SECOND, 0.9)));
      if (at >= session.leaveAt - SECOND || at >= endTs || claimedBy.has(session.account.accountId)) continue;
      const couponId = `${campaignId}-${String(claimedBy.size + 1).padStart(4, '0')}`;
      claimedBy.set(session.account.accountId, { couponId, at });
      this.room.claimCoupon(session.account, at, { couponId, campaignId, value, minSpend });
    }
    for (const order of this.room.orders) {
      const claim = claimedBy.get(order.account.accountId);
      if (!claim || order.placedAt <= claim.at || order.v2?.couponId !== undefined) continue;
      if (order.unitPrice * order.quantity < minSpend || !rng.chance(0.9)) continue;
      order.v2 = { ...order.v2, couponId: claim.couponId, discount: value };
      claimedBy.delete(order.account.accountId);
      // A full refund gives back what was paid, not the list of the cart.
      if (order.refundedAt !== null) order.refundAmount = Math.min(order.refundAmount, paidAmount(order));
    }
  }

  /**
   * `account.registered` for the honest accounts that signed up tonight (at
   * most half an hour before the stream), once per evening; and the
   * platform's welcome coupon, claimed outside any room by a few of the
   * audience, once per account.
   */
  signUpsAndWelcomeCoupons(): void {
    const rng = this.rng;
    const accounts = uniqueAccounts(this.sessions);
    for (const account of accounts) {
      if (account.createdAt < this.room.startTs - 30 * MINUTE || account.createdAt > this.room.endTs) continue;
      if (this.evening.registered.has(account.accountId)) continue;
      this.evening.registered.add(account.accountId);
      this.accountEvents.push({
        id: `reg-${account.accountId}`,
        type: 'account.registered',
        ts: account.createdAt,
        accountId: account.accountId,
        deviceId: account.deviceId,
        ip: account.ip,
        phoneHash: account.phoneHash,
        channel: rng.weighted([['app_store', 50], ['live_room_link', 25], ['ad_campaign', 15], ['friend_invite', 10]] as const),
        device: account.device,
      });
    }
    const { startTs, endTs } = this.room;
    for (const account of accounts) {
      if (this.evening.platformClaimers.has(account.accountId) || !rng.chance(0.04)) continue;
      this.evening.platformClaimers.add(account.accountId);
      const at = Math.round(rng.uniform(startTs, endTs));
      this.accountEvents.push({
        id: `${this.evening.platformCampaignId}-${account.accountId}`,
        type: 'coupon.claimed',
        ts: Math.max(at, account.createdAt),
        accountId: account.accountId,
        deviceId: account.deviceId,
        ip: account.ip,
        couponId: `${this.evening.platformCampaignId}-${account.accountId}`,
        campaignId: this.evening.platformCampaignId,
        value: 1_000,
        minSpend: 9_900,
        device: account.device,
      });
    }
  }

  /**
   * The v2 fields of every honest order: the item's category, who receives
   * and who pays (each account its own name and card), the device, physical
   * goods; and for its refund whether the goods came back and why. Fresh
   * food is refunded without return (spoiled on arrival, nobody ships it
   * back); a cancel minutes after paying ships nothing, so it says nothing
   * about a return.
   */
  describeHonestOrders(): void {
    const rng = this.rng;
    const category = this.room.setup.category;
    for (const order of this.room.orders) {
      if (!this.honest.has(order.account.accountId)) continue;
      const account = order.account;
      const v2 = {
        ...order.v2,
        category,
        virtual: false,
        recipientHash: `rc_${hashOf(`recipient:${account.accountId}`).toString(16)}`,
        paymentAccountHash: `pa_${hashOf(`payment:${account.accountId}`).toString(16)}`,
        device: account.device,
      };
      if (order.refundedAt !== null && order.paidAt !== null) Object.assign(v2, refundOutcome(rng, order, category));
      order.v2 = v2;
    }
  }
}

function refundOutcome(rng: Rng, order: LedgerOrder, category: string): { returned?: boolean; refundReason: string } {
  if (order.refundedAt !== null && order.paidAt !== null && order.refundedAt - order.paidAt < 60 * MINUTE) return { refundReason: 'cancelled before shipping' };
  if (order.refundAmount < paidAmount(order)) return { returned: true, refundReason: 'returned one item' };
  if (category === 'food' && rng.chance(0.6)) return { returned: false, refundReason: 'spoiled on arrival' };
  return { returned: true, refundReason: rng.pick(['wrong size', 'changed my mind', 'not as described', 'damaged in transit']) };
}

function uniqueAccounts(sessions: readonly ViewerSession[]): SimAccount[] {
  const seen = new Map<string, SimAccount>();
  for (const session of sessions) if (!seen.has(session.account.accountId)) seen.set(session.account.accountId, session.account);
  return [...seen.values()];
}

/** FNV-1a of a text: a seed or a stable hash id, so the same stream always draws the same v2 traffic. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

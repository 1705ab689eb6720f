import type { DeviceInfo, RoomEvent } from '../events/event.schema.js';
import { subnetOf } from '../detection/shared/network.js';

/** The device flags of CONTRACT.md §1 (v1 and v2), as a decision reads them. */
export const DEVICE_FLAGS = ['emulator', 'rooted', 'hooked', 'cloudPhone', 'multiInstance'] as const;
export type DeviceFlag = (typeof DEVICE_FLAGS)[number];

interface DeviceProfile {
  accounts: Set<string>;
  ips: Set<string>;
  /** Flags ever reported for this device id: a handset once seen rooted stays suspect. */
  flags: Set<DeviceFlag>;
}

interface AccountProfile {
  /** Earliest creation time known: `viewer.joined.accountCreatedAt` or the `account.registered` ts. */
  createdAt: number | null;
  devices: Set<string>;
  payments: Set<string>;
}

/** One `sale.opened` announcement. */
export interface SaleOpening {
  eventId: string;
  opensAt: number;
  stock: number;
  perAccountLimit: number | null;
}

/** One claimed coupon: its claim (the earliest by ts, then event id, when a coupon id is claimed twice). */
export interface CouponClaim {
  eventId: string;
  accountId: string;
  campaignId: string;
  minSpend: number | null;
  claimedAt: number;
}

/** Types the profiles fold; every other type leaves them as they are. */
export const PROFILED_TYPES = ['stream.started', 'viewer.joined', 'order.placed', 'coupon.claimed', 'account.registered', 'sale.opened'] as const;

const saleKey = (streamId: string, skuId: string) => `${streamId}\u0000${skuId}`;

/**
 * What decisions know of accounts, devices, networks, payment accounts, sales
 * and orders, in memory. Every update is a set union, a minimum or a keyed
 * write, never an increment, so applying an event twice (the boot warm-up
 * overlapping the live hand-over, a replay) changes nothing: the profiles are
 * a function of the SET of committed events, whatever the order they came in.
 */
export class DecisionProfiles {
  private readonly devices = new Map<string, DeviceProfile>();
  private readonly accounts = new Map<string, AccountProfile>();
  private readonly ipAccounts = new Map<string, Set<string>>();
  private readonly subnetAccounts = new Map<string, Set<string>>();
  private readonly paymentAccounts = new Map<string, Set<string>>();
  private readonly sales = new Map<string, SaleOpening[]>();
  /** (stream, sku) → account → orderId → quantity. */
  private readonly orders = new Map<string, Map<string, Map<string, number>>>();
  private readonly streamMerchants = new Map<string, string>();
  private readonly coupons = new Map<string, CouponClaim>();
  /** couponId → the orders (stream and order id) that used it. */
  private readonly couponOrders = new Map<string, Set<string>>();
  /** accountId → the coupons its orders used. */
  private readonly accountCoupons = new Map<string, Set<string>>();
  private appliedEvents = 0;

  get size(): { accounts: number; devices: number; ips: number; sales: number; appliedEvents: number } {
    return { accounts: this.accounts.size, devices: this.devices.size, ips: this.ipAccounts.size, sales: this.sales.size, appliedEvents: this.appliedEvents };
  }

  apply(event: RoomEvent): void {
    switch (event.type) {
      case 'stream.started':
        // The stream's merchant is its first stream.started's (ingest refuses another).
        if (!this.streamMerchants.has(event.streamId)) this.streamMerchants.set(event.streamId, event.merchantId);
        break;
      case 'sale.opened': {
        const key = saleKey(event.streamId, event.skuId);
        const openings = this.sales.get(key) ?? [];
        if (!openings.some((opening) => opening.eventId === event.id)) {
          openings.push({ eventId: event.id, opensAt: event.ts, stock: event.stock, perAccountLimit: event.perAccountLimit ?? null });
          openings.sort((a, b) => a.opensAt - b.opensAt || (a.eventId < b.eventId ? -1 : 1));
          this.sales.set(key, openings);
        }
        break;
      }
      case 'viewer.joined':
        this.seen(event.accountId, event.deviceId, event.ip, event.device);
        if (event.accountCreatedAt !== undefined) this.created(event.accountId, event.accountCreatedAt);
        break;
      case 'account.registered':
        this.seen(event.accountId, event.deviceId, event.ip, event.device);
        this.created(event.accountId, event.ts);
        break;
      case 'coupon.claimed': {
        this.seen(event.accountId, event.deviceId, event.ip, event.device);
        const known = this.coupons.get(event.couponId);
        if (!known || event.ts < known.claimedAt || (event.ts === known.claimedAt && event.id < known.eventId)) {
          this.coupons.set(event.couponId, { eventId: event.id, accountId: event.accountId, campaignId: event.campaignId, minSpend: event.minSpend ?? null, claimedAt: event.ts });
        }
        break;
      }
      case 'order.placed': {
        this.seen(event.accountId, event.deviceId, event.ip, event.device);
        if (event.paymentAccountHash !== undefined) {
          addTo(this.paymentAccounts, event.paymentAccountHash, event.accountId);
          this.account(event.accountId).payments.add(event.paymentAccountHash);
        }
        const key = saleKey(event.streamId, event.skuId);
        let byAccount = this.orders.get(key);
        if (!byAccount) this.orders.set(key, (byAccount = new Map()));
        let mine = byAccount.get(event.accountId);
        if (!mine) byAccount.set(event.accountId, (mine = new Map()));
        mine.set(event.orderId, event.quantity);
        if (event.couponId !== undefined) {
          addTo(this.couponOrders, event.couponId, orderKey(event.streamId, event.orderId));
          addTo(this.accountCoupons, event.accountId, event.couponId);
        }
        break;
      }
      default:
        return;
    }
    this.appliedEvents++;
  }

  merchantOf(streamId: string | undefined): string | null {
    return streamId === undefined ? null : (this.streamMerchants.get(streamId) ?? null);
  }

  deviceAccounts(deviceId: string): ReadonlySet<string> {
    return this.devices.get(deviceId)?.accounts ?? EMPTY;
  }

  deviceIps(deviceId: string): ReadonlySet<string> {
    return this.devices.get(deviceId)?.ips ?? EMPTY;
  }

  deviceFlags(deviceId: string): ReadonlySet<DeviceFlag> {
    return this.devices.get(deviceId)?.flags ?? (EMPTY as ReadonlySet<DeviceFlag>);
  }

  ipAccountsOf(ip: string): ReadonlySet<string> {
    return this.ipAccounts.get(ip) ?? EMPTY;
  }

  subnetAccountsOf(subnet: string): ReadonlySet<string> {
    return this.subnetAccounts.get(subnet) ?? EMPTY;
  }

  paymentAccountsOf(payment: string): ReadonlySet<string> {
    return this.paymentAccounts.get(payment) ?? EMPTY;
  }

  accountCreatedAt(accountId: string): number | null {
    return this.accounts.get(accountId)?.createdAt ?? null;
  }

  /**
   * Accounts linked to this one by a device or a payment account it was seen
   * with (not by IP: carrier NAT puts hundreds of strangers on one address).
   */
  linkedAccounts(accountId: string): Set<string> {
    const linked = new Set<string>();
    const profile = this.accounts.get(accountId);
    if (!profile) return linked;
    for (const device of profile.devices) addLinked(linked, this.deviceAccounts(device));
    for (const payment of profile.payments) addLinked(linked, this.paymentAccountsOf(payment));
    linked.delete(accountId);
    return linked;
  }

  /** The opening nearest to `ts` of that SKU in that stream (a SKU may be flash-sold in rounds), or null. */
  saleNearest(streamId: string, skuId: string, ts: number): SaleOpening | null {
    const openings = this.sales.get(saleKey(streamId, skuId));
    if (!openings) return null;
    let best: SaleOpening | null = null;
    for (const opening of openings) {
      if (best === null || Math.abs(ts - opening.opensAt) < Math.abs(ts - best.opensAt)) best = opening;
    }
    return best;
  }

  couponClaim(couponId: string): CouponClaim | null {
    return this.coupons.get(couponId) ?? null;
  }

  /** The orders (keys of `orderKey`) that used the coupon. */
  couponOrdersOf(couponId: string): ReadonlySet<string> {
    return this.couponOrders.get(couponId) ?? EMPTY;
  }

  /** The coupons the account's orders used. */
  couponsUsedBy(accountId: string): ReadonlySet<string> {
    return this.accountCoupons.get(accountId) ?? EMPTY;
  }

  /** orderId → quantity of the account's orders of that SKU in that stream. */
  ordersOf(streamId: string, skuId: string, accountId: string): ReadonlyMap<string, number> {
    return this.orders.get(saleKey(streamId, skuId))?.get(accountId) ?? EMPTY_ORDERS;
  }

  private seen(accountId: string, deviceId: string | undefined, ip: string | undefined, device: DeviceInfo | undefined): void {
    const account = this.account(accountId);
    if (deviceId !== undefined) {
      let profile = this.devices.get(deviceId);
      if (!profile) this.devices.set(deviceId, (profile = { accounts: new Set(), ips: new Set(), flags: new Set() }));
      profile.accounts.add(accountId);
      if (ip !== undefined) profile.ips.add(ip);
      if (device) for (const flag of DEVICE_FLAGS) if (device[flag] === true) profile.flags.add(flag);
      account.devices.add(deviceId);
    }
    if (ip !== undefined) {
      addTo(this.ipAccounts, ip, accountId);
      const subnet = subnetOf(ip);
      if (subnet !== undefined) addTo(this.subnetAccounts, subnet, accountId);
    }
  }

  private created(accountId: string, at: number): void {
    const account = this.account(accountId);
    if (account.createdAt === null || at < account.createdAt) account.createdAt = at;
  }

  private account(accountId: string): AccountProfile {
    let profile = this.accounts.get(accountId);
    if (!profile) this.accounts.set(accountId, (profile = { createdAt: null, devices: new Set(), payments: new Set() }));
    return profile;
  }
}

/**
 * Linked accounts a decision walks at most. A device id or payment account
 * shared by more is a junk id (a default fingerprint) or a farm that
 * device_many_accounts / payment_many_accounts already flag; walking all of
 * them would make one decision cost as much as the farm is large.
 */
export const MAX_LINKED_ACCOUNTS = 500;

/** Adds accounts to `linked` until it holds MAX_LINKED_ACCOUNTS (plus the account itself, removed after). */
export function addLinked(linked: Set<string>, accounts: ReadonlySet<string>): void {
  for (const account of accounts) {
    if (linked.size > MAX_LINKED_ACCOUNTS) return;
    linked.add(account);
  }
}

/** An order's key in the coupon indexes: its stream and its order id. */
export function orderKey(streamId: string, orderId: string): string {
  return `${streamId}\u0000${orderId}`;
}

const EMPTY: ReadonlySet<string> = new Set();
const EMPTY_ORDERS: ReadonlyMap<string, number> = new Map();

function addTo(index: Map<string, Set<string>>, key: string, accountId: string): void {
  let accounts = index.get(key);
  if (!accounts) index.set(key, (accounts = new Set()));
  accounts.add(accountId);
}

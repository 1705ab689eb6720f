import type { RoomEvent } from '../events/event.schema.js';
import type { AccountStanding } from './account-standings.js';
import { subnetOf } from '../detection/shared/network.js';
import { addLinked, DEVICE_FLAGS, type DecisionProfiles, orderKey } from './decision-profiles.js';

/** The event types a decision is asked for (CONTRACT.md §7). */
export const DECISION_EVENT_TYPES = ['order.placed', 'coupon.claimed', 'viewer.joined', 'account.registered'] as const;
export type DecisionEventType = (typeof DECISION_EVENT_TYPES)[number];
export type DecisionEvent = Extract<RoomEvent, { type: DecisionEventType }>;

export function isDecisionEvent(event: RoomEvent): event is DecisionEvent {
  return (DECISION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * What rules and the built-in risk signals read, by name (a rule's JSON Logic
 * `var` is one of these dotted names). Counts "seen with" include the
 * request's own event: they are |what was committed before ∪ this event|, so
 * the answer is the same whether or not the event itself is already folded in
 * (a resend, a restart, a decision recomputed after a crash).
 */
export interface DecisionFeatures {
  event: { type: DecisionEventType; quantity: number | null };
  account: {
    ageMs: number | null;
    openReports: number;
    confirmedReports: number;
    linkedAccounts: number;
    ringId: string | null;
  };
  device: {
    known: boolean;
    emulator: boolean;
    rooted: boolean;
    hooked: boolean;
    cloudPhone: boolean;
    multiInstance: boolean;
    accountCount: number | null;
    ipCount: number | null;
  };
  ip: { accountCount: number | null };
  subnet: { accountCount: number | null };
  payment: { accountCount: number | null };
  sale: { msSinceOpen: number | null; perAccountLimit: number | null; stock: number | null };
  order: { accountUnits: number | null; linkedUnits: number | null };
  coupon: { claimedByOther: boolean | null; belowMinSpend: boolean | null; otherUses: number | null; pooledFrom: number | null };
  lists: { block: boolean; gray: boolean; allow: boolean };
}

export interface FeatureDescription {
  name: string;
  type: 'number' | 'boolean' | 'string';
  nullable: boolean;
  description: string;
  source: string;
}

const PROFILES = 'in-memory decision profiles (decision-profiles.ts), folded from every committed event of the log: live from this process\'s commits, warmed from the `events` table at boot';

/** The documented catalogue: every name a rule may use, its type, meaning and where it comes from. */
export const FEATURE_CATALOGUE: readonly FeatureDescription[] = [
  { name: 'event.type', type: 'string', nullable: false, description: 'the decided event\'s type', source: 'the request' },
  { name: 'event.quantity', type: 'number', nullable: true, description: 'units ordered (order.placed), else null', source: 'the request' },
  { name: 'account.ageMs', type: 'number', nullable: true, description: 'event ts minus the account\'s creation (earliest viewer.joined.accountCreatedAt or account.registered ts); 0 for a sign-up; null when unknown', source: `${PROFILES}; the request` },
  { name: 'account.openReports', type: 'number', nullable: false, description: 'open reports naming the account (subject or implicated)', source: 'account standings in memory (account-standings.ts), kept from the `reports` table: every change within a second, everything re-read every two minutes' },
  { name: 'account.confirmedReports', type: 'number', nullable: false, description: 'confirmed reports naming the account', source: 'account standings in memory, from `reports` (as account.openReports)' },
  { name: 'account.linkedAccounts', type: 'number', nullable: false, description: 'other accounts seen on a device or payment account this account used (the request\'s included), walked up to MAX_LINKED_ACCOUNTS (500)', source: PROFILES },
  { name: 'account.ringId', type: 'string', nullable: true, description: 'the reported operator ring the account is a member of (an account_ring report that stands); null when none', source: 'account standings in memory, from `rings` and `ring_members` (as account.openReports)' },
  { name: 'device.known', type: 'boolean', nullable: false, description: 'the request carries a deviceId', source: 'the request' },
  ...DEVICE_FLAGS.map((flag) => ({
    name: `device.${flag}`,
    type: 'boolean' as const,
    nullable: false,
    description: `the request's device says ${flag}, or the device id was ever reported so`,
    source: `${PROFILES}; the request`,
  })),
  { name: 'device.accountCount', type: 'number', nullable: true, description: 'distinct accounts seen with the device id (null without one)', source: PROFILES },
  { name: 'device.ipCount', type: 'number', nullable: true, description: 'distinct IPs the device id was seen on', source: PROFILES },
  { name: 'ip.accountCount', type: 'number', nullable: true, description: 'distinct accounts seen on the IP (null without one)', source: PROFILES },
  { name: 'subnet.accountCount', type: 'number', nullable: true, description: 'distinct accounts seen in the IP\'s /24 (IPv4) or /64 (IPv6)', source: PROFILES },
  { name: 'payment.accountCount', type: 'number', nullable: true, description: 'distinct accounts that ordered with the payment account (order.placed.paymentAccountHash)', source: PROFILES },
  { name: 'sale.msSinceOpen', type: 'number', nullable: true, description: 'order ts minus the nearest sale.opened ts of that SKU in that stream; negative before the opening; null when no sale', source: PROFILES },
  { name: 'sale.perAccountLimit', type: 'number', nullable: true, description: 'that sale\'s perAccountLimit', source: PROFILES },
  { name: 'sale.stock', type: 'number', nullable: true, description: 'that sale\'s stock', source: PROFILES },
  { name: 'order.accountUnits', type: 'number', nullable: true, description: 'units of the SKU this account ordered in the stream, this order included', source: PROFILES },
  { name: 'order.linkedUnits', type: 'number', nullable: true, description: 'the same over the account and its linked accounts (same device or payment account)', source: PROFILES },
  { name: 'coupon.claimedByOther', type: 'boolean', nullable: true, description: 'an order using a coupon (order.placed.couponId) another account claimed; null without a coupon or when its claim is unknown', source: PROFILES },
  { name: 'coupon.belowMinSpend', type: 'boolean', nullable: true, description: 'the order\'s unitPrice × quantity is under the claimed coupon\'s minSpend (the rule broken at order time); null without a coupon, a known claim or a minSpend', source: `${PROFILES}; the request` },
  { name: 'coupon.otherUses', type: 'number', nullable: true, description: 'other orders that already used the same coupon id; null without a coupon', source: PROFILES },
  { name: 'coupon.pooledFrom', type: 'number', nullable: true, description: 'distinct other accounts whose claimed coupons of this coupon\'s campaign the account\'s orders used, this order included (a pool\'s spender); null without a coupon or a known claim', source: PROFILES },
  { name: 'lists.block', type: 'boolean', nullable: false, description: 'a live block-list entry matches', source: 'list_entries (in memory, reloaded on change and every few seconds)' },
  { name: 'lists.gray', type: 'boolean', nullable: false, description: 'a live gray-list entry matches', source: 'list_entries' },
  { name: 'lists.allow', type: 'boolean', nullable: false, description: 'a live allow-list entry matches', source: 'list_entries' },
];

export const FEATURE_NAMES: ReadonlySet<string> = new Set(FEATURE_CATALOGUE.map((feature) => feature.name));

export interface FeatureInputs {
  profiles: DecisionProfiles;
  standing: AccountStanding;
  lists: { block: boolean; gray: boolean; allow: boolean };
}

/** The identifiers of an event that lists and profiles key on. */
export function identifiersOf(event: DecisionEvent): { deviceId?: string; ip?: string; subnet?: string; phone?: string; address?: string; payment?: string } {
  const phone = event.type === 'order.placed' || event.type === 'account.registered' ? event.phoneHash : undefined;
  return {
    deviceId: event.deviceId,
    ip: event.ip,
    subnet: subnetOf(event.ip),
    phone,
    address: event.type === 'order.placed' ? event.addressHash : undefined,
    payment: event.type === 'order.placed' ? event.paymentAccountHash : undefined,
  };
}

function countWith(seen: ReadonlySet<string>, own: string): number {
  return seen.has(own) ? seen.size : seen.size + 1;
}

/** The features of one event against what the profiles hold; pure. */
export function computeFeatures(event: DecisionEvent, inputs: FeatureInputs): DecisionFeatures {
  const { profiles } = inputs;
  const ids = identifiersOf(event);
  const accountId = event.accountId;

  let createdAt = profiles.accountCreatedAt(accountId);
  const own = event.type === 'account.registered' ? event.ts : event.type === 'viewer.joined' ? event.accountCreatedAt : undefined;
  if (own !== undefined && (createdAt === null || own < createdAt)) createdAt = own;

  const deviceInfo = 'device' in event ? event.device : undefined;
  const flags = ids.deviceId !== undefined ? profiles.deviceFlags(ids.deviceId) : new Set<string>();
  const flag = (name: (typeof DEVICE_FLAGS)[number]) => deviceInfo?.[name] === true || flags.has(name);

  let deviceIpCount: number | null = null;
  if (ids.deviceId !== undefined) {
    const ips = profiles.deviceIps(ids.deviceId);
    deviceIpCount = ids.ip === undefined ? ips.size : countWith(ips, ids.ip);
  }

  const linked = profiles.linkedAccounts(accountId);
  if (ids.deviceId !== undefined) addLinked(linked, profiles.deviceAccounts(ids.deviceId));
  if (ids.payment !== undefined) addLinked(linked, profiles.paymentAccountsOf(ids.payment));
  linked.delete(accountId);

  let sale: DecisionFeatures['sale'] = { msSinceOpen: null, perAccountLimit: null, stock: null };
  let order: DecisionFeatures['order'] = { accountUnits: null, linkedUnits: null };
  let coupon: DecisionFeatures['coupon'] = { claimedByOther: null, belowMinSpend: null, otherUses: null, pooledFrom: null };
  if (event.type === 'order.placed') {
    const opening = profiles.saleNearest(event.streamId, event.skuId, event.ts);
    if (opening) sale = { msSinceOpen: event.ts - opening.opensAt, perAccountLimit: opening.perAccountLimit, stock: opening.stock };
    const unitsOf = (account: string) => {
      let units = 0;
      for (const [orderId, quantity] of profiles.ordersOf(event.streamId, event.skuId, account)) if (account !== accountId || orderId !== event.orderId) units += quantity;
      return units;
    };
    const accountUnits = unitsOf(accountId) + event.quantity;
    let linkedUnits = accountUnits;
    for (const other of linked) linkedUnits += unitsOf(other);
    order = { accountUnits, linkedUnits };
    if (event.couponId !== undefined) coupon = couponFeatures(profiles, event.couponId, accountId, orderKey(event.streamId, event.orderId), event.unitPrice * event.quantity);
  }

  return {
    event: { type: event.type, quantity: event.type === 'order.placed' ? event.quantity : null },
    account: {
      ageMs: createdAt === null ? null : event.ts - createdAt,
      openReports: inputs.standing.open,
      confirmedReports: inputs.standing.confirmed,
      linkedAccounts: linked.size,
      ringId: inputs.standing.ringId,
    },
    device: {
      known: ids.deviceId !== undefined,
      emulator: flag('emulator'),
      rooted: flag('rooted'),
      hooked: flag('hooked'),
      cloudPhone: flag('cloudPhone'),
      multiInstance: flag('multiInstance'),
      accountCount: ids.deviceId === undefined ? null : countWith(profiles.deviceAccounts(ids.deviceId), accountId),
      ipCount: deviceIpCount,
    },
    ip: { accountCount: ids.ip === undefined ? null : countWith(profiles.ipAccountsOf(ids.ip), accountId) },
    subnet: { accountCount: ids.subnet === undefined ? null : countWith(profiles.subnetAccountsOf(ids.subnet), accountId) },
    payment: { accountCount: ids.payment === undefined ? null : countWith(profiles.paymentAccountsOf(ids.payment), accountId) },
    sale,
    order,
    coupon,
    lists: inputs.lists,
  };
}

/** An order's coupon against its claim and the coupon's other uses. */
function couponFeatures(profiles: DecisionProfiles, couponId: string, accountId: string, ownOrder: string, gross: number): DecisionFeatures['coupon'] {
  const uses = profiles.couponOrdersOf(couponId);
  const otherUses = uses.size - (uses.has(ownOrder) ? 1 : 0);
  const claim = profiles.couponClaim(couponId);
  if (claim === null) return { claimedByOther: null, belowMinSpend: null, otherUses, pooledFrom: null };
  // Other claimers of the campaign whose coupons this account spent, this order's included.
  const claimers = new Set<string>();
  for (const used of [...profiles.couponsUsedBy(accountId), couponId]) {
    const other = profiles.couponClaim(used);
    if (other !== null && other.campaignId === claim.campaignId && other.accountId !== accountId) claimers.add(other.accountId);
  }
  return {
    claimedByOther: claim.accountId !== accountId,
    belowMinSpend: claim.minSpend === null ? null : gross < claim.minSpend,
    otherUses,
    pooledFrom: claimers.size,
  };
}

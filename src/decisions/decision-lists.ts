import { type DecisionEvent, identifiersOf } from './decision-features.js';

export const LIST_NAMES = ['block', 'gray', 'allow'] as const;
export type ListName = (typeof LIST_NAMES)[number];
/**
 * What an entry names. `room` is an extension beyond §7's seven: the
 * enforcement allow-list (/v1/policy/allow-list) has always held rooms, and
 * it is now a view of this list.
 */
export const LIST_ENTRY_TYPES = ['account', 'device', 'ip', 'subnet', 'phone', 'address', 'payment', 'room'] as const;
export type ListEntryType = (typeof LIST_ENTRY_TYPES)[number];

export interface ListScope {
  campaignId?: string;
  merchantId?: string;
  roomId?: string;
  skuId?: string;
}

export interface ListEntry {
  id: string;
  list: ListName;
  type: ListEntryType;
  value: string;
  scope: ListScope | null;
  expiresAt: string | null;
  reason: string | null;
  createdBy: string;
  createdAt: string;
}

/** Where the event happened, for scoped entries. */
export interface EventPlace {
  campaignId: string | null;
  merchantId: string | null;
  roomId: string | null;
  skuId: string | null;
}

export function placeOf(event: DecisionEvent, merchantId: string | null): EventPlace {
  return {
    campaignId: event.type === 'coupon.claimed' ? event.campaignId : null,
    merchantId,
    roomId: event.roomId ?? null,
    skuId: event.type === 'order.placed' ? event.skuId : null,
  };
}

/** The event's value for each entry type, when it has one. */
export function listKeysOf(event: DecisionEvent): Array<{ type: ListEntryType; value: string }> {
  const ids = identifiersOf(event);
  const keys: Array<{ type: ListEntryType; value: string | undefined }> = [
    { type: 'account', value: event.accountId },
    { type: 'device', value: ids.deviceId },
    { type: 'ip', value: ids.ip },
    { type: 'subnet', value: ids.subnet },
    { type: 'phone', value: ids.phone },
    { type: 'address', value: ids.address },
    { type: 'address', value: event.type === 'order.placed' ? event.recipientHash : undefined },
    { type: 'payment', value: ids.payment },
    { type: 'room', value: event.roomId },
  ];
  return keys.filter((key): key is { type: ListEntryType; value: string } => key.value !== undefined);
}

/** An entry without a scope applies everywhere; with one, only where every scope field it names matches. */
export function scopeMatches(scope: ListScope | null, place: EventPlace): boolean {
  if (!scope) return true;
  if (scope.campaignId !== undefined && scope.campaignId !== place.campaignId) return false;
  if (scope.merchantId !== undefined && scope.merchantId !== place.merchantId) return false;
  if (scope.roomId !== undefined && scope.roomId !== place.roomId) return false;
  if (scope.skuId !== undefined && scope.skuId !== place.skuId) return false;
  return true;
}

export interface ListHit {
  id: string;
  list: ListName;
  type: ListEntryType;
  value: string;
  reason: string | null;
}

/**
 * The lists in memory, indexed by (type, value). Expiry is administrative
 * (an operator's "for a week"), so it is judged on the wall clock `now`, not
 * on event time.
 */
export class ListIndex {
  private readonly byKey = new Map<string, ListEntry[]>();

  constructor(entries: readonly ListEntry[]) {
    for (const entry of entries) {
      const key = `${entry.type}\u0000${entry.value}`;
      const bucket = this.byKey.get(key);
      if (bucket) bucket.push(entry);
      else this.byKey.set(key, [entry]);
    }
  }

  hits(event: DecisionEvent, merchantId: string | null, now: number): ListHit[] {
    const place = placeOf(event, merchantId);
    const hits: ListHit[] = [];
    for (const key of listKeysOf(event)) {
      for (const entry of this.byKey.get(`${key.type}\u0000${key.value}`) ?? []) {
        if (entry.expiresAt !== null && Date.parse(entry.expiresAt) <= now) continue;
        if (!scopeMatches(entry.scope, place)) continue;
        hits.push({ id: entry.id, list: entry.list, type: entry.type, value: entry.value, reason: entry.reason });
      }
    }
    return hits;
  }
}

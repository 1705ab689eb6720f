import type { RoomEvent } from '../../events/event.schema.js';
import { subnetOf } from '../shared/network.js';

/** What links accounts: the identifiers an operator has to reuse and honest people share only in a family or a building. */
export const RING_IDENTIFIER_KINDS = ['device', 'phone', 'payment', 'address', 'recipient', 'ip', 'subnet'] as const;
export type RingIdentifierKind = (typeof RING_IDENTIFIER_KINDS)[number];

/**
 * Kinds that say the same thing count once per pair (their rarest shared
 * identifier): an address and its /24 are one network, not two coincidences.
 */
export const IDENTIFIER_FAMILY: Record<RingIdentifierKind, string> = {
  device: 'device',
  phone: 'phone',
  payment: 'payment',
  address: 'address',
  recipient: 'recipient',
  ip: 'network',
  subnet: 'network',
};

/** The kinds of the network family: never a pair's only tie (see strongLinks), so walked only beside another family. */
export const NETWORK_KINDS: readonly RingIdentifierKind[] = RING_IDENTIFIER_KINDS.filter((kind) => IDENTIFIER_FAMILY[kind] === 'network');

/** One account seen with one identifier at one event time. */
export interface IdentifierSighting {
  accountId: string;
  kind: RingIdentifierKind;
  value: string;
  ts: number;
}

/** The identifiers an event shows its account using (none for events of no account). */
export function identifierSightings(event: RoomEvent): IdentifierSighting[] {
  const accountId = 'accountId' in event ? event.accountId : undefined;
  if (accountId === undefined) return [];
  const sightings: IdentifierSighting[] = [];
  const add = (kind: RingIdentifierKind, value: string | undefined): void => {
    if (value !== undefined && value.length > 0) sightings.push({ accountId, kind, value, ts: event.ts });
  };
  add('device', event.deviceId);
  add('ip', event.ip);
  add('subnet', subnetOf(event.ip));
  if (event.type === 'order.placed') {
    add('phone', event.phoneHash);
    add('address', event.addressHash);
    add('recipient', event.recipientHash);
    add('payment', event.paymentAccountHash);
  } else if (event.type === 'account.registered') {
    add('phone', event.phoneHash);
  }
  return sightings;
}

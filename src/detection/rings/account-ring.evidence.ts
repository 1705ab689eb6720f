import type { RingIdentifierKind } from './ring-identifiers.js';

/** One identifier several members share, with its rarity weight. */
export interface RingSharedIdentifier {
  kind: RingIdentifierKind;
  value: string;
  weight: number;
  /** Accounts seen with it, ring members or not. */
  users: number;
  /** The ring members among them (at most the sample size listed). */
  members: string[];
  membersTotal: number;
}

/** One strong link, as a sample of what ties the ring. */
export interface RingLinkSample {
  a: string;
  b: string;
  strength: number;
  /** The identifier kinds the two share (the rarest of each family). */
  through: RingIdentifierKind[];
}

/** Members signing up together: a farm's batch. */
export interface RegistrationBurst {
  from: number;
  to: number;
  /** Members registered in the window (all of them listed). */
  registered: string[];
  /** Distinct devices they signed up from, and those on cloned apps, cloud phones or emulators. */
  devices: number;
  clonedApps: number;
  channels: string[];
}

/** Where members were caught by the other detectors. */
export interface RingCaught {
  kinds: string[];
  members: number;
  /** Those members, each with the kinds it was caught for (a sample, sorted by account; absent on reports stored before session 9). */
  accounts?: Array<{ accountId: string; kinds: string[] }>;
  rooms: string[];
  streams: string[];
}

/** A stream several members entered within a minute of each other. */
export interface RingSyncStream {
  roomId: string;
  streamId: string;
  members: number;
  spreadMs: number;
}

/** The evidence of an `account_ring` report on a `ring` subject. */
export interface AccountRingEvidence {
  signals: string[];
  members: number;
  links: number;
  linksPerMember: number;
  identifiers: RingSharedIdentifier[];
  /** Most members on one payment account. */
  sharedPaymentMembers: number;
  registrationBurst: RegistrationBurst | null;
  /** Sign-ups of members, oldest first (a sample). */
  registrations: Array<{ accountId: string; registeredAt: number; channel: string | null }>;
  caught: RingCaught;
  synchronised: RingSyncStream[];
  /** Rooms and streams members were seen in (a sample, most members first). */
  roomsSeen: string[];
  streamsSeen: string[];
  linkSample: RingLinkSample[];
  /** Rings this one absorbed, by id (sorted: the order of merges depends on where batches were cut). */
  absorbed: string[];
  /** Set on an absorbed ring's report: the ring that absorbed it. */
  mergedInto?: string;
  /** Set when a reported ring no longer holds: when (event time), how many of its accounts are still linked, and why. */
  stoodDown?: { at: number; membersLinked: number; reason: string };
}

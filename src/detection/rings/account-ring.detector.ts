import { type Finding, type ReportKind, type Severity, stoodDownFinding } from '../engine/finding.js';
import type { AccountRingEvidence, RegistrationBurst, RingCaught, RingSharedIdentifier, RingSyncStream } from './account-ring.evidence.js';
import type { RingConfig } from './ring.config.js';
import { identifierWeight, type RingLink, type WeighedIdentifier } from './ring-graph.js';

const DAY = 86_400_000;

/** A member's sign-up (account.registered), as the ring judge reads it. */
export interface MemberRegistration {
  accountId: string;
  registeredAt: number;
  deviceId: string | null;
  channel: string | null;
  /** Signed up from an app cloner, a cloud phone or an emulator. */
  clonedApp: boolean;
}

/** A report of another detector naming a member. */
export interface MemberCatch {
  accountId: string;
  kind: ReportKind;
  roomId: string | null;
  streamId: string | null;
}

/** A member's first entry into a stream. */
export interface MemberPresence {
  accountId: string;
  roomId: string;
  streamId: string;
  firstTs: number;
}

/** One linked set of accounts, with everything the ring judge weighs, read from the graph. */
export interface RingCandidate {
  ringId: string;
  members: readonly string[];
  /** The strong links among the members. */
  links: readonly RingLink[];
  /** The members' identifiers shared by two or more members, with their users. */
  identifiers: ReadonlyArray<WeighedIdentifier & { accounts: readonly string[] }>;
  registrations: readonly MemberRegistration[];
  caught: readonly MemberCatch[];
  presence: readonly MemberPresence[];
  absorbed: readonly string[];
  /** Event time of this judgement (the newest event that changed the ring). */
  asOf: number;
}

/** The kinds whose reports corroborate a ring (a ring's own reports do not). */
export const CORROBORATING_KINDS: ReadonlySet<ReportKind> = new Set(['injected_viewers', 'scripted_comments', 'refund_brushing', 'scalper_bot', 'coupon_abuse', 'cash_out']);

export interface RingVerdict {
  finding: Finding | null;
  evidence: AccountRingEvidence | null;
}

/**
 * Judges one linked set as a whole: it is an operator's ring when it is
 * larger than a household, dense in strong links (more than a chain of
 * coincidences), and at least one independent sign corroborates it: a
 * registration burst, a payment account shared beyond a family, members
 * caught by other detectors, or members entering streams together in
 * several rooms. Never one shared identifier alone: a link is already two
 * rare identifiers in common, and the set must be tied many times over.
 */
export function judgeRing(candidate: RingCandidate, config: RingConfig): RingVerdict {
  const members = [...candidate.members].sort();
  if (members.length < config.minRingSize) return { finding: null, evidence: null };
  const memberSet = new Set(members);
  const links = candidate.links.filter((link) => memberSet.has(link.a) && memberSet.has(link.b));
  const linksPerMember = links.length / members.length;
  if (linksPerMember < config.minLinksPerMember) return { finding: null, evidence: null };

  const identifiers = sharedIdentifiers(candidate, memberSet, config);
  const sharedPaymentMembers = Math.max(0, ...identifiers.filter((shared) => shared.kind === 'payment').map((shared) => shared.membersTotal));
  const burst = registrationBurst(candidate, memberSet, config);
  const caught = caughtElsewhere(candidate, memberSet, config.sampleSize * 10);
  const synchronised = synchronisedStreams(candidate, memberSet, config);
  const syncRooms = new Set(synchronised.map((stream) => stream.roomId)).size;

  const signals = ['dense_links'];
  if (burst) signals.push('registration_burst');
  if (burst && burst.dormant >= config.burstMembers) signals.push('dormant_then_active');
  if (sharedPaymentMembers >= config.sharedPaymentMembers) signals.push('shared_payment');
  if (caught.members >= config.caughtMembers) signals.push('caught_elsewhere');
  if (syncRooms >= config.syncRooms) signals.push('synchronised_rooms');
  const corroborations = signals.filter((signal) => signal !== 'dense_links' && signal !== 'dormant_then_active').length;
  if (corroborations === 0) return { finding: null, evidence: null };

  const { rooms, streams } = placesOf(candidate, memberSet, config.sampleSize);
  const evidence: AccountRingEvidence = {
    signals,
    members: members.length,
    links: links.length,
    linksPerMember: round(linksPerMember),
    identifiers: identifiers.slice(0, config.sampleSize),
    sharedPaymentMembers,
    registrationBurst: burst ? burst.burst : null,
    registrations: candidate.registrations
      .filter((registration) => memberSet.has(registration.accountId))
      .sort((a, b) => a.registeredAt - b.registeredAt || (a.accountId < b.accountId ? -1 : 1))
      .slice(0, config.sampleSize * 5)
      .map(({ accountId, registeredAt, channel }) => ({ accountId, registeredAt, channel })),
    caught,
    synchronised: synchronised.slice(0, config.sampleSize),
    roomsSeen: rooms,
    streamsSeen: streams,
    linkSample: [...links]
      .sort((a, b) => b.strength - a.strength || (a.a < b.a ? -1 : a.a > b.a ? 1 : a.b < b.b ? -1 : 1))
      .slice(0, config.sampleSize)
      .map((link) => ({ a: link.a, b: link.b, strength: round(link.strength), through: link.shared.map((shared) => shared.kind) })),
    absorbed: [...candidate.absorbed],
  };
  // Each corroboration is an independent sign; density adds a little beyond the test.
  const density = Math.min(1, (linksPerMember - config.minLinksPerMember) / (3 * config.minLinksPerMember));
  const score = round(Math.min(0.97, 0.45 + 0.15 * corroborations + 0.1 * density));
  const severity: Severity = score >= 0.8 ? 'high' : score >= 0.6 ? 'medium' : 'low';
  const summary =
    `${members.length} accounts tied by ${links.length} strong links through shared ${describeKinds(identifiers)}, acting as one operator` +
    (caught.members > 0 ? `; ${caught.members} caught for ${caught.kinds.join(', ')}` : '') +
    (burst ? `; ${burst.burst.registered.length} signed up within ${Math.round((burst.burst.to - burst.burst.from) / 60_000)} min` : '') +
    '.';
  return {
    evidence,
    finding: {
      kind: 'account_ring',
      subjectType: 'ring',
      subjectId: candidate.ringId,
      roomId: null,
      streamId: null,
      score,
      severity,
      summary,
      accounts: members,
      evidence: evidence as unknown as Record<string, unknown>,
      detectedAt: candidate.asOf,
    },
  };
}

/** An absorbed ring's report as it stands, pointing to the ring that absorbed it. */
export function absorbedRingFinding(previous: Finding, survivor: string): Finding {
  return {
    ...previous,
    summary: `Merged into ring ${survivor}: ${previous.summary}`,
    evidence: { ...previous.evidence, mergedInto: survivor },
  };
}

/** A reported ring that no longer holds, as its report should now read (see `stoodDownFinding`). */
export function stoodDownRingFinding(previous: Finding, now: { members: number; at: number }, config: Pick<RingConfig, 'minRingSize'>): Finding {
  const reason =
    now.members < config.minRingSize
      ? `${now.members} of its accounts are still linked (a ring needs ${config.minRingSize}): what they shared turned out to be common`
      : 'its links are too sparse or nothing corroborates them any more';
  return stoodDownFinding(previous, { at: now.at, membersLinked: now.members, reason }, `No longer holds as one operator's ring: ${reason}.`);
}

function sharedIdentifiers(candidate: RingCandidate, members: ReadonlySet<string>, config: RingConfig): RingSharedIdentifier[] {
  return candidate.identifiers
    .map((identifier) => {
      const inRing = identifier.accounts.filter((account) => members.has(account)).sort();
      return { identifier, inRing };
    })
    .filter(({ inRing }) => inRing.length >= 2)
    .map(({ identifier, inRing }) => ({
      kind: identifier.kind,
      value: identifier.value,
      weight: round(identifierWeight(identifier)),
      users: identifier.users,
      members: inRing.slice(0, config.sampleSize),
      membersTotal: inRing.length,
    }))
    .sort((a, b) => b.membersTotal * b.weight - a.membersTotal * a.weight || (a.value < b.value ? -1 : 1));
}

function registrationBurst(candidate: RingCandidate, members: ReadonlySet<string>, config: RingConfig): { burst: RegistrationBurst; dormant: number } | null {
  const registrations = candidate.registrations.filter((registration) => members.has(registration.accountId)).sort((a, b) => a.registeredAt - b.registeredAt);
  // Runs of sign-ups each within burstGapMs of the one before; every run of burstMembers or more is a burst.
  const inBurst: MemberRegistration[] = [];
  let run: MemberRegistration[] = [];
  const close = (): void => {
    if (run.length >= config.burstMembers) inBurst.push(...run);
    run = [];
  };
  for (const registration of registrations) {
    const last = run[run.length - 1];
    if (last && registration.registeredAt - last.registeredAt > config.burstGapMs) close();
    run.push(registration);
  }
  close();
  if (inBurst.length === 0) return null;
  const firstSeen = new Map<string, number>();
  for (const presence of candidate.presence) {
    const seen = firstSeen.get(presence.accountId);
    if (seen === undefined || presence.firstTs < seen) firstSeen.set(presence.accountId, presence.firstTs);
  }
  // Dormant: first seen in a room a day or more after signing up (a farm's stock waiting for a promotion).
  const dormant = inBurst.filter((registration) => {
    const seen = firstSeen.get(registration.accountId);
    return seen !== undefined && seen - registration.registeredAt >= DAY;
  }).length;
  return {
    dormant,
    burst: {
      from: (inBurst[0] as MemberRegistration).registeredAt,
      to: (inBurst[inBurst.length - 1] as MemberRegistration).registeredAt,
      registered: inBurst.map((registration) => registration.accountId).sort(),
      devices: new Set(inBurst.map((registration) => registration.deviceId ?? `none:${registration.accountId}`)).size,
      clonedApps: inBurst.filter((registration) => registration.clonedApp).length,
      channels: [...new Set(inBurst.flatMap((registration) => (registration.channel === null ? [] : [registration.channel])))].sort(),
    },
  };
}

function caughtElsewhere(candidate: RingCandidate, members: ReadonlySet<string>, listed: number): RingCaught {
  const catches = candidate.caught.filter((caught) => members.has(caught.accountId) && CORROBORATING_KINDS.has(caught.kind));
  const byAccount = new Map<string, Set<string>>();
  for (const caught of catches) byAccount.set(caught.accountId, (byAccount.get(caught.accountId) ?? new Set()).add(caught.kind));
  return {
    kinds: [...new Set(catches.map((caught) => caught.kind))].sort(),
    members: byAccount.size,
    // The console marks them on the ring's graph.
    accounts: [...byAccount.keys()]
      .sort()
      .slice(0, listed)
      .map((accountId) => ({ accountId, kinds: [...(byAccount.get(accountId) ?? [])].sort() })),
    rooms: [...new Set(catches.flatMap((caught) => (caught.roomId === null ? [] : [caught.roomId])))].sort(),
    streams: [...new Set(catches.flatMap((caught) => (caught.streamId === null ? [] : [caught.streamId])))].sort(),
  };
}

function synchronisedStreams(candidate: RingCandidate, members: ReadonlySet<string>, config: RingConfig): RingSyncStream[] {
  const byStream = new Map<string, MemberPresence[]>();
  for (const presence of candidate.presence) {
    if (!members.has(presence.accountId)) continue;
    let list = byStream.get(presence.streamId);
    if (!list) byStream.set(presence.streamId, (list = []));
    list.push(presence);
  }
  const synced: RingSyncStream[] = [];
  for (const [streamId, list] of byStream) {
    if (list.length < config.syncMembers) continue;
    list.sort((a, b) => a.firstTs - b.firstTs);
    let start = 0;
    let best = 0;
    let spread = 0;
    for (let end = 0; end < list.length; end++) {
      while ((list[end] as MemberPresence).firstTs - (list[start] as MemberPresence).firstTs > config.syncWindowMs) start++;
      if (end - start + 1 > best) {
        best = end - start + 1;
        spread = (list[end] as MemberPresence).firstTs - (list[start] as MemberPresence).firstTs;
      }
    }
    if (best >= config.syncMembers) synced.push({ roomId: (list[0] as MemberPresence).roomId, streamId, members: best, spreadMs: spread });
  }
  return synced.sort((a, b) => b.members - a.members || (a.streamId < b.streamId ? -1 : 1));
}

function placesOf(candidate: RingCandidate, members: ReadonlySet<string>, limit: number): { rooms: string[]; streams: string[] } {
  const rooms = new Map<string, Set<string>>();
  const streams = new Map<string, Set<string>>();
  for (const presence of candidate.presence) {
    if (!members.has(presence.accountId)) continue;
    if (!rooms.has(presence.roomId)) rooms.set(presence.roomId, new Set());
    rooms.get(presence.roomId)?.add(presence.accountId);
    if (!streams.has(presence.streamId)) streams.set(presence.streamId, new Set());
    streams.get(presence.streamId)?.add(presence.accountId);
  }
  const ranked = (map: Map<string, Set<string>>): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([id]) => id);
  return { rooms: ranked(rooms), streams: ranked(streams) };
}

function describeKinds(identifiers: readonly RingSharedIdentifier[]): string {
  const kinds = [...new Set(identifiers.slice(0, 8).map((shared) => shared.kind))];
  return kinds.length === 0 ? 'identifiers' : kinds.join(', ');
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

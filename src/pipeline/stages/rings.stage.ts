import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Finding, ReportKind } from '../../detection/engine/finding.js';
import { absorbedRingFinding, CORROBORATING_KINDS, judgeRing, stoodDownRingFinding, type MemberRegistration, type RingCandidate } from '../../detection/rings/account-ring.detector.js';
import { DEFAULT_RING_CONFIG, type RingConfig } from '../../detection/rings/ring.config.js';
import { strongLinks, linkedSets, type RingLink, type WalkedIdentifier } from '../../detection/rings/ring-graph.js';
import { identifierSightings, NETWORK_KINDS } from '../../detection/rings/ring-identifiers.js';
import { ReportRepository } from '../../reports/report.repository.js';
import { type NewTie, RingGraphRepository, type RingUpdate, type StoredRing } from '../../rings/ring-graph.repository.js';
import { AccountRegistrationsRepository } from '../../state/accounts/account-registrations.repository.js';
import { AccountStreamsRepository } from '../../state/accounts/account-streams.repository.js';
import type { AggregateDetectionStage, BatchContext } from '../stage.js';

/** Hops walked from the batch's accounts per update: a ring tied by shared kit is a few hops wide; a longer chain is bounded by cost. */
const MAX_HOPS = 6;
/** Stream entries read per judged member at most (synchronised entries, rooms struck). */
const ENTRIES_PER_MEMBER = 40;
/** The kinds whose reports corroborate a ring: the judge's, read from the store in one query. */
const CORROBORATING: ReportKind[] = [...CORROBORATING_KINDS];

type Identifier = WalkedIdentifier & { accounts: string[] };

/** What the stage reads and writes of the ring graph (a fake in memory holds the same for its spec). */
export type RingGraph = Pick<
  RingGraphRepository,
  'recordSightings' | 'neighbourhood' | 'usersOf' | 'ringsOfAccounts' | 'membersOf' | 'rings' | 'applyUpdate' | 'markReported'
>;

/**
 * Linked-account rings, incrementally, once the batch's findings are
 * stored (an aggregate stage): adds the batch's identifier sightings to the
 * graph and works only from what changed. It walks the strong links from
 * the accounts the batch tied to an identifier for the first time, and
 * from every ring whose inputs moved: a member newly tied, caught by any
 * detector, signed up or joining a stream, or an identifier its members
 * share gaining a user (its weight fell). An honest viewer seen again with
 * the same phone and wifi costs nothing. It cuts what it reached into
 * linked sets, keeps ring ids stable (a set keeps the id of the ring most
 * of it was in; the other rings it swallowed are recorded as merged into
 * it) and judges every set as a whole from the stored state, so a ring's
 * verdict depends on what has happened, not on where a batch was cut.
 * Everything it writes is a set recomputed from the graph, and the batch's
 * changes are found again by seq, so a batch run twice leaves the same rings.
 */
@Injectable()
export class RingsStage implements AggregateDetectionStage {
  readonly kind = 'aggregate-detection';
  readonly name = 'rings';
  private readonly config: RingConfig = DEFAULT_RING_CONFIG;

  constructor(
    @Inject(RingGraphRepository) private readonly graph: RingGraph,
    @Inject(AccountRegistrationsRepository) private readonly registrations: Pick<AccountRegistrationsRepository, 'forAccounts'>,
    @Inject(AccountStreamsRepository) private readonly streams: Pick<AccountStreamsRepository, 'entriesOf'>,
    @Inject(ReportRepository) private readonly reports: Pick<ReportRepository, 'catchesOf'>,
  ) {}

  async run(context: BatchContext): Promise<void> {
    const sightings = context.events.flatMap(({ seq, event }) => identifierSightings(event).map((sighting) => ({ ...sighting, seq })));
    const ties = await this.graph.recordSightings(
      sightings,
      context.events.map(({ seq }) => seq),
    );
    // When each account's inputs last moved in this batch: the judgement's event time.
    const changedAt = new Map<string, number>();
    const moved = (accountId: string, ts: number): void => {
      changedAt.set(accountId, Math.max(changedAt.get(accountId) ?? 0, ts));
    };
    for (const tie of ties) moved(tie.accountId, tie.firstTs);
    const tied = new Set(changedAt.keys());
    for (const finding of context.findings) {
      if (!CORROBORATING_KINDS.has(finding.kind)) continue;
      for (const accountId of finding.subjectType === 'account' ? [finding.subjectId] : finding.accounts) moved(accountId, finding.detectedAt);
    }
    for (const { event } of context.events) {
      if (event.type === 'account.registered' || event.type === 'viewer.joined') moved(event.accountId, event.ts);
    }
    // The other users of identifiers that gained one: their rings' weights and links moved.
    const changedIdentifiers = new Map<string, NewTie>();
    for (const tie of ties) {
      const key = `${tie.kind}\u0000${tie.value}`;
      const known = changedIdentifiers.get(key);
      if (!known || tie.firstTs > known.firstTs) changedIdentifiers.set(key, tie);
    }
    for (const { accountId, kind, value } of await this.graph.usersOf([...changedIdentifiers.values()], this.config.maxUsersWalked)) {
      moved(accountId, (changedIdentifiers.get(`${kind}\u0000${value}`) as NewTie).firstTs);
    }
    if (changedAt.size === 0) return;

    // Walked: the newly tied accounts, and every member of a ring one of the moved accounts is in.
    const ringOfMoved = await this.graph.ringsOfAccounts([...changedAt.keys()]);
    const seeds = new Set(tied);
    for (const members of (await this.graph.membersOf([...new Set(ringOfMoved.values())])).values()) {
      for (const member of members) if (seeds.size < this.config.maxComponent) seeds.add(member);
    }
    if (seeds.size === 0) return;
    const { visited, links, identifiers } = await this.walk(seeds);
    const sets = linkedSets(links.filter((link) => visited.has(link.a) && visited.has(link.b)));
    const inSet = new Set(sets.flat());

    const storedOf = await this.graph.ringsOfAccounts([...visited]);
    const storedIds = [...new Set(storedOf.values())];
    const [storedRings, storedMembers] = await Promise.all([this.graph.rings(storedIds), this.graph.membersOf(storedIds)]);
    // A ring's event time only moves forward: the newest change among its members, or its last verdict's.
    const asOfSet = (members: readonly string[]): number => {
      let asOf = Math.max(0, ...members.map((member) => changedAt.get(member) ?? 0));
      for (const member of members) {
        const previous = storedRings.get(storedOf.get(member) ?? '')?.lastFinding?.detectedAt;
        if (previous !== undefined && previous > asOf) asOf = previous;
      }
      return asOf;
    };
    const founder = foundersOf(sets, links);
    const update = this.assign(sets, storedOf, storedRings, storedMembers, asOfSet, founder);
    update.released = [...visited].filter((account) => storedOf.has(account) && !inSet.has(account)).sort();
    // A stored ring the walk saw whole that no set kept: its links weakened (what its accounts shared turned out common).
    const kept = new Set([...update.rings.map((ring) => ring.ringId), ...update.merges.map((merge) => merge.absorbed)]);
    for (const ringId of storedIds) {
      const ring = storedRings.get(ringId);
      if (!ring || kept.has(ringId) || !(storedMembers.get(ringId) ?? []).every((member) => visited.has(member))) continue;
      update.rings.push({ ringId, createdTs: ring.createdTs, members: [], absorbed: ring.absorbed, joinedTs: asOfSet(storedMembers.get(ringId) ?? []) });
    }
    await this.graph.applyUpdate(update);

    const findings = await this.judge(update, links, identifiers, asOfSet);
    findings.push(...this.standDowns(update, storedRings, findings, storedMembers, asOfSet));
    for (const merge of update.merges) {
      const absorbed = storedRings.get(merge.absorbed);
      if (absorbed?.reported && absorbed.lastFinding) findings.push(absorbedRingFinding(absorbed.lastFinding, merge.survivor));
    }
    await this.graph.markReported(findings);
    context.findings.push(...findings);
  }

  /** Walks strong links out from the seeds, a hop per query, up to the component bound. */
  private async walk(seeds: ReadonlySet<string>): Promise<{ visited: Set<string>; links: RingLink[]; identifiers: Identifier[] }> {
    const visited = new Set(seeds);
    const identifiers = new Map<string, Identifier>();
    let frontier = [...seeds];
    let links: RingLink[] = [];
    for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
      for (const identifier of await this.graph.neighbourhood(frontier, this.config.maxUsersWalked, NETWORK_KINDS)) {
        // A network identifier comes with the accounts this hop reached: its users seen so far are the union.
        const key = `${identifier.kind}\u0000${identifier.value}`;
        const known = identifiers.get(key);
        identifiers.set(key, known ? unionOfUsers(known, identifier) : identifier);
      }
      links = strongLinks([...identifiers.values()], this.config);
      const next: string[] = [];
      for (const link of links) {
        for (const [from, to] of [
          [link.a, link.b],
          [link.b, link.a],
        ] as const) {
          if (visited.has(from) && !visited.has(to) && visited.size < this.config.maxComponent) {
            visited.add(to);
            next.push(to);
          }
        }
      }
      frontier = next;
    }
    return { visited, links, identifiers: [...identifiers.values()] };
  }

  /**
   * Ring ids for the linked sets, largest first: a set keeps the stored ring
   * its founder is in, else the one most of its members were in (then the
   * oldest); the other stored rings wholly inside it are merged into it; a
   * set with no stored ring gets a new id from its founder, as does the
   * smaller part of a ring that split. The founder is the first member of
   * the set's first link to form (foundersOf): a ring formed in one batch
   * and the same ring grown or merged over many are named alike.
   */
  private assign(
    sets: readonly string[][],
    storedOf: ReadonlyMap<string, string>,
    stored: ReadonlyMap<string, StoredRing>,
    storedMembers: ReadonlyMap<string, string[]>,
    asOfSet: (members: readonly string[]) => number,
    founder: (members: readonly string[]) => string,
  ): RingUpdate {
    const update: RingUpdate = { rings: [], released: [], merges: [] };
    const claimed = new Set<string>();
    const ordered = [...sets].sort((a, b) => b.length - a.length || ((a[0] as string) < (b[0] as string) ? -1 : 1));
    for (const members of ordered) {
      const memberSet = new Set(members);
      const counts = new Map<string, number>();
      for (const member of members) {
        const ringId = storedOf.get(member);
        if (ringId !== undefined) counts.set(ringId, (counts.get(ringId) ?? 0) + 1);
      }
      const named = founder(members);
      const foundersRing = storedOf.get(named);
      const candidates = [...counts.entries()]
        .filter(([ringId]) => !claimed.has(ringId))
        .sort((a, b) => Number(b[0] === foundersRing) - Number(a[0] === foundersRing) || b[1] - a[1] || (stored.get(a[0])?.createdTs ?? 0) - (stored.get(b[0])?.createdTs ?? 0) || (a[0] < b[0] ? -1 : 1));
      const asOf = asOfSet(members);
      const survivor = candidates[0]?.[0] ?? newRingId(named, (id) => stored.has(id) || claimed.has(id));
      claimed.add(survivor);
      const absorbed = [...(stored.get(survivor)?.absorbed ?? [])];
      for (const [ringId] of candidates.slice(1)) {
        // Merged only when every member it had is in this set; a ring that split keeps its id for its other part.
        if (!(storedMembers.get(ringId) ?? []).every((member) => memberSet.has(member))) continue;
        claimed.add(ringId);
        absorbed.push(ringId);
        update.merges.push({ absorbed: ringId, survivor, ts: asOf });
      }
      // Sorted, not in merge order: two rings absorbed in one batch or in two are the same history.
      update.rings.push({ ringId: survivor, createdTs: stored.get(survivor)?.createdTs ?? asOf, members, absorbed: [...new Set(absorbed)].sort(), joinedTs: asOf });
    }
    return update;
  }

  /**
   * Reported rings the update names that no longer hold (too few members
   * left, too sparse, nothing corroborating): their report gets a new
   * version that says so, scored low, so a ring that only looked like an
   * operator while its identifiers seemed rare stops being enforced.
   */
  private standDowns(
    update: RingUpdate,
    stored: ReadonlyMap<string, StoredRing>,
    convicted: readonly Finding[],
    storedMembers: ReadonlyMap<string, string[]>,
    asOfSet: (members: readonly string[]) => number,
  ): Finding[] {
    const holding = new Set(convicted.map((finding) => finding.subjectId));
    const findings: Finding[] = [];
    for (const ring of update.rings) {
      const last = stored.get(ring.ringId)?.lastFinding;
      if (holding.has(ring.ringId) || !last || last.evidence.stoodDown !== undefined) continue;
      const asOf = Math.max(ring.joinedTs, asOfSet(storedMembers.get(ring.ringId) ?? []));
      findings.push(stoodDownRingFinding(last, { members: ring.members.length, at: asOf }, this.config));
    }
    return findings;
  }

  /** Judges every ring of reportable size the update names, reading the members' sign-ups, catches and stream entries at once. */
  private async judge(
    update: RingUpdate,
    links: readonly RingLink[],
    identifiers: readonly Identifier[],
    asOfSet: (members: readonly string[]) => number,
  ): Promise<Finding[]> {
    const judged = update.rings.filter((ring) => ring.members.length >= this.config.minRingSize);
    if (judged.length === 0) return [];
    const accounts = [...new Set(judged.flatMap((ring) => ring.members))];
    const [registrations, caught, presence] = await Promise.all([
      this.registrations.forAccounts(accounts),
      this.reports.catchesOf(accounts, CORROBORATING),
      this.streams.entriesOf(accounts, accounts.length * ENTRIES_PER_MEMBER),
    ]);
    const memberRegistrations: MemberRegistration[] = [...registrations.values()].map((registration) => ({
      accountId: registration.accountId,
      registeredAt: registration.registeredAt,
      deviceId: registration.deviceId,
      channel: registration.channel,
      clonedApp: Boolean(registration.device?.multiInstance || registration.device?.cloudPhone || registration.device?.emulator),
    }));
    const findings: Finding[] = [];
    for (const ring of judged) {
      const members = new Set(ring.members);
      const candidate: RingCandidate = {
        ringId: ring.ringId,
        members: ring.members,
        links: links.filter((link) => members.has(link.a) && members.has(link.b)),
        identifiers: identifiers.filter((identifier) => identifier.accounts.some((account) => members.has(account))),
        registrations: memberRegistrations.filter((registration) => members.has(registration.accountId)),
        caught: caught.filter((entry) => members.has(entry.accountId)),
        presence: presence.filter((entry) => members.has(entry.accountId)),
        absorbed: ring.absorbed,
        asOf: asOfSet(ring.members),
      };
      const verdict = judgeRing(candidate, this.config);
      if (verdict.finding) findings.push(verdict.finding);
    }
    return findings;
  }
}

/**
 * Each set's founder: of the links among its members, the one formed first
 * in the log (then by its accounts), and of its two accounts the one that
 * held what they share first. Links never re-date and later links form at
 * later seqs, so the founder a ring had when a batch first linked it is the
 * founder of everything it grows into.
 */
function foundersOf(sets: readonly string[][], links: readonly RingLink[]): (members: readonly string[]) => string {
  const setOf = new Map<string, number>();
  sets.forEach((members, i) => {
    for (const member of members) setOf.set(member, i);
  });
  const earliest = new Map<number, RingLink>();
  for (const link of links) {
    const i = setOf.get(link.a);
    if (i === undefined || setOf.get(link.b) !== i) continue;
    const best = earliest.get(i);
    if (!best || link.formedSeq < best.formedSeq || (link.formedSeq === best.formedSeq && (link.a < best.a || (link.a === best.a && link.b < best.b)))) earliest.set(i, link);
  }
  return (members) => {
    const i = setOf.get(members[0] as string);
    // A set's members are sorted (linkedSets); one always has a link, the fallback only keeps the type whole.
    return (i === undefined ? undefined : earliest.get(i)?.first) ?? (members[0] as string);
  };
}

/** One identifier's users as two hops read them: the union, each with its first seq. */
function unionOfUsers(known: Identifier, more: Identifier): Identifier {
  const seqOf = new Map<string, number>();
  for (const identifier of [known, more]) identifier.accounts.forEach((account, i) => seqOf.set(account, identifier.firstSeqs?.[i] ?? 0));
  const accounts = [...seqOf.keys()].sort();
  return { ...more, accounts, firstSeqs: accounts.map((account) => seqOf.get(account) as number) };
}

/**
 * A new ring's id: from its founder (the first member of its first link), so the same
 * ring found from another batch cut is named alike; a name some other
 * stored ring holds already (that member's earlier ring lives on without
 * it) takes a counter.
 */
function newRingId(firstMember: string, taken: (ringId: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const ringId = `ring-${createHash('sha256').update(attempt === 0 ? firstMember : `${firstMember}|${attempt}`).digest('hex').slice(0, 16)}`;
    if (!taken(ringId)) return ringId;
  }
}

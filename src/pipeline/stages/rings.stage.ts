import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Finding, ReportKind } from '../../detection/engine/finding.js';
import { absorbedRingFinding, judgeRing, type MemberRegistration, type RingCandidate } from '../../detection/rings/account-ring.detector.js';
import { DEFAULT_RING_CONFIG, type RingConfig } from '../../detection/rings/ring.config.js';
import { strongLinks, linkedSets, type RingLink, type WeighedIdentifier } from '../../detection/rings/ring-graph.js';
import { identifierSightings } from '../../detection/rings/ring-identifiers.js';
import { ReportRepository } from '../../reports/report.repository.js';
import { RingGraphRepository, type RingUpdate, type StoredRing } from '../../rings/ring-graph.repository.js';
import { AccountRegistrationsRepository } from '../../state/accounts/account-registrations.repository.js';
import { AccountStreamsRepository } from '../../state/accounts/account-streams.repository.js';
import type { BatchContext, LedgerDetectionStage } from '../stage.js';

/** Hops walked from the batch's accounts per update: a ring tied by shared kit is a few hops wide; a longer chain is bounded by cost. */
const MAX_HOPS = 6;
/** Stream entries read per judged member at most (synchronised entries, rooms struck). */
const ENTRIES_PER_MEMBER = 40;
const CORROBORATING: ReportKind[] = ['injected_viewers', 'scripted_comments', 'refund_brushing', 'scalper_bot', 'coupon_abuse', 'cash_out'];

type Identifier = WeighedIdentifier & { accounts: string[] };

/**
 * Linked-account rings, incrementally: adds the batch's identifier
 * sightings to the graph, walks the strong links from the batch's accounts
 * (and their rings' members), cuts what it reached into linked sets, keeps
 * ring ids stable (a set keeps the id of the ring most of it was in; the
 * other rings it swallowed are recorded as merged into it) and judges every
 * set as a whole. It runs with the state stages: everything it writes is a
 * set recomputed from the graph, so a batch run twice leaves the same rings.
 */
@Injectable()
export class RingsStage implements LedgerDetectionStage {
  readonly kind = 'ledger-detection';
  readonly name = 'rings';
  private readonly config: RingConfig = DEFAULT_RING_CONFIG;

  constructor(
    @Inject(RingGraphRepository) private readonly graph: RingGraphRepository,
    @Inject(AccountRegistrationsRepository) private readonly registrations: Pick<AccountRegistrationsRepository, 'forAccounts'>,
    @Inject(AccountStreamsRepository) private readonly streams: Pick<AccountStreamsRepository, 'entriesOf'>,
    @Inject(ReportRepository) private readonly reports: Pick<ReportRepository, 'catchesOf'>,
  ) {}

  async run(context: BatchContext): Promise<void> {
    const lastTs = new Map<string, number>();
    let batchTs = 0;
    for (const { event } of context.events) {
      batchTs = Math.max(batchTs, event.ts);
      if ('accountId' in event && event.accountId !== undefined) lastTs.set(event.accountId, Math.max(lastTs.get(event.accountId) ?? 0, event.ts));
    }
    await this.graph.recordSightings(context.events.flatMap(({ event }) => identifierSightings(event)));
    // What the stages before this one caught in this batch (refund brushing, promotions): not stored yet, so
    // read from the batch; their accounts' rings are judged again now, so a ring's catches never depend on
    // where a batch was cut (a restart, a lane) but only on what has been caught.
    const batchCatches = context.findings
      .filter((finding) => (CORROBORATING as readonly string[]).includes(finding.kind))
      .flatMap((finding) =>
        (finding.subjectType === 'account' ? [finding.subjectId] : finding.accounts).map((accountId) => ({ accountId, kind: finding.kind, roomId: finding.roomId, streamId: finding.streamId })),
      );
    if (lastTs.size === 0 && batchCatches.length === 0) return;

    const seeds = new Set([...lastTs.keys(), ...batchCatches.map((entry) => entry.accountId)]);
    const seedRings = await this.graph.ringsOfAccounts([...seeds]);
    for (const members of (await this.graph.membersOf([...new Set(seedRings.values())])).values()) {
      for (const member of members) if (seeds.size < this.config.maxComponent) seeds.add(member);
    }
    const { visited, links, identifiers } = await this.walk(seeds);
    const sets = linkedSets(links.filter((link) => visited.has(link.a) && visited.has(link.b)));
    const inSet = new Set(sets.flat());

    const storedOf = await this.graph.ringsOfAccounts([...visited]);
    const storedIds = [...new Set(storedOf.values())];
    const [storedRings, storedMembers] = await Promise.all([this.graph.rings(storedIds), this.graph.membersOf(storedIds)]);
    const asOfSet = (members: readonly string[]): number => Math.max(0, ...members.map((member) => lastTs.get(member) ?? 0)) || batchTs;
    const update = this.assign(sets, storedOf, storedRings, storedMembers, asOfSet);
    update.released = [...visited].filter((account) => storedOf.has(account) && !inSet.has(account)).sort();
    await this.graph.applyUpdate(update);

    const findings = await this.judge(update, links, identifiers, asOfSet, batchCatches);
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
      for (const identifier of await this.graph.neighbourhood(frontier, this.config.maxUsersWalked)) identifiers.set(`${identifier.kind}\u0000${identifier.value}`, identifier);
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
   * most of its members were in (then the oldest); the other stored rings
   * wholly inside it are merged into it; a set with no stored ring gets a
   * new id, as does the smaller part of a ring that split.
   */
  private assign(
    sets: readonly string[][],
    storedOf: ReadonlyMap<string, string>,
    stored: ReadonlyMap<string, StoredRing>,
    storedMembers: ReadonlyMap<string, string[]>,
    asOfSet: (members: readonly string[]) => number,
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
      const candidates = [...counts.entries()]
        .filter(([ringId]) => !claimed.has(ringId))
        .sort((a, b) => b[1] - a[1] || (stored.get(a[0])?.createdTs ?? 0) - (stored.get(b[0])?.createdTs ?? 0) || (a[0] < b[0] ? -1 : 1));
      const asOf = asOfSet(members);
      const survivor = candidates[0]?.[0] ?? newRingId(members[0] as string, asOf);
      claimed.add(survivor);
      const absorbed = [...(stored.get(survivor)?.absorbed ?? [])];
      for (const [ringId] of candidates.slice(1)) {
        // Merged only when every member it had is in this set; a ring that split keeps its id for its other part.
        if (!(storedMembers.get(ringId) ?? []).every((member) => memberSet.has(member))) continue;
        claimed.add(ringId);
        absorbed.push(ringId);
        update.merges.push({ absorbed: ringId, survivor, ts: asOf });
      }
      update.rings.push({ ringId: survivor, createdTs: stored.get(survivor)?.createdTs ?? asOf, members, absorbed, joinedTs: asOf });
    }
    return update;
  }

  /** Judges every ring of reportable size the update names, reading the members' sign-ups, catches and stream entries at once. */
  private async judge(
    update: RingUpdate,
    links: readonly RingLink[],
    identifiers: readonly Identifier[],
    asOfSet: (members: readonly string[]) => number,
    batchCatches: ReadonlyArray<{ accountId: string; kind: ReportKind; roomId: string | null; streamId: string | null }>,
  ): Promise<Finding[]> {
    const judged = update.rings.filter((ring) => ring.members.length >= this.config.minRingSize);
    if (judged.length === 0) return [];
    const accounts = [...new Set(judged.flatMap((ring) => ring.members))];
    const [registrations, stored, presence] = await Promise.all([
      this.registrations.forAccounts(accounts),
      this.reports.catchesOf(accounts, CORROBORATING),
      this.streams.entriesOf(accounts, accounts.length * ENTRIES_PER_MEMBER),
    ]);
    const catchKey = (entry: { accountId: string; kind: string; streamId: string | null }) => `${entry.accountId}|${entry.kind}|${entry.streamId ?? ''}`;
    const known = new Set(stored.map(catchKey));
    const caught = [...stored, ...batchCatches.filter((entry) => !known.has(catchKey(entry)) && known.add(catchKey(entry)))];
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

/** A new ring's id: from its first member and the event time it was first seen, so the same batch run again names it alike. */
function newRingId(firstMember: string, asOf: number): string {
  return `ring-${createHash('sha256').update(`${firstMember}|${asOf}`).digest('hex').slice(0, 16)}`;
}

import type { Finding } from '../../../src/detection/engine/finding.js';
import type { WeighedIdentifier } from '../../../src/detection/rings/ring-graph.js';
import type { IdentifierSighting, RingIdentifierKind } from '../../../src/detection/rings/ring-identifiers.js';
import type { RingGraph } from '../../../src/pipeline/stages/rings.stage.js';
import type { NewTie, RingUpdate, StoredRing } from '../../../src/rings/ring-graph.repository.js';

interface Row {
  kind: RingIdentifierKind;
  value: string;
  accountId: string;
  firstTs: number;
  firstSeq: number;
}

const identifierKey = (kind: string, value: string): string => `${kind}\u0000${value}`;
const sorted = (values: Iterable<string>): string[] => [...values].sort();

/**
 * The ring graph held in memory, with the repository's semantics (the SQL in
 * ring-graph.repository.ts): a tie is found again by its first seq, users
 * count distinct accounts, network identifiers are listed only for the
 * accounts a hop reached. It also counts the walks, so a spec can say that a
 * batch which changed nothing walked nothing.
 */
export class InMemoryRingGraph implements RingGraph {
  readonly rows = new Map<string, Row>();
  readonly ringRows = new Map<string, StoredRing>();
  readonly members = new Map<string, string>();
  walks = 0;

  recordSightings(sightings: ReadonlyArray<IdentifierSighting & { seq: number }>, seqs: readonly number[]): Promise<NewTie[]> {
    const batchSeqs = new Set(seqs);
    const ties = new Map<string, NewTie>();
    for (const sighting of sightings) {
      const key = `${identifierKey(sighting.kind, sighting.value)}\u0000${sighting.accountId}`;
      const row = this.rows.get(key);
      if (!row) {
        this.rows.set(key, { kind: sighting.kind, value: sighting.value, accountId: sighting.accountId, firstTs: sighting.ts, firstSeq: sighting.seq });
      } else {
        row.firstTs = Math.min(row.firstTs, sighting.ts);
        row.firstSeq = Math.min(row.firstSeq, sighting.seq);
        if (!batchSeqs.has(row.firstSeq)) continue;
      }
      const stored = this.rows.get(key) as Row;
      ties.set(key, { kind: stored.kind, value: stored.value, accountId: stored.accountId, firstTs: stored.firstTs });
    }
    return Promise.resolve([...ties.values()]);
  }

  neighbourhood(accountIds: readonly string[], maxUsers: number, networkKinds: readonly string[]): Promise<Array<WeighedIdentifier & { accounts: string[]; firstSeqs: number[] }>> {
    this.walks++;
    const network = new Set(networkKinds);
    const asked = new Set(accountIds);
    const mine = new Set([...this.rows.values()].filter((row) => asked.has(row.accountId) && !network.has(row.kind)).map((row) => identifierKey(row.kind, row.value)));
    const near = [...mine].map((key) => this.identifier(key)).filter((identifier) => identifier.users >= 2 && identifier.users <= maxUsers);
    const reached = new Set([...accountIds, ...near.flatMap((identifier) => identifier.accounts)]);
    const networkKeys = new Set([...this.rows.values()].filter((row) => reached.has(row.accountId) && network.has(row.kind)).map((row) => identifierKey(row.kind, row.value)));
    const around = [...networkKeys]
      .map((key) => this.identifier(key))
      .filter((identifier) => identifier.users >= 2 && identifier.users <= maxUsers)
      .map((identifier) => {
        const kept = identifier.accounts.flatMap((account, i) => (reached.has(account) ? [i] : []));
        return { ...identifier, accounts: kept.map((i) => identifier.accounts[i] as string), firstSeqs: kept.map((i) => identifier.firstSeqs[i] as number) };
      });
    return Promise.resolve([...near, ...around]);
  }

  usersOf(identifiers: ReadonlyArray<{ kind: string; value: string }>, maxUsers: number): Promise<Array<{ accountId: string; kind: RingIdentifierKind; value: string }>> {
    const users = identifiers.flatMap(({ kind, value }) => {
      const identifier = this.identifier(identifierKey(kind, value));
      if (identifier.users < 2 || identifier.users > maxUsers) return [];
      return identifier.accounts.map((accountId) => ({ accountId, kind: identifier.kind, value }));
    });
    return Promise.resolve(users);
  }

  ringsOfAccounts(accountIds: readonly string[]): Promise<Map<string, string>> {
    return Promise.resolve(new Map(accountIds.flatMap((account) => (this.members.has(account) ? [[account, this.members.get(account) as string] as const] : []))));
  }

  membersOf(ringIds: readonly string[]): Promise<Map<string, string[]>> {
    const wanted = new Set(ringIds);
    const byRing = new Map<string, string[]>();
    for (const [account, ringId] of [...this.members.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (wanted.has(ringId)) byRing.set(ringId, [...(byRing.get(ringId) ?? []), account]);
    }
    return Promise.resolve(byRing);
  }

  rings(ringIds: readonly string[]): Promise<Map<string, StoredRing>> {
    return Promise.resolve(new Map(ringIds.flatMap((ringId) => (this.ringRows.has(ringId) ? [[ringId, structuredClone(this.ringRows.get(ringId) as StoredRing)] as const] : []))));
  }

  applyUpdate(update: RingUpdate): Promise<void> {
    for (const ring of update.rings) {
      const known = this.ringRows.get(ring.ringId);
      this.ringRows.set(ring.ringId, {
        ringId: ring.ringId,
        createdTs: known?.createdTs ?? ring.createdTs,
        members: ring.members.length,
        mergedInto: null,
        absorbed: ring.absorbed,
        reported: known?.reported ?? false,
        lastFinding: known?.lastFinding ?? null,
      });
      for (const account of ring.members) this.members.set(account, ring.ringId);
    }
    for (const account of update.released) this.members.delete(account);
    for (const merge of update.merges) {
      const absorbed = this.ringRows.get(merge.absorbed);
      if (absorbed) this.ringRows.set(merge.absorbed, { ...absorbed, mergedInto: merge.survivor, members: 0 });
    }
    return Promise.resolve();
  }

  markReported(findings: readonly Finding[]): Promise<void> {
    for (const finding of findings) {
      const ring = this.ringRows.get(finding.subjectId);
      if (ring) this.ringRows.set(finding.subjectId, { ...ring, reported: true, lastFinding: structuredClone(finding) });
    }
    return Promise.resolve();
  }

  /** The accounts of every ring now, by ring id. */
  ringsNow(): Map<string, string[]> {
    const byRing = new Map<string, string[]>();
    for (const [account, ringId] of this.members) byRing.set(ringId, sorted([...(byRing.get(ringId) ?? []), account]));
    return byRing;
  }

  private identifier(key: string): WeighedIdentifier & { accounts: string[]; firstSeqs: number[] } {
    const rows = [...this.rows.values()].filter((row) => identifierKey(row.kind, row.value) === key);
    const [kind, value] = key.split('\u0000') as [RingIdentifierKind, string];
    const seqOf = new Map(rows.map((row) => [row.accountId, row.firstSeq]));
    const accounts = sorted(seqOf.keys());
    return { kind, value, users: accounts.length, accounts, firstSeqs: accounts.map((account) => seqOf.get(account) as number) };
  }
}

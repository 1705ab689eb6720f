import type { RingConfig } from './ring.config.js';
import { IDENTIFIER_FAMILY, type RingIdentifierKind } from './ring-identifiers.js';

/** An identifier as the graph knows it: who uses it. */
export interface WeighedIdentifier {
  kind: RingIdentifierKind;
  value: string;
  /** Accounts seen with it, all time. */
  users: number;
}

/**
 * An identifier as a walk reads it: the accounts seen with it and, aligned
 * with them, the log seq each was first seen with it at (absent in specs
 * that do not care when a link formed: every link then formed at seq 0).
 */
export type WalkedIdentifier = WeighedIdentifier & { accounts: readonly string[]; firstSeqs?: readonly number[] };

/**
 * The number of accounts sharing an identifier at which sharing it says
 * nothing (its weight is 0): a carrier NAT pool, a city's mobile network.
 * A fixed scale, not the accounts the graph holds now: with the graph's
 * population the same handset would weigh less on the evening's first
 * batch than on its last, a ring's links would depend on how many other
 * rooms' viewers had arrived first (on connections hours apart in event
 * time), and a platform of a hundred million accounts would make a 30-desk
 * office's wifi as rare as a handset. 50,000 is the scale the link
 * threshold was reasoned at (ring.config.ts): an identifier of 30 users
 * weighs 0.69, of 3 users 0.90, of 500 (the walk bound) 0.43.
 */
export const RARITY_SCALE = 50_000;

/**
 * How much sharing this identifier says about two accounts: an inverse
 * document frequency on a fixed scale, 1 - ln(users) / ln(RARITY_SCALE).
 * One nobody else has weighs 1, one shared by RARITY_SCALE accounts or more
 * weighs 0; a carrier NAT address or a campus network shared by thousands
 * weighs little, a handset shared by three a lot. It depends on the
 * identifier's users only, so a ring is judged alike whatever order the
 * rest of the evening arrived in.
 */
export function identifierWeight({ users }: Pick<WeighedIdentifier, 'users'>): number {
  if (users <= 0) return 0;
  const weight = 1 - Math.log(users) / Math.log(RARITY_SCALE);
  return Math.min(1, Math.max(0, weight));
}

/** A strong link between two accounts and the identifiers that make it. */
export interface RingLink {
  a: string;
  b: string;
  strength: number;
  /** Per family, the rarest identifier the two share. */
  shared: Array<{ kind: RingIdentifierKind; value: string; weight: number }>;
  /**
   * The log seq at which the pair first held enough in common to be linked
   * (its shared identifiers taken in the order the second of the two was
   * seen with each), and which of the two held it first. A row keeps the
   * seq of the log's first sighting, so a link known after one batch keeps
   * these in every later one, and a link formed later has a larger seq:
   * what names a ring (rings.stage.ts) the same whatever batches the log
   * was cut into.
   */
  formedSeq: number;
  first: string;
}

/**
 * The strong links among accounts, from each identifier's users. A pair's
 * strength sums, per identifier family, its rarest shared identifier's
 * weight. Identifiers with more users than `maxUsersWalked` are not walked.
 *
 * Pairs are drawn from the identifiers of every family but the network
 * (addresses and /24s) and scored on all of them: one family weighs at most
 * 1, so a link (linkStrength above 1) always shares a second family, and a
 * pair that shares only a campus's /24 is never enumerated. The 500 users of
 * a carrier's NAT address would otherwise be 125,000 pairs per batch.
 */
export function strongLinks(identifiers: readonly WalkedIdentifier[], config: Pick<RingConfig, 'linkStrength' | 'maxUsersWalked'>): RingLink[] {
  type Held = { kind: RingIdentifierKind; value: string; weight: number; family: string; seq: number };
  const held = new Map<string, Map<string, Held>>();
  const drawn: Array<readonly string[]> = [];
  for (const identifier of identifiers) {
    if (identifier.accounts.length < 2 || identifier.accounts.length > config.maxUsersWalked) continue;
    const weight = identifierWeight(identifier);
    if (weight <= 0) continue;
    const family = IDENTIFIER_FAMILY[identifier.kind];
    const key = `${identifier.kind}\u0000${identifier.value}`;
    identifier.accounts.forEach((account, i) => {
      let mine = held.get(account);
      if (!mine) held.set(account, (mine = new Map()));
      mine.set(key, { kind: identifier.kind, value: identifier.value, weight, family, seq: identifier.firstSeqs?.[i] ?? 0 });
    });
    if (family !== 'network' || config.linkStrength <= 1) drawn.push([...identifier.accounts].sort());
  }
  const scored = new Set<string>();
  const links: RingLink[] = [];
  for (const accounts of drawn) {
    for (let i = 0; i < accounts.length; i++) {
      for (let j = i + 1; j < accounts.length; j++) {
        const a = accounts[i] as string;
        const b = accounts[j] as string;
        const pair = `${a}\u0000${b}`;
        if (scored.has(pair)) continue;
        scored.add(pair);
        const link = scoredLink(a, b, held, config.linkStrength);
        if (link) links.push(link);
      }
    }
  }
  return links.sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
}

/** A pair's link from what both hold, per family its rarest shared identifier; null below the strength. */
function scoredLink(
  a: string,
  b: string,
  held: ReadonlyMap<string, ReadonlyMap<string, { kind: RingIdentifierKind; value: string; weight: number; family: string; seq: number }>>,
  linkStrength: number,
): RingLink | null {
  const ofA = held.get(a);
  const ofB = held.get(b);
  if (!ofA || !ofB) return null;
  const [smaller, larger] = ofA.size <= ofB.size ? [ofA, ofB] : [ofB, ofA];
  const common: Array<{ kind: RingIdentifierKind; value: string; weight: number; family: string; seqA: number; seqB: number }> = [];
  for (const [key, identifier] of smaller) {
    const other = larger.get(key);
    if (!other) continue;
    const [seqA, seqB] = smaller === ofA ? [identifier.seq, other.seq] : [other.seq, identifier.seq];
    common.push({ kind: identifier.kind, value: identifier.value, weight: identifier.weight, family: identifier.family, seqA, seqB });
  }
  // In the order the pair came to share each: the link formed where the strength first reached the bar.
  common.sort((x, y) => Math.max(x.seqA, x.seqB) - Math.max(y.seqA, y.seqB) || x.kind.localeCompare(y.kind) || x.value.localeCompare(y.value));
  const families = new Map<string, { kind: RingIdentifierKind; value: string; weight: number }>();
  let formedSeq: number | null = null;
  // Over the identifiers shared by the time the link formed: when each of the two first held one.
  let firstA = Infinity;
  let firstB = Infinity;
  let strength = 0;
  for (const identifier of common) {
    // Sorted by that seq: once formed, only ties with the forming identifier still count.
    if (formedSeq === null || Math.max(identifier.seqA, identifier.seqB) === formedSeq) {
      firstA = Math.min(firstA, identifier.seqA);
      firstB = Math.min(firstB, identifier.seqB);
    }
    const current = families.get(identifier.family);
    if (current && identifier.weight <= current.weight) continue;
    strength += identifier.weight - (current?.weight ?? 0);
    families.set(identifier.family, { kind: identifier.kind, value: identifier.value, weight: identifier.weight });
    if (formedSeq === null && strength >= linkStrength) formedSeq = Math.max(identifier.seqA, identifier.seqB);
  }
  if (formedSeq === null) return null;
  return { a, b, strength, shared: [...families.values()].sort((x, y) => y.weight - x.weight), formedSeq, first: firstB < firstA ? b : a };
}

/** Union-find with path halving and union by size: the linked sets of accounts. */
export class DisjointSets {
  private readonly parent = new Map<string, string>();
  private readonly size = new Map<string, number>();

  add(id: string): void {
    if (!this.parent.has(id)) {
      this.parent.set(id, id);
      this.size.set(id, 1);
    }
  }

  find(id: string): string {
    this.add(id);
    let node = id;
    for (;;) {
      const parent = this.parent.get(node) as string;
      if (parent === node) return node;
      const grandparent = this.parent.get(parent) as string;
      this.parent.set(node, grandparent);
      node = grandparent;
    }
  }

  union(a: string, b: string): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    if ((this.size.get(rootA) ?? 1) < (this.size.get(rootB) ?? 1)) [rootA, rootB] = [rootB, rootA];
    this.parent.set(rootB, rootA);
    this.size.set(rootA, (this.size.get(rootA) ?? 1) + (this.size.get(rootB) ?? 1));
  }

  /** Every set of two or more, members sorted, sets ordered by their first member. */
  groups(): string[][] {
    const byRoot = new Map<string, string[]>();
    for (const id of this.parent.keys()) {
      const root = this.find(id);
      let group = byRoot.get(root);
      if (!group) byRoot.set(root, (group = []));
      group.push(id);
    }
    return [...byRoot.values()]
      .filter((group) => group.length > 1)
      .map((group) => group.sort())
      .sort((x, y) => (x[0] as string).localeCompare(y[0] as string));
  }
}

/** The linked sets (components of two or more accounts) of these links. */
export function linkedSets(links: readonly RingLink[]): string[][] {
  const sets = new DisjointSets();
  for (const link of links) sets.union(link.a, link.b);
  return sets.groups();
}

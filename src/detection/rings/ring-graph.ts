import type { RingConfig } from './ring.config.js';
import { IDENTIFIER_FAMILY, type RingIdentifierKind } from './ring-identifiers.js';

/** An identifier as the graph knows it: who uses it, among how many accounts. */
export interface WeighedIdentifier {
  kind: RingIdentifierKind;
  value: string;
  /** Accounts seen with it, all time. */
  users: number;
  /** Accounts in the graph, all time: the documents of the rarity weight. */
  population: number;
}

/**
 * How much sharing this identifier says about two accounts, from the
 * observed distribution: an inverse document frequency normalised to 0..1,
 * ln(population / users) / ln(population), the accounts in the graph being
 * the documents. One nobody else has weighs 1, one every account has weighs
 * 0; a carrier NAT address or a campus network shared by thousands weighs
 * little, a handset shared by three a lot. The population is all accounts,
 * not those with an identifier of the kind: a platform that sends payment
 * hashes on few orders makes a wallet no more common than it is.
 */
export function identifierWeight({ users, population }: Pick<WeighedIdentifier, 'users' | 'population'>): number {
  if (population <= 1 || users <= 0) return 0;
  const weight = Math.log(population / users) / Math.log(population);
  return Math.min(1, Math.max(0, weight));
}

/** A strong link between two accounts and the identifiers that make it. */
export interface RingLink {
  a: string;
  b: string;
  strength: number;
  /** Per family, the rarest identifier the two share. */
  shared: Array<{ kind: RingIdentifierKind; value: string; weight: number }>;
}

/**
 * The strong links among accounts, from each identifier's users. A pair's
 * strength sums, per identifier family, its rarest shared identifier's
 * weight. Identifiers with more users than `maxUsersWalked` are not walked.
 */
export function strongLinks(identifiers: ReadonlyArray<WeighedIdentifier & { accounts: readonly string[] }>, config: Pick<RingConfig, 'linkStrength' | 'maxUsersWalked'>): RingLink[] {
  const pairs = new Map<string, Map<string, { kind: RingIdentifierKind; value: string; weight: number }>>();
  for (const identifier of identifiers) {
    if (identifier.accounts.length < 2 || identifier.accounts.length > config.maxUsersWalked) continue;
    const weight = identifierWeight(identifier);
    if (weight <= 0) continue;
    const family = IDENTIFIER_FAMILY[identifier.kind];
    const accounts = [...identifier.accounts].sort();
    for (let i = 0; i < accounts.length; i++) {
      for (let j = i + 1; j < accounts.length; j++) {
        const key = `${accounts[i]}\u0000${accounts[j]}`;
        let families = pairs.get(key);
        if (!families) pairs.set(key, (families = new Map()));
        const current = families.get(family);
        if (!current || weight > current.weight) families.set(family, { kind: identifier.kind, value: identifier.value, weight });
      }
    }
  }
  const links: RingLink[] = [];
  for (const [key, families] of pairs) {
    let strength = 0;
    for (const shared of families.values()) strength += shared.weight;
    if (strength < config.linkStrength) continue;
    const [a, b] = key.split('\u0000') as [string, string];
    links.push({ a, b, strength, shared: [...families.values()].sort((x, y) => y.weight - x.weight) });
  }
  return links.sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
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

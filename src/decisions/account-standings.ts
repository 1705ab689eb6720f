/** What the store says of an account at decision time: reports naming it (rings aside) and its reported ring. */
export interface AccountStanding {
  open: number;
  confirmed: number;
  ringId: string | null;
}

/** A report as standings count it: the accounts it names (subject and implicated), and its status. */
export interface StandingReport {
  id: string;
  status: string;
  accounts: readonly string[];
}

/** A ring as standings hold it: its members while its report stands, null once it does not (or it is gone). */
export interface StandingRing {
  ringId: string;
  members: readonly string[] | null;
}

const CLEAN: AccountStanding = Object.freeze({ open: 0, confirmed: 0, ringId: null });

/**
 * The accounts' standing in memory, for decisions (account.openReports,
 * account.confirmedReports, account.ringId): each report's and each ring's
 * contribution is kept by id, so a row applied again (the refresh reads an
 * overlap) or changed (open → confirmed → dismissed, a ring's members
 * moving) replaces what it counted before. Pure; DecisionState feeds it from
 * `reports` and `rings` (DecisionsRepository.standingChanges).
 */
export class AccountStandings {
  private readonly reports = new Map<string, { status: 'open' | 'confirmed'; accounts: readonly string[] }>();
  private readonly counts = new Map<string, { open: number; confirmed: number }>();
  private readonly rings = new Map<string, readonly string[]>();
  private readonly ringOf = new Map<string, string>();

  standing(accountId: string): AccountStanding {
    const counts = this.counts.get(accountId);
    const ringId = this.ringOf.get(accountId) ?? null;
    if (!counts && ringId === null) return CLEAN;
    return { open: counts?.open ?? 0, confirmed: counts?.confirmed ?? 0, ringId };
  }

  get size(): { standingReports: number; standingRings: number } {
    return { standingReports: this.reports.size, standingRings: this.rings.size };
  }

  applyReport(report: StandingReport): void {
    const before = this.reports.get(report.id);
    if (before) {
      this.reports.delete(report.id);
      for (const accountId of before.accounts) this.count(accountId, before.status, -1);
    }
    if (report.status !== 'open' && report.status !== 'confirmed') return;
    const accounts = [...new Set(report.accounts)];
    this.reports.set(report.id, { status: report.status, accounts });
    for (const accountId of accounts) this.count(accountId, report.status, 1);
  }

  applyRing({ ringId, members }: StandingRing): void {
    for (const accountId of this.rings.get(ringId) ?? []) if (this.ringOf.get(accountId) === ringId) this.ringOf.delete(accountId);
    this.rings.delete(ringId);
    if (members === null) return;
    this.rings.set(ringId, members);
    for (const accountId of members) this.ringOf.set(accountId, ringId);
  }

  private count(accountId: string, status: 'open' | 'confirmed', delta: 1 | -1): void {
    const counts = this.counts.get(accountId) ?? { open: 0, confirmed: 0 };
    counts[status] += delta;
    if (counts.open === 0 && counts.confirmed === 0) this.counts.delete(accountId);
    else this.counts.set(accountId, counts);
  }
}

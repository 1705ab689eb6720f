import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventLogRepository } from '../log/event-log.repository.js';
import { EventLogWriter } from '../log/event-log.writer.js';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { ReportRepository } from '../reports/report.repository.js';
import { AccountStandings } from './account-standings.js';
import { DECISION_EVENT_TYPES, type DecisionEventType } from './decision-features.js';
import { DecisionsRepository } from './decisions.repository.js';
import { ListIndex } from './decision-lists.js';
import { DecisionProfiles, PROFILED_TYPES } from './decision-profiles.js';
import { type CompiledRule, compileRule } from './decision-rules.js';
import { ListsAndRulesRepository } from './lists-and-rules.repository.js';
import type { CombinePolicy, DecisionPolicy } from './risk-scoring.js';

/** Seqs per warm-up read: fifty writer blocks, a few hundred thousand events at most. */
const WARM_WINDOW = 50 * 4096;
/** Lists and rules changed by another process reach this one within this. */
const RELOAD_MS = 5_000;
/**
 * Reports and rings reach decisions within this (account standings). A
 * second is far below how long detection takes to write a report, and the
 * read is two indexed range scans of what changed.
 */
const STANDINGS_REFRESH_MS = 1_000;
/**
 * Changes are read from a minute before the last read's clock: a report's
 * updated_at is its transaction's start, and one that committed later than
 * that (a slow batch) is still inside the overlap.
 */
const STANDINGS_OVERLAP_MS = 60_000;
/**
 * And everything is read again this often, into a fresh copy swapped in
 * whole: the backstop for what no row change announces (an account released
 * from a ring whose own row did not change, a transaction slower than the
 * overlap).
 */
const STANDINGS_FULL_READ_MS = 120_000;
/** How often DECISIONS_BLOCK_CONFIRMED looks for newly confirmed reports. */
const CONFIRMED_SWEEP_MS = 10_000;
export const AUTO_BLOCK_ACTOR = 'auto:confirmed-report';

export function decisionPolicy(config: AppConfig): DecisionPolicy {
  const combine = Object.fromEntries(DECISION_EVENT_TYPES.map((type) => [type, 'sum'])) as Record<DecisionEventType, CombinePolicy>;
  for (const part of config.DECISION_COMBINE.split(',').filter(Boolean)) {
    const [type, policy] = part.split('=') as [DecisionEventType, CombinePolicy];
    combine[type] = policy;
  }
  return { review: config.DECISION_REVIEW_SCORE, reject: config.DECISION_REJECT_SCORE, combine };
}

/**
 * What decisions read, in memory: the profiles, the lists and the compiled
 * rules. The profiles' durable source is the log itself: at boot they are
 * folded from every committed event of the profiled types (`events`, in seq
 * windows), and from then on from each commit of this process's writer as it
 * lands, before the committing request is answered. Folding is idempotent
 * (decision-profiles.ts), so the warm-up overlapping live commits is harmless
 * and a restart rebuilds exactly the state it had.
 */
@Injectable()
export class DecisionState implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DecisionState.name);
  readonly profiles = new DecisionProfiles();
  lists = new ListIndex([]);
  /** Reports and rings per account (account.openReports, confirmedReports, ringId), from `reports` and `rings`. */
  standings = new AccountStandings();
  private standingsSince: Date | null = null;
  private standingsFullAt = 0;
  private standingsRead: Promise<unknown> = Promise.resolve();
  rules: CompiledRule[] = [];
  readonly policy: DecisionPolicy;
  private stopListening?: () => void;
  private timers: NodeJS.Timeout[] = [];
  private warmedThrough = 0;

  constructor(
    private readonly writer: EventLogWriter,
    private readonly log: EventLogRepository,
    private readonly store: ListsAndRulesRepository,
    private readonly reports: ReportRepository,
    private readonly decisions: DecisionsRepository,
    private readonly status: StatusRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.policy = decisionPolicy(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = this.writer.onCommitted((batch) => {
      for (const { event } of batch) this.profiles.apply(event);
    });
    const startedAt = performance.now();
    const through = await this.log.reservedThrough();
    for (let after = 0; after < through; after += WARM_WINDOW) {
      for (const { event } of await this.log.readRangeOfTypes(after, Math.min(after + WARM_WINDOW, through), PROFILED_TYPES)) this.profiles.apply(event);
    }
    this.warmedThrough = through;
    this.logger.log(`decision profiles warmed from the log through seq ${through} in ${Math.round(performance.now() - startedAt)} ms`);
    await this.reload();
    await this.refreshStandings();
    if (this.config.DECISIONS_BLOCK_CONFIRMED) await this.blockConfirmed();
    this.status.register('decisions', () => ({ backlog: 0, warmedThrough: this.warmedThrough, rules: this.rules.length, ...this.profiles.size, ...this.standings.size }));
    this.timers.push(setInterval(() => void this.reload().catch((error: Error) => this.logger.warn(`reload: ${error.message}`)), RELOAD_MS));
    this.timers.push(setInterval(() => void this.refreshStandings().catch((error: Error) => this.logger.warn(`standings: ${error.message}`)), STANDINGS_REFRESH_MS));
    if (this.config.DECISIONS_BLOCK_CONFIRMED) {
      this.timers.push(setInterval(() => void this.blockConfirmed().catch((error: Error) => this.logger.warn(`auto-block: ${error.message}`)), CONFIRMED_SWEEP_MS));
    }
    for (const timer of this.timers) timer.unref();
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    for (const timer of this.timers) clearInterval(timer);
  }

  /** Reads the lists and rules again (after a change here, and every few seconds for changes elsewhere). */
  async reload(): Promise<void> {
    const [entries, rules] = await Promise.all([this.store.liveEntries(), this.store.rules()]);
    this.lists = new ListIndex(entries);
    this.rules = rules.map(compileRule);
  }

  /**
   * Brings account standings up to the reports and rings committed now: the
   * rows changed since the last read (less the overlap), or, at boot and
   * every STANDINGS_FULL_READ_MS, everything into a fresh copy. One read at
   * a time; a call while one runs waits for it and reads again.
   */
  refreshStandings(): Promise<void> {
    const next = this.standingsRead.then(() => this.readStandings());
    this.standingsRead = next.catch(() => undefined);
    return next;
  }

  private async readStandings(): Promise<void> {
    const full = this.standingsSince === null || Date.now() - this.standingsFullAt >= STANDINGS_FULL_READ_MS;
    const since = full ? null : new Date(this.standingsSince!.getTime() - STANDINGS_OVERLAP_MS);
    const { at, reports, rings } = await this.decisions.standingChanges(since);
    const standings = full ? new AccountStandings() : this.standings;
    for (const report of reports) standings.applyReport(report);
    for (const ring of rings) standings.applyRing(ring);
    this.standings = standings;
    this.standingsSince = at;
    if (full) this.standingsFullAt = Date.now();
  }

  /** DECISIONS_BLOCK_CONFIRMED: every account of a confirmed report gets an unscoped block entry, audited. */
  async blockConfirmed(): Promise<number> {
    const blocked = new Set((await this.store.entries({ list: 'block', type: 'account' })).filter((entry) => entry.scope === null).map((entry) => entry.value));
    let added = 0;
    for (const { accountId, reportId } of await this.reports.confirmedAccounts()) {
      if (blocked.has(accountId)) continue;
      await this.store.change(async (changes) => {
        const input = { list: 'block' as const, type: 'account' as const, value: accountId, scope: null, expiresAt: null, reason: `confirmed report ${reportId}` };
        const { before, after } = await changes.upsertEntry(input, AUTO_BLOCK_ACTOR);
        await changes.audit({ actor: AUTO_BLOCK_ACTOR, action: 'list.put', target: `block:account:${accountId}`, before, after });
      });
      added++;
    }
    if (added > 0) await this.reload();
    return added;
  }
}

import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import { type AccountIdentifier, AccountStreamsRepository } from '../state/accounts/account-streams.repository.js';
import { DeliveriesService } from '../enforcement/deliveries.service.js';
import type { DeliveryRef } from '../enforcement/delivery.js';

import { type ReportEvent, ReportEvents } from './report-events.js';
import {
  type DeskReport,
  type PriorityCursor,
  type ReportClaim,
  type ReportCursor,
  type ReportDecisionView,
  type ReportStatus,
  type ReviewDecision,
  encodeCursor,
  encodePriorityCursor,
} from './report-view.js';
import { toReportView } from './report.repository.js';
import {
  claimOf,
  type DecisionRefusal,
  type DeskFilter,
  type DeskRow,
  type ReportGroup,
  type Reviewer,
  ReviewDeskRepository,
} from './review-desk.repository.js';

export interface DeskListQuery {
  kind?: string;
  status?: ReportStatus;
  severity?: string;
  subjectType?: string;
  roomId?: string;
  streamId?: string;
  merchantId?: string;
  accountId?: string;
  deviceId?: string;
  ip?: string;
  phoneHash?: string;
  claimed?: 'none' | 'mine' | 'others';
  limit: number;
}

export interface DecisionInput {
  decision: ReviewDecision;
  note?: string;
  version: number;
}

export interface BulkDecisionItem {
  id: string;
  /** As the single decision would answer: 200, 404, or 409 (changed, or claimed by someone else). */
  status: 200 | 404 | 409;
  report: DeskReport | null;
  error: string | null;
}

export interface BulkDecisionResult {
  /** Null on a dry run, which decides nothing. */
  bulkId: string | null;
  decided: number;
  refused: number;
  items: BulkDecisionItem[];
  /** Set when the request asked what a group holds without deciding it. */
  dryRun?: true;
}

/**
 * A group decided in one request: a cohort of a large farm names well over
 * a thousand accounts, each decided in its own transaction (a few ms each),
 * so this bounds one request to seconds. A bigger group is decided again for
 * the rest: decided reports leave the group, which only holds open ones.
 */
export const MAX_GROUP_ITEMS = 5_000;

/** Accounts a device, address or phone search may expand to before the report filter: beyond it, narrow the search. */
const MAX_SEARCH_ACCOUNTS = 5_000;

export function toDeskReport(row: DeskRow): DeskReport {
  return { ...toReportView(row), claim: claimOf(row), createdAt: row.created_at.toISOString() };
}

function refusalError(id: string, refusal: DecisionRefusal, version: number): NotFoundException | ConflictException {
  switch (refusal.refused) {
    case 'not_found':
      return new NotFoundException(`report ${id} not found`);
    case 'claimed':
      return new ConflictException(claimedMessage(refusal.claim));
    case 'version':
      return new ConflictException(`version: the report is at version ${refusal.version}, not ${version}; reload it and decide again`);
  }
}

function claimedMessage(claim: ReportClaim): string {
  return `claim: the report is claimed by ${claim.reviewer} until ${claim.expiresAt}; ask them, or wait until the claim lapses`;
}

/**
 * The reviewer's desk: the queue (filters, search, priority), claims and
 * decisions, one at a time or in bulk, and the decision trail.
 */
@Injectable()
export class ReviewDeskService {
  constructor(
    private readonly desk: ReviewDeskRepository,
    private readonly accounts: AccountStreamsRepository,
    private readonly reportEvents: ReportEvents,
    private readonly deliveries: DeliveriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(
    query: DeskListQuery,
    order: { sort: 'newest'; cursor?: ReportCursor } | { sort: 'priority'; cursor?: PriorityCursor },
    reviewerKeyId: string,
  ): Promise<{ items: DeskReport[]; nextCursor: string | null }> {
    const { deviceId, ip, phoneHash, ...rest } = query;
    const filter: DeskFilter = { ...rest, reviewerKeyId };
    const searches: Array<[AccountIdentifier, string | undefined]> = [['deviceId', deviceId], ['ip', ip], ['phoneHash', phoneHash]];
    for (const [kind, value] of searches) {
      if (value === undefined) continue;
      const found = await this.accounts.accountsWith(kind, value, MAX_SEARCH_ACCOUNTS);
      // Several identifiers narrow: the accounts seen with all of them.
      filter.anyAccount = filter.anyAccount === undefined ? found : filter.anyAccount.filter((account) => found.includes(account));
    }
    if (filter.anyAccount?.length === 0) return { items: [], nextCursor: null };
    const rows = await this.desk.list(filter, order);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    let nextCursor: string | null = null;
    if (rows.length > query.limit && last) {
      nextCursor =
        order.sort === 'newest'
          ? encodeCursor({ createdAt: last.cursor_at, id: last.id })
          : encodePriorityCursor({ asOf: last.as_of, priority: last.priority, createdAt: last.cursor_at, id: last.id });
    }
    return { items: page.map(toDeskReport), nextCursor };
  }

  async get(id: string): Promise<DeskReport> {
    const row = await this.desk.get(id);
    if (!row) throw new NotFoundException(`report ${id} not found`);
    return toDeskReport(row);
  }

  async claim(id: string, reviewer: Reviewer): Promise<DeskReport> {
    const outcome = await this.desk.claim(id, reviewer, this.config.REVIEW_CLAIM_TTL_MS);
    if ('notFound' in outcome) throw new NotFoundException(`report ${id} not found`);
    if ('held' in outcome) throw new ConflictException(claimedMessage(outcome.held));
    return this.announceClaim(id);
  }

  async release(id: string, reviewer: Reviewer): Promise<void> {
    const outcome = await this.desk.release(id, reviewer.keyId);
    if ('notFound' in outcome) throw new NotFoundException(`report ${id} not found`);
    if ('held' in outcome) throw new ConflictException(claimedMessage(outcome.held));
    if (outcome.released) await this.announceClaim(id);
  }

  async decide(id: string, decision: DecisionInput, reviewer: Reviewer): Promise<DeskReport> {
    const outcome = await this.desk.decide(id, decision, reviewer, null);
    if ('refused' in outcome) throw refusalError(id, outcome, decision.version);
    const report = toDeskReport(outcome.row);
    await this.afterDecisions([report], outcome.deliveryId ? [outcome.deliveryId] : []);
    return report;
  }

  /**
   * One decision and note over a selection (a cohort's account reports, a
   * ring's, a room's): each item is decided on its own version, in its own
   * transaction, with its own audit row sharing one `bulkId`; one refused
   * item does not stop the others.
   */
  async bulkDecide(
    input: { decision: ReviewDecision; note?: string; items?: Array<{ id: string; version: number }>; group?: ReportGroup; dryRun?: boolean },
    reviewer: Reviewer,
  ): Promise<BulkDecisionResult> {
    const selection = input.items ?? (await this.groupItems(input.group!));
    if (input.dryRun) {
      return { bulkId: null, decided: 0, refused: 0, items: selection.map((item) => ({ id: item.id, status: 200, report: null, error: null })), dryRun: true };
    }
    const bulkId = randomUUID();
    const items: BulkDecisionItem[] = [];
    const decided: DeskReport[] = [];
    const deliveryIds: string[] = [];
    for (const item of selection) {
      const outcome = await this.desk.decide(item.id, { decision: input.decision, note: input.note, version: item.version }, reviewer, bulkId);
      if ('refused' in outcome) {
        const error = refusalError(item.id, outcome, item.version);
        items.push({ id: item.id, status: error instanceof NotFoundException ? 404 : 409, report: null, error: error.message });
        continue;
      }
      const report = toDeskReport(outcome.row);
      decided.push(report);
      if (outcome.deliveryId) deliveryIds.push(outcome.deliveryId);
      items.push({ id: item.id, status: 200, report, error: null });
    }
    await this.afterDecisions(decided, deliveryIds);
    return { bulkId, decided: decided.length, refused: items.length - decided.length, items };
  }

  /** A group's open account reports, each on its version as of now: the reviewer decides the group as it stands. */
  private async groupItems(group: ReportGroup): Promise<Array<{ id: string; version: number }>> {
    const items = await this.desk.groupItems(group, MAX_GROUP_ITEMS);
    if (!items) throw new NotFoundException(`group.namedBy: report ${'namedBy' in group ? group.namedBy : ''} not found`);
    return items;
  }

  async decisions(id: string): Promise<ReportDecisionView[]> {
    const records = await this.desk.decisions(id);
    if (!records) throw new NotFoundException(`report ${id} not found`);
    return records.map((record) => ({ ...record, decidedAt: record.decidedAt.toISOString() }));
  }

  private async afterDecisions(reports: DeskReport[], deliveryIds: string[]): Promise<void> {
    // report.updated carries the contract's report, as the store's own pushes do.
    const events: ReportEvent[] = reports.map(({ claim: _claim, createdAt: _createdAt, ...report }) => ({ event: 'report.updated', report }));
    const toDeliver: DeliveryRef[] = deliveryIds.map((deliveryId) => ({ id: deliveryId, manualRetries: 0 }));
    await Promise.all([this.reportEvents.publish(events), this.deliveries.enqueue(toDeliver)]);
  }

  private async announceClaim(id: string): Promise<DeskReport> {
    const report = await this.get(id);
    await this.reportEvents.publish([{ event: 'report.claim', report }]);
    return report;
  }
}

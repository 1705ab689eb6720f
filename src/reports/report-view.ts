import type { Finding } from '../detection/engine/finding.js';

export const REPORT_STATUSES = ['open', 'confirmed', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const REVIEW_DECISIONS = ['confirmed', 'dismissed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/**
 * A report as the contract shows it (CONTRACT.md §3), over HTTP, socket.io
 * and the webhook: the finding it stores, plus what the store adds.
 */
export interface ReportView extends Finding {
  id: string;
  status: ReportStatus;
  version: number;
  updatedAt: string;
}

/** One reviewer decision, kept forever as the audit trail of a report. */
export interface ReportDecisionView {
  reportId: string;
  decision: ReviewDecision;
  note: string | null;
  /** The version the reviewer decided on; the decision itself made version + 1. */
  version: number;
  reviewerKeyId: string;
  /** The reviewer's key name (or prefix) when deciding; null for decisions older than names. */
  reviewer: string | null;
  /** Set when the decision was one item of a bulk decision; shared by its items. */
  bulkId: string | null;
  decidedAt: string;
}

/** Who works a report, until when (issue 17). A lapsed claim is shown as none. */
export interface ReportClaim {
  reviewerKeyId: string;
  /** The key's name, else its prefix. */
  reviewer: string;
  claimedAt: string;
  expiresAt: string;
}

/**
 * A report as the reviewer routes answer it: the contract's report plus the
 * desk's extensions (who claims it, when roomwatch raised it). Webhooks
 * carry the contract's report only. The queue priority orders lists
 * (`sort=priority`) but is not part of a report: it moves with every second
 * a report waits, and a report read twice must read the same.
 */
export interface DeskReport extends ReportView {
  claim: ReportClaim | null;
  /** When roomwatch raised it (wall clock): the queue's age counts from here. */
  createdAt: string;
}


export interface ReportFilter {
  kind?: string;
  status?: ReportStatus;
  subjectType?: string;
  roomId?: string;
  streamId?: string;
  accountId?: string;
  limit: number;
  cursor?: ReportCursor;
}

/** The priority order's cursor: the first page's moment, then the last item's (priority, created_at, id). */
export interface PriorityCursor {
  asOf: string;
  priority: number;
  createdAt: string;
  id: string;
}

export function encodePriorityCursor(cursor: PriorityCursor): string {
  return Buffer.from(JSON.stringify(['priority', cursor.asOf, cursor.priority, cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

/** The cursor, or null when it is not a priority cursor this service issued. */
export function decodePriorityCursor(text: string): PriorityCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== 'priority') return null;
    const [, asOf, priority, createdAt, id] = parsed as unknown[];
    if (typeof asOf !== 'string' || typeof createdAt !== 'string' || typeof id !== 'string' || typeof priority !== 'number') return null;
    if (!isRealTimestamp(asOf) || !isRealTimestamp(createdAt) || !UUID.test(id) || !Number.isFinite(priority)) return null;
    return { asOf, priority, createdAt, id };
  } catch {
    return null;
  }
}

/**
 * Opaque keyset cursor: the last item's (created_at, id). created_at travels
 * as PostgreSQL's own text so no microseconds are lost to a JS Date.
 */
export interface ReportCursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(cursor: ReportCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PG_TIMESTAMPTZ = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::(\d{2}))?$/;

/** A timestamptz as PostgreSQL prints it, and one that exists: 2026-02-30 matches the shape and fails the query. */
function isRealTimestamp(text: string): boolean {
  const match = PG_TIMESTAMPTZ.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, , , offsetHours, offsetMinutes] = match.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return (
    year! >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offsetHours! <= 15 &&
    (Number.isNaN(offsetMinutes) || offsetMinutes! < 60)
  );
}

/** The cursor, or null when it is not one this service issued. */
export function decodeCursor(text: string): ReportCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [createdAt, id] = parsed as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string') return null;
    if (!isRealTimestamp(createdAt) || !UUID.test(id)) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}

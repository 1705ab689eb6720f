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
  decidedAt: string;
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

import { REPORT_KINDS, type ReportKind } from '../detection/finding.js';
import { ATTACK_STYLES, type AttackStyle, type ExpectedSalesAudit, type SimulatedRoom } from './generator.js';
import type { ApiReport, ApiSalesAudit } from './service-harness.js';

/** Scores the service's reports against the generator's labels; no service code involved. */

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

export interface KindScore {
  kind: ReportKind;
  rooms: Tally;
  accounts: Tally;
}

export interface StyleScore {
  style: AttackStyle;
  kind: ReportKind;
  rooms: number;
  roomsDetected: number;
  accounts: Tally;
}

export interface OrganicFalsePositive {
  streamId: string;
  scenario: string;
  report: ApiReport;
}

export interface Scorecard {
  kinds: KindScore[];
  styles: StyleScore[];
  organicFalsePositives: OrganicFalsePositive[];
  /** Reports about streams the evening never had (another run's data in the same database). */
  foreignReports: number;
}

export function precision(tally: Tally): number | null {
  return tally.tp + tally.fp === 0 ? null : tally.tp / (tally.tp + tally.fp);
}

export function recall(tally: Tally): number | null {
  return tally.tp + tally.fn === 0 ? null : tally.tp / (tally.tp + tally.fn);
}

export function kindOfStyle(style: AttackStyle): ReportKind {
  return REPORT_KINDS.find((kind) => (ATTACK_STYLES[kind] as readonly string[]).includes(style)) as ReportKind;
}

/** Accounts a report implicates: the subject of an account report, the list of a room report. */
function implicated(report: ApiReport): string[] {
  return report.subjectType === 'account' ? [report.subjectId, ...report.accounts] : report.accounts;
}

/**
 * Room level: a stream counts as flagged for a kind when any report of that
 * kind names it. Account level: the union of implicated accounts per
 * (stream, kind) against the labelled accounts, summed over streams.
 */
export function scoreReports(rooms: readonly SimulatedRoom[], reports: readonly ApiReport[]): Scorecard {
  const byStream = new Map<string, ApiReport[]>();
  for (const report of reports) byStream.set(report.streamId, [...(byStream.get(report.streamId) ?? []), report]);
  const known = new Set(rooms.map((room) => room.streamId));
  const kinds: KindScore[] = REPORT_KINDS.map((kind) => ({ kind, rooms: { tp: 0, fp: 0, fn: 0 }, accounts: { tp: 0, fp: 0, fn: 0 } }));
  const styles = new Map<AttackStyle, StyleScore>();
  const organicFalsePositives: OrganicFalsePositive[] = [];

  for (const room of rooms) {
    const streamReports = byStream.get(room.streamId) ?? [];
    for (const score of kinds) {
      const ofKind = streamReports.filter((report) => report.kind === score.kind);
      const flagged = ofKind.length > 0;
      const truth = room.labels.kinds.includes(score.kind);
      if (flagged && truth) score.rooms.tp++;
      else if (flagged) score.rooms.fp++;
      else if (truth) score.rooms.fn++;
      const predicted = new Set(ofKind.flatMap(implicated));
      const labelled = new Set(room.labels.accounts[score.kind]);
      add(score.accounts, compare(predicted, labelled));
    }
    if (room.labels.kinds.length === 0) {
      for (const report of streamReports) organicFalsePositives.push({ streamId: room.streamId, scenario: room.scenario, report });
    }
    for (const style of room.attackStyles) {
      const kind = kindOfStyle(style);
      const entry = styles.get(style) ?? { style, kind, rooms: 0, roomsDetected: 0, accounts: { tp: 0, fp: 0, fn: 0 } };
      const ofKind = streamReports.filter((report) => report.kind === kind);
      entry.rooms++;
      if (ofKind.length > 0) entry.roomsDetected++;
      add(entry.accounts, compare(new Set(ofKind.flatMap(implicated)), new Set(room.labels.accounts[kind])));
      styles.set(style, entry);
    }
  }
  return {
    kinds,
    styles: [...styles.values()].sort((a, b) => REPORT_KINDS.indexOf(a.kind) - REPORT_KINDS.indexOf(b.kind) || a.style.localeCompare(b.style)),
    organicFalsePositives,
    foreignReports: reports.filter((report) => !known.has(report.streamId)).length,
  };
}

function compare(predicted: ReadonlySet<string>, labelled: ReadonlySet<string>): Tally {
  let tp = 0;
  for (const account of predicted) if (labelled.has(account)) tp++;
  return { tp, fp: predicted.size - tp, fn: labelled.size - tp };
}

function add(into: Tally, more: Tally): void {
  into.tp += more.tp;
  into.fp += more.fp;
  into.fn += more.fn;
}

export interface AuditMismatch {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Field-by-field comparison with the contract's audit; `suspectedBrushing`
 * and `inflation` are left out because they depend on the detector's
 * reports and on float division, not on the ledger.
 */
export function compareAudit(expected: ExpectedSalesAudit, actual: ApiSalesAudit): AuditMismatch[] {
  const mismatches: AuditMismatch[] = [];
  const check = (field: string, want: unknown, got: unknown): void => {
    if (JSON.stringify(want) !== JSON.stringify(got)) mismatches.push({ field, expected: want, actual: got });
  };
  check('roomId', expected.roomId, actual.roomId);
  check('merchantId', expected.merchantId, actual.merchantId);
  check('currency', expected.currency, actual.currency);
  check('claimed', expected.claimed, actual.claimed === null || actual.claimed === undefined ? null : { gmv: actual.claimed.gmv, orders: actual.claimed.orders });
  for (const [field, value] of Object.entries(expected.verified)) {
    check(`verified.${field}`, value, (actual.verified as unknown as Record<string, unknown> | undefined)?.[field]);
  }
  return mismatches;
}

import { REPORT_KINDS, type ReportKind } from '../../src/detection/engine/finding.js';
import { ATTACK_STYLES, type ExpectedSalesAudit, type SimulatedRoom } from './generator.js';
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

/** One attacker style scored for one of the kinds it is labelled for. */
export interface StyleScore {
  style: string;
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

/** Honest rooms holding one trap, and how many of them drew any report. */
export interface TrapScore {
  trap: string;
  rooms: number;
  roomsReported: number;
  reports: number;
}

export interface Scorecard {
  kinds: KindScore[];
  styles: StyleScore[];
  /** Honest (unlabelled) rooms by trap name; a room with several traps counts under each. */
  traps: TrapScore[];
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

export function f1(tally: Tally): number | null {
  return tally.tp + tally.fp + tally.fn === 0 ? null : (2 * tally.tp) / (2 * tally.tp + tally.fp + tally.fn);
}

/** Styles by the kind they are labelled for: this generator's `ATTACK_STYLES`, or the held-out model's map. */
export type StyleKinds = Readonly<Record<ReportKind, readonly string[]>>;

/** Every kind a style is labelled for, in report-kind order; throws on a style no map knows. */
export function kindsOfStyle(style: string, maps: readonly StyleKinds[] = [ATTACK_STYLES]): ReportKind[] {
  const kinds = REPORT_KINDS.filter((kind) => maps.some((map) => map[kind].includes(style)));
  if (kinds.length === 0) throw new Error(`attacker style "${style}" is in no style map`);
  return kinds;
}

/** The first kind a style is labelled for. */
export function kindOfStyle(style: string, maps: readonly StyleKinds[] = [ATTACK_STYLES]): ReportKind {
  return kindsOfStyle(style, maps)[0] as ReportKind;
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
export function scoreReports(rooms: readonly SimulatedRoom[], reports: readonly ApiReport[], styleMaps: readonly StyleKinds[] = [ATTACK_STYLES]): Scorecard {
  const byStream = new Map<string, ApiReport[]>();
  for (const report of reports) byStream.set(report.streamId, [...(byStream.get(report.streamId) ?? []), report]);
  const known = new Set(rooms.map((room) => room.streamId));
  // Ring reports span rooms (CONTRACT.md §3: no stream). A room labelled account_ring takes as its own the ring
  // reports that name any of its labelled members, and their members seen in its stream as the accounts they
  // implicate there. A room not so labelled is not charged with ring reports (a ring's members also watch honest
  // rooms); their precision is the rings block's (accounts in ring reports that no ring or attack labels).
  const ringReports = reports.filter((report) => report.kind === 'account_ring' && (report.subjectType as string) === 'ring');
  const reportsOf = (room: SimulatedRoom, streamReports: readonly ApiReport[], kind: ReportKind): { reports: ApiReport[]; implicated: Set<string> } => {
    const own = streamReports.filter((report) => report.kind === kind);
    const labelled = new Set(room.labels.accounts[kind]);
    if (kind !== 'account_ring' || labelled.size === 0) return { reports: own, implicated: new Set(own.flatMap(implicated)) };
    const rings = ringReports.filter((report) => report.accounts.some((account) => labelled.has(account)));
    const seen = new Set(room.events.flatMap((event) => ('accountId' in event && typeof event.accountId === 'string' ? [event.accountId] : [])));
    return { reports: [...own, ...rings], implicated: new Set([...own.flatMap(implicated), ...rings.flatMap((report) => report.accounts.filter((account) => seen.has(account)))]) };
  };
  // Kinds in play: a kind no model simulates and nothing reported (the v2 kinds until their detectors come) scores nothing.
  const inPlay = (kind: ReportKind): boolean =>
    styleMaps.some((map) => map[kind].length > 0) || reports.some((report) => report.kind === kind) || rooms.some((room) => room.labels.kinds.includes(kind));
  const kinds: KindScore[] = REPORT_KINDS.filter(inPlay).map((kind) => ({ kind, rooms: { tp: 0, fp: 0, fn: 0 }, accounts: { tp: 0, fp: 0, fn: 0 } }));
  const styles = new Map<string, StyleScore>();
  const traps = new Map<string, TrapScore>();
  const organicFalsePositives: OrganicFalsePositive[] = [];

  for (const room of rooms) {
    const streamReports = byStream.get(room.streamId) ?? [];
    for (const score of kinds) {
      const { reports: ofKind, implicated: predicted } = reportsOf(room, streamReports, score.kind);
      const flagged = ofKind.length > 0;
      const truth = room.labels.kinds.includes(score.kind);
      if (flagged && truth) score.rooms.tp++;
      else if (flagged) score.rooms.fp++;
      else if (truth) score.rooms.fn++;
      const labelled = new Set(room.labels.accounts[score.kind]);
      add(score.accounts, compare(predicted, labelled));
    }
    if (room.labels.kinds.length === 0) {
      for (const report of streamReports) organicFalsePositives.push({ streamId: room.streamId, scenario: room.scenario, report });
      for (const trap of room.traps.length > 0 ? room.traps : ['(none)']) {
        const entry = traps.get(trap) ?? { trap, rooms: 0, roomsReported: 0, reports: 0 };
        entry.rooms++;
        if (streamReports.length > 0) entry.roomsReported++;
        entry.reports += streamReports.length;
        traps.set(trap, entry);
      }
    }
    for (const style of room.attackStyles) {
      for (const kind of kindsOfStyle(style, styleMaps)) {
        const key = `${style}|${kind}`;
        const entry = styles.get(key) ?? { style, kind, rooms: 0, roomsDetected: 0, accounts: { tp: 0, fp: 0, fn: 0 } };
        const { reports: ofKind, implicated: predicted } = reportsOf(room, streamReports, kind);
        entry.rooms++;
        if (ofKind.length > 0) entry.roomsDetected++;
        add(entry.accounts, compare(predicted, new Set(room.labels.accounts[kind])));
        styles.set(key, entry);
      }
    }
  }
  return {
    kinds,
    styles: [...styles.values()].sort((a, b) => REPORT_KINDS.indexOf(a.kind) - REPORT_KINDS.indexOf(b.kind) || a.style.localeCompare(b.style)),
    traps: [...traps.values()].sort((a, b) => a.trap.localeCompare(b.trap)),
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
    // A model may state the brushing money it expects; that figure is the detectors', not the ledger's.
    if (field === 'suspectedBrushing') continue;
    check(`verified.${field}`, value, (actual.verified as unknown as Record<string, unknown> | undefined)?.[field]);
  }
  return mismatches;
}

/** (v2) What the service answered for one flash-sale order (CONTRACT.md §7). */
export interface DecisionAnswer {
  /** `merchantId/orderId`. */
  order: string;
  decision: 'pass' | 'review' | 'reject';
}

export interface DecisionScore {
  scalperOrders: number;
  scalperRejected: number;
  scalperReviewed: number;
  honestOrders: number;
  honestRejected: number;
  honestReviewed: number;
}

/**
 * The decision metrics of issue 13: recall of scalper orders answered
 * reject or review, and, of the honest flash-sale orders, the share
 * rejected (the false rejects) and, apart, the share sent to review.
 */
export function scoreDecisions(answers: readonly DecisionAnswer[], scalperOrders: ReadonlySet<string>): DecisionScore {
  const score: DecisionScore = { scalperOrders: 0, scalperRejected: 0, scalperReviewed: 0, honestOrders: 0, honestRejected: 0, honestReviewed: 0 };
  for (const answer of answers) {
    if (scalperOrders.has(answer.order)) {
      score.scalperOrders++;
      if (answer.decision === 'reject') score.scalperRejected++;
      if (answer.decision === 'review') score.scalperReviewed++;
    } else {
      score.honestOrders++;
      if (answer.decision === 'reject') score.honestRejected++;
      if (answer.decision === 'review') score.honestReviewed++;
    }
  }
  return score;
}

export function decisionRates(score: DecisionScore): { scalperRecall: number | null; honestFalseReject: number | null; honestReview: number | null } {
  const of = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
  return {
    scalperRecall: of(score.scalperRejected + score.scalperReviewed, score.scalperOrders),
    honestFalseReject: of(score.honestRejected, score.honestOrders),
    honestReview: of(score.honestReviewed, score.honestOrders),
  };
}

/**
 * The review queue's priority order (`GET /v1/reports?sort=priority`), applied
 * by the server over every report the filters match, not over a loaded page.
 * A report's priority is a sum of points:
 *
 *   severity      high 3, medium 2, low 1 (× `severity`): the policy's own
 *                 judgment of harm comes first, so a low report never outranks
 *                 a fresh high one on its other terms alone
 *   score         0..1 (× `score`): within a band, the surer report first
 *   kind          `kind[kind]`: money taken from buyers and merchants
 *                 (brushing, inflated GMV) before display fraud
 *   subject       `subject[subjectType]`: a room (or ring, merchant) report is a
 *                 case that covers many accounts; an account report is one
 *   age           up to `age` points, growing linearly over `ageFullMs` of
 *                 waiting (from when roomwatch raised it): a report left a day
 *                 climbs about one band, so nothing starves
 *
 * Age is measured against the moment of the first page (`asOf`, carried in
 * the cursor), so paging through a queue never reorders it midway.
 */
export interface QueuePriorityWeights {
  severity: number;
  score: number;
  kind: Readonly<Record<string, number>>;
  /** Kinds not listed (new detectors) get this. */
  otherKind: number;
  subject: Readonly<Record<string, number>>;
  otherSubject: number;
  age: number;
  ageFullMs: number;
}

export const QUEUE_PRIORITY: QueuePriorityWeights = {
  severity: 1,
  score: 1,
  kind: {
    refund_brushing: 0.5,
    inflated_gmv: 0.5,
    injected_viewers: 0.3,
    scripted_comments: 0.2,
  },
  otherKind: 0.3,
  subject: { room: 0.5, account: 0 },
  // Rings and merchants (CONTRACT v2) span rooms: at least a room's weight.
  otherSubject: 0.5,
  age: 1,
  ageFullMs: 24 * 3_600_000,
};

function points(value: number, what: string): string {
  if (!Number.isFinite(value)) throw new Error(`queue priority: ${what} is not a finite number`);
  return String(value);
}

function quoted(text: string): string {
  if (!/^[a-z_]+$/.test(text)) throw new Error(`queue priority: ${text} is not a kind or subject name`);
  return `'${text}'`;
}

/**
 * The priority as a SQL expression over the reports row aliased `table`, with
 * the first-page moment as the timestamptz expression `asOf`. Built from the
 * constants above only: no input reaches it.
 */
export function prioritySql(table: string, asOf: string, weights: QueuePriorityWeights = QUEUE_PRIORITY): string {
  if (!/^[a-z]+$/.test(table)) throw new Error(`queue priority: ${table} is not a table alias`);
  const t = table;
  const kinds = Object.entries(weights.kind).map(([kind, value]) => `WHEN ${quoted(kind)} THEN ${points(value, kind)}`).join(' ');
  const subjects = Object.entries(weights.subject).map(([subject, value]) => `WHEN ${quoted(subject)} THEN ${points(value, subject)}`).join(' ');
  return `((CASE ${t}.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) * ${points(weights.severity, 'severity')}
    + ${t}.score * ${points(weights.score, 'score')}
    + (CASE ${t}.kind ${kinds} ELSE ${points(weights.otherKind, 'otherKind')} END)
    + (CASE ${t}.subject_type ${subjects} ELSE ${points(weights.otherSubject, 'otherSubject')} END)
    + LEAST(GREATEST(extract(epoch FROM (${asOf} - ${t}.created_at)) * 1000, 0) / ${points(weights.ageFullMs, 'ageFullMs')}, 1) * ${points(weights.age, 'age')})::float8`;
}

/** The same priority in TypeScript, for tests and the docs' worked example. */
export function priorityOf(
  report: { severity: string; score: number; kind: string; subjectType: string; createdAtMs: number },
  asOfMs: number,
  weights: QueuePriorityWeights = QUEUE_PRIORITY,
): number {
  const band = report.severity === 'high' ? 3 : report.severity === 'medium' ? 2 : 1;
  const waited = Math.min(Math.max(asOfMs - report.createdAtMs, 0) / weights.ageFullMs, 1);
  return (
    band * weights.severity +
    report.score * weights.score +
    (weights.kind[report.kind] ?? weights.otherKind) +
    (weights.subject[report.subjectType] ?? weights.otherSubject) +
    waited * weights.age
  );
}

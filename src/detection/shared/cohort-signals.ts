/**
 * Cohort verdicts as a table of signals, shared by the room detectors. Each
 * signal has a group test (does the cohort as a whole show it?) and a member
 * test (does this account carry it itself?). A cohort is judged on the
 * signals whose group test holds; only members carrying enough of those
 * signals themselves are named, so an honest viewer who happened to share a
 * key with a farm does not inherit its verdict.
 */
export interface CohortSignalRule<Signal extends string, Context> {
  readonly signal: Signal;
  /**
   * Whether the signal, when it holds, is a tie: something that binds the
   * accounts to one operator (shared handsets or tampered devices, a rare
   * shared identity, the same accounts in other rooms, machine-synchronised
   * taps or posts). What an honest crowd shows by itself (arriving together,
   * lurking, being new, one office NAT) is not a tie.
   */
  tie(context: Context): boolean;
  group(context: Context): boolean;
  member(context: Context, index: number): boolean;
}

export interface CohortJudgement<Signal extends string> {
  /** Signals whose group test held, in table order. */
  signals: Signal[];
  /** How many of them are ties. */
  ties: number;
  /** Indexes of members carrying at least `min(minOwnSignals, signals.length)` of them. */
  core: number[];
}

export function judgeCohort<Signal extends string, Context>(
  table: readonly CohortSignalRule<Signal, Context>[],
  context: Context,
  members: number,
  minOwnSignals: number,
): CohortJudgement<Signal> {
  const holding = table.filter((rule) => rule.group(context));
  const needed = Math.min(minOwnSignals, holding.length);
  const core: number[] = [];
  if (needed > 0) {
    for (let i = 0; i < members; i++) {
      let own = 0;
      for (const rule of holding) {
        if (rule.member(context, i)) own++;
        if (own >= needed) break;
      }
      if (own >= needed) core.push(i);
    }
  }
  return { signals: holding.map((rule) => rule.signal), ties: holding.filter((rule) => rule.tie(context)).length, core };
}

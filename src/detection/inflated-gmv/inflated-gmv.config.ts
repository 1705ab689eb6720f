/**
 * Every number the inflated-GMV detector decides with, and why. A room's
 * published GMV is judged against the money actually settled when it was
 * published (event time): paid minus refunded by the claim's ts, less the
 * money of orders from accounts caught refund-brushing the stream.
 */
export interface InflatedGmvConfig {
  tolerance: {
    /**
     * Honest posters round: to the yuan or to ten yuan (1,000 minor units),
     * and a payment can land a minute after the claim. Gaps up to this many
     * minor units are never inflation.
     */
    absolute: number;
    /** ...nor gaps up to this share of the claim (late payments of the last minute, rounding on big rooms). */
    relative: number;
  };
  /**
   * Brushing money inside the claim is "material" from this share of the
   * claim: a room whose claim is a tenth brushed orders sells a number that
   * is not sales, even when everything else matches.
   */
  materialBrushingShare: number;
  /**
   * A wrong definition (list price of kept orders, placed orders with the
   * unpaid ones) whose figure lies within this relative distance of the
   * claim (or within tolerance.absolute, for rounding) is "what the room
   * counted". Tight on purpose: such a match convicts even when the claim is
   * below what was paid at claim time (returns came in after it), so it
   * must not happen by coincidence.
   */
  definitionMatchTolerance: number;
  /**
   * Matches against today's orders (whose figures change with every late
   * refund, so pass through many values over the days) must be this close,
   * in minor units: to the unit, since a room computing its claim from
   * its own order list gets it exact, and a coincidence stays unlikely.
   */
  exactMatchSlack: number;
  score: {
    /** Score at a gap just above tolerance... */
    base: number;
    /** ...growing with the gap's share of the claim, reaching `max` at this share. */
    fullAtShare: number;
    max: number;
  };
  severity: { high: number; medium: number };
}

export const DEFAULT_INFLATED_GMV_CONFIG: InflatedGmvConfig = {
  tolerance: { absolute: 1_000, relative: 0.02 },
  materialBrushingShare: 0.1,
  definitionMatchTolerance: 0.002,
  exactMatchSlack: 0,
  score: { base: 0.5, fullAtShare: 0.3, max: 0.95 },
  severity: { high: 0.8, medium: 0.6 },
};

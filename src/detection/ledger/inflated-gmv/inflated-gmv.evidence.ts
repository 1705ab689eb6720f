import type { ClaimFigures, DefinitionFigure } from './inflated-gmv.detector.js';

/**
 * Shape of inflated_gmv evidence (money in minor units, times in event-time
 * ms like every other kind's: the console formats them).
 */
export type InflatedGmvEvidence = ClaimFigures & {
  brushingAccounts: string[];
  claim: { gmv: number; orders: number | null; claimedAt: number };
  countedAs: Array<DefinitionFigure['definition']>;
  matchedDefinitions: DefinitionFigure[];
  gapShare: number;
};

import type { ClaimFigures, DefinitionFigure } from './inflated-gmv.detector.js';

/** Shape of inflated_gmv evidence (money in minor units, times in epoch ms). */
export type InflatedGmvEvidence = Omit<ClaimFigures, 'quickRefundsThroughAt'> & {
  brushingAccounts: string[];
  claim: { gmv: number; orders: number | null; claimedAt: number };
  countedAs: Array<DefinitionFigure['definition']>;
  matchedDefinitions: DefinitionFigure[];
  gapShare: number;
};

import type { ClaimFigures, DefinitionFigure } from './inflated-gmv.detector.js';

/**
 * Shape of inflated_gmv evidence, as the detector builds it today (money in
 * minor units). `claim.claimedAt` is still ISO text here; the console
 * accepts both until the detector sends ms like the others.
 */
export type InflatedGmvEvidence = ClaimFigures & {
  brushingAccounts: string[];
  claim: { gmv: number; orders: number | null; claimedAt: string | number | null };
  countedAs: Array<DefinitionFigure['definition']>;
  matchedDefinitions: DefinitionFigure[];
  gapShare: number;
};

import { InitialSchema1764000000000 } from './1764000000000-InitialSchema.js';
import { Reports1764000100000 } from './1764000100000-Reports.js';
import { DeliveriesSuperseded1764000110000 } from './1764000110000-DeliveriesSuperseded.js';
import { Orders1764000200000 } from './1764000200000-Orders.js';
import { CohortSightings1764000300000 } from './1764000300000-CohortSightings.js';
import { Quarantine1764000400000 } from './1764000400000-Quarantine.js';
import { OrderMerchantKey1764000410000 } from './1764000410000-OrderMerchantKey.js';
import { OrderIdentifierIndexes1764002500000 } from './1764002500000-OrderIdentifierIndexes.js';
import { V2Events1764004500000 } from './1764004500000-V2Events.js';
import { V2ReportSubjects1764004510000 } from './1764004510000-V2ReportSubjects.js';
import { ReviewDesk1764006500000 } from './1764006500000-ReviewDesk.js';
import { Decisions1764010000000 } from './1764010000000-Decisions.js';
import { AccountRings1764012000000 } from './1764012000000-AccountRings.js';
import { PromotionIndexes1764013000000 } from './1764013000000-PromotionIndexes.js';
import { LogPartitions1764015000000 } from './1764015000000-LogPartitions.js';
import { RingSightingSeq1764020000000 } from './1764020000000-RingSightingSeq.js';
import { StandingIndexes1764030000000 } from './1764030000000-StandingIndexes.js';

/**
 * Every migration, oldest first. Listed explicitly (not globbed) so the
 * compiled ESM build and the TypeORM CLI load exactly the same set.
 */
export const ALL_MIGRATIONS = [
  InitialSchema1764000000000,
  Reports1764000100000,
  DeliveriesSuperseded1764000110000,
  Orders1764000200000,
  CohortSightings1764000300000,
  Quarantine1764000400000,
  OrderMerchantKey1764000410000,
  OrderIdentifierIndexes1764002500000,
  V2Events1764004500000,
  V2ReportSubjects1764004510000,
  ReviewDesk1764006500000,
  Decisions1764010000000,
  AccountRings1764012000000,
  PromotionIndexes1764013000000,
  LogPartitions1764015000000,
  RingSightingSeq1764020000000,
  StandingIndexes1764030000000,
];

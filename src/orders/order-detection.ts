import { Injectable } from '@nestjs/common';
import type { Finding } from '../detection/finding.js';
import type { LedgerChange } from './order-ledger.js';

/** Feeds the order detectors with the ledger's facts about each touched stream. */
@Injectable()
export class OrderDetection {
  async evaluate(_change: LedgerChange): Promise<Finding[]> {
    return [];
  }
}

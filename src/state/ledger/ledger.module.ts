import { Module } from '@nestjs/common';
import { LedgerRepository } from './ledger.repository.js';

/** The order ledger's tables' owner: the ledger stage writes them, the sales audit reads them, through LedgerRepository. */
@Module({
  providers: [LedgerRepository],
  exports: [LedgerRepository],
})
export class LedgerModule {}

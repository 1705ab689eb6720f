import { Inject, Injectable } from '@nestjs/common';
import { type LedgerChange, OrderLedger } from '../../state/ledger/order-ledger.js';
import { type BatchContext, ContextSlot, type StateStage } from '../stage.js';

/** The streams whose orders or claim the batch moved. */
export const LEDGER_CHANGE = new ContextSlot<LedgerChange>('ledger change', 'ledger');

/** Folds the batch's orders, refunds and claims into the order ledger. */
@Injectable()
export class LedgerStage implements StateStage {
  readonly kind = 'state';
  readonly name = 'ledger';

  constructor(@Inject(OrderLedger) private readonly ledger: Pick<OrderLedger, 'apply'>) {}

  async run(context: BatchContext): Promise<void> {
    context.set(LEDGER_CHANGE, await this.ledger.apply(context.events));
  }
}

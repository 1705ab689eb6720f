import type { AccountSignals } from './refund-brushing.detector.js';

/**
 * Shapes of refund_brushing evidence (money in minor units, times in
 * event-time ms like every other kind's: the console formats them).
 */
export interface RefundBrushingSignals {
  timing: AccountSignals['timing'];
  ring?: NonNullable<AccountSignals['ring']>;
  operator?: NonNullable<AccountSignals['operator']>;
  crossRoom?: NonNullable<AccountSignals['crossRoom']>;
  overpay?: NonNullable<AccountSignals['overpay']>;
  repeat?: NonNullable<AccountSignals['repeat']>;
  flashGrab?: NonNullable<AccountSignals['flashGrab']>;
  kickback?: NonNullable<AccountSignals['kickback']>;
  wave?: NonNullable<AccountSignals['wave']>;
}

export interface RefundedOrderSample {
  orderId: string;
  skuId: string;
  quantity: number;
  unitPrice: number;
  listPrice: number;
  paid: number;
  refunded: number;
  placedAt: number | null;
  refundedMsAfterEnd: number | null;
}

export interface RefundBrushingAccountEvidence {
  signals: RefundBrushingSignals;
  paid: number;
  refunded: number;
  orders: RefundedOrderSample[];
}

export interface RefundBrushingRoomEvidence {
  brushedAmount: number;
  brushedRefunded: number;
  streamPaid: number;
  brushedShare: number;
  streamEndedAt: number | null;
  accounts: Array<{ accountId: string; score: number } & RefundBrushingSignals>;
}

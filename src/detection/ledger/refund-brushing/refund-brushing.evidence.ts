import type { AccountSignals } from './refund-brushing.detector.js';

/**
 * Shapes of refund_brushing evidence, as the detector builds it today (money
 * in minor units). `placedAt` and `streamEndedAt` are still ISO text here;
 * the console accepts both until the detector sends ms like the others.
 */
export interface RefundBrushingSignals {
  timing: AccountSignals['timing'];
  ring?: NonNullable<AccountSignals['ring']>;
  crossRoom?: NonNullable<AccountSignals['crossRoom']>;
  overpay?: NonNullable<AccountSignals['overpay']>;
  repeat?: NonNullable<AccountSignals['repeat']>;
}

export interface RefundedOrderSample {
  orderId: string;
  skuId: string;
  quantity: number;
  unitPrice: number;
  listPrice: number;
  paid: number;
  refunded: number;
  placedAt: string | number | null;
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
  streamEndedAt: string | number | null;
  accounts: Array<{ accountId: string; score: number } & RefundBrushingSignals>;
}

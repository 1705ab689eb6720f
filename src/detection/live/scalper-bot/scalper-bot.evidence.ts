/**
 * What a scalper_bot report shows a reviewer (times epoch ms, latencies ms
 * from the opening, negative before it; shares 0..1).
 */

/** Signals a group carries, by family: who the accounts are, what they share, how they order. */
export type ScalperWhoSignal = 'tamperedDevices' | 'youngAccounts' | 'neverWatched' | 'oneOldModel';
export type ScalperShareSignal = 'sharedDevices' | 'sharedPayments' | 'dropAddresses' | 'rotatingDevices';
export type ScalperHowSignal = 'beforeOpen' | 'machineSpeed' | 'stockTaken';
export type ScalperSignal = ScalperWhoSignal | ScalperShareSignal | ScalperHowSignal;

export interface ScalperDeviceEvidence {
  deviceId: string;
  model: string | null;
  /** Device flags seen on its orders: emulator, rooted, hooked, cloudPhone, multiInstance. */
  flags: string[];
  /** Accounts seen on it in the stream (joins and orders). */
  accountIds: string[];
  /** Distinct IPs it was seen on in the stream. */
  ipCount: number;
}

export interface ScalperPaymentEvidence {
  paymentAccountHash: string;
  accountIds: string[];
}

export interface ScalperAddressEvidence {
  addressHash: string;
  accountCount: number;
}

export interface ScalperOrderLatency {
  accountId: string;
  orderId: string;
  /** ts − sale.opened.ts: negative means placed before the sale opened. */
  latencyMs: number;
  quantity: number;
}

export interface ScalperGroupEvidence {
  signals: ScalperSignal[];
  accountCount: number;
  quantity: number;
  /** quantity / stock. */
  shareOfStockTaken: number;
  /** quantity / perAccountLimit: how many accounts' worth the group bought as one. */
  limitMultiple: number | null;
  ordersBeforeOpen: number;
  latencyMedianMs: number | null;
  latencyIqrMs: number | null;
  devices: ScalperDeviceEvidence[];
  paymentAccounts: ScalperPaymentEvidence[];
  dropAddresses: ScalperAddressEvidence[];
  orderLatencies: ScalperOrderLatency[];
}

/** The opening second: orders per `binMs` around the opening, and whose they are. */
export interface OpeningSecondEvidence {
  openedAt: number;
  binMs: number;
  bins: Array<{ fromMs: number; orders: number; flaggedOrders: number; accountIds: string[] }>;
}

export interface ScalperSaleEvidence {
  skuId: string;
  openedAt: number;
  stock: number;
  perAccountLimit: number | null;
  /** Orders of the SKU in the sale's window. */
  saleOrders: number;
  ordersBeforeOpen: number;
  /** Quantity the flagged groups took / stock. */
  shareOfStockTaken: number;
  groups: ScalperGroupEvidence[];
  openingSecond: OpeningSecondEvidence;
}

export interface ScalperOtherRoom {
  roomId: string;
  streamId: string;
  at: number;
  sharedAccounts: number;
}

export interface ScalperBotRoomEvidence {
  signals: ScalperSignal[];
  /** The limited drops (one per sale.opened) where linked accounts were flagged. */
  drops: ScalperSaleEvidence[];
  /** Other rooms the same accounts struck (seen by this engine, 24 h). */
  otherRooms: ScalperOtherRoom[];
  accountsTotal: number;
  accountsListed: number;
}

export interface ScalperBotAccountEvidence {
  signals: ScalperSignal[];
  orderLatencies: ScalperOrderLatency[];
  devices: ScalperDeviceEvidence[];
  paymentAccounts: ScalperPaymentEvidence[];
  /** Accounts of its group (capped). */
  groupAccounts: string[];
  groupAccountCount: number;
  accountCreatedAt: number | null;
  otherRooms: ScalperOtherRoom[];
}

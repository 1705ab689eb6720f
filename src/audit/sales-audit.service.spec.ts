import { NotFoundException } from '@nestjs/common';
import type { Principal } from '../platform/auth/principal.js';
import type { ReportRepository } from '../reports/report.repository.js';
import type { LedgerRepository, StreamOrderSums } from '../state/ledger/ledger.repository.js';
import type { StoredStream, StreamRepository } from '../state/streams/stream.repository.js';
import type { PromotionFactsRepository } from '../state/promotions/promotion-facts.repository.js';
import { SalesAuditService } from './sales-audit.service.js';

const reviewer: Principal = { keyId: 'k-r', role: 'reviewer', merchantId: null };
const merchantA: Principal = { keyId: 'k-a', role: 'merchant', merchantId: 'm-a' };
const merchantB: Principal = { keyId: 'k-b', role: 'merchant', merchantId: 'm-b' };

const stream: StoredStream = { streamId: 's-1', roomId: 'room-1', merchantId: 'm-a', startedAt: 0, endedAt: 3_600_000, firstTs: 0, lastTs: 3_600_000 };

function sums(overrides: Partial<StreamOrderSums> = {}): StreamOrderSums {
  return {
    orders: 10,
    paidOrders: 8,
    refundedOrders: 3,
    grossAtListPrice: '120000',
    grossPaid: '80000',
    refunded: '30000',
    suspected: '20000',
    pendingOrders: 1,
    pendingPaid: '500',
    pendingRefunded: '0',
    currency: 'CNY',
    ...overrides,
  };
}

describe('SalesAuditService', () => {
  let askedSuspects: string[][];
  let orderSums: StreamOrderSums;
  let claim: { gmv: string; orders: string } | null;
  let service: SalesAuditService;
  let askedPromotionSuspects: string[][][];

  beforeEach(() => {
    askedSuspects = [];
    orderSums = sums();
    claim = { gmv: '100000', orders: '12' };
    const streams = { find: async (id: string) => (id === stream.streamId ? stream : null) } as unknown as StreamRepository;
    const ledger = {
      streamSums: async (_streamId: string, suspects: readonly string[]) => {
        askedSuspects.push([...suspects]);
        return orderSums;
      },
      claimOf: async () => claim,
    } as unknown as LedgerRepository;
    const reports = {
      brushingAccounts: async () => ['acct-7', 'acct-9'],
      accountsNamedIn: async (kind: string, _streamId: string, merchantId: string | null) => (kind === 'coupon_abuse' ? ['wool-1'] : merchantId === 'm-a' ? ['fake-1'] : []),
    } as unknown as ReportRepository;
    const promotions = {
      streamSums: async (_streamId: string, coupon: readonly string[], cashOut: readonly string[]) => {
        askedPromotionSuspects.push([[...coupon], [...cashOut]]);
        return { refundedWithoutReturn: '4000', couponDiscounts: '3000', virtualPaid: '20000', suspectedCouponAbuse: '1000', suspectedCashOut: '0' };
      },
    } as unknown as PromotionFactsRepository;
    askedPromotionSuspects = [];
    service = new SalesAuditService(streams, ledger, reports, promotions);
  });

  it('answers another merchant exactly as it answers an unknown stream', async () => {
    const unknown = await service.audit('s-404', merchantB).catch((error: unknown) => error);
    const foreign = await service.audit('s-1', merchantB).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(NotFoundException);
    expect((foreign as Error).message).toBe((unknown as Error).message.replace('s-404', 's-1'));
  });

  it('audits for the owner and for reviewers, the brushing share over the accounts the reports name', async () => {
    const audit = await service.audit('s-1', merchantA);
    expect(await service.audit('s-1', reviewer)).toEqual(audit);
    expect(askedSuspects[0]).toEqual(['acct-7', 'acct-9']);
    // The promotion shares over the accounts the stream's coupon_abuse reports and the merchant's cash_out report name.
    expect(askedPromotionSuspects[0]).toEqual([['wool-1'], ['fake-1']]);
    expect(audit).toEqual({
      roomId: 'room-1',
      streamId: 's-1',
      merchantId: 'm-a',
      currency: 'CNY',
      claimed: { gmv: 100000, orders: 12 },
      verified: {
        orders: 10,
        paidOrders: 8,
        refundedOrders: 3,
        grossAtListPrice: 120000,
        grossPaid: 80000,
        refunded: 30000,
        net: 50000,
        suspectedBrushing: 20000,
        refundedWithoutReturn: 4000,
        couponDiscounts: 3000,
        virtualPaid: 20000,
        virtualShare: 0.25,
        suspectedCouponAbuse: 1000,
        suspectedCashOut: 0,
      },
      inflation: { amount: 50000, ratio: 2 },
      pending: { orders: 1, paid: 500, refunded: 0 },
    });
  });

  it('has no inflation without a claim, and no ratio when nothing net settled', async () => {
    claim = null;
    expect((await service.audit('s-1', reviewer)).inflation).toBeNull();
    claim = { gmv: '1000', orders: '1' };
    orderSums = sums({ grossPaid: '500', refunded: '500' });
    expect((await service.audit('s-1', reviewer)).inflation).toEqual({ amount: 1000, ratio: null });
  });

  it('names the figures past the exact range of a JSON number instead of failing', async () => {
    orderSums = sums({ grossPaid: '9007199254740993', grossAtListPrice: '9007199254740993' });
    const audit = await service.audit('s-1', reviewer);
    expect(audit.inexact).toEqual(['verified.grossPaid', 'verified.net', 'verified.grossAtListPrice']);
    expect(audit.inflation?.ratio).toBeNull();
  });
});

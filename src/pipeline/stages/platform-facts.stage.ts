import { Inject, Injectable } from '@nestjs/common';
import type { AccountRegistered, CouponClaimed, SaleOpened } from '../../events/event.schema.js';
import { AccountRegistrationsRepository } from '../../state/accounts/account-registrations.repository.js';
import { CouponClaimsRepository } from '../../state/coupons/coupon-claims.repository.js';
import { SaleOpeningsRepository } from '../../state/sales/sale-openings.repository.js';
import type { BatchContext, StateStage } from '../stage.js';

/**
 * Files the v2 platform facts of the batch (CONTRACT.md v2 §1) where the
 * detectors and decisions that need them will read them: flash-sale
 * openings per stream and SKU, coupon claims (in rooms or not) and account
 * registrations. Each write is keyed so that a batch run again (poison
 * retries, a crash) changes nothing. It reaches no findings itself.
 */
@Injectable()
export class PlatformFactsStage implements StateStage {
  readonly kind = 'state';
  readonly name = 'platform facts';

  constructor(
    @Inject(SaleOpeningsRepository) private readonly sales: Pick<SaleOpeningsRepository, 'record'>,
    @Inject(CouponClaimsRepository) private readonly coupons: Pick<CouponClaimsRepository, 'record'>,
    @Inject(AccountRegistrationsRepository) private readonly registrations: Pick<AccountRegistrationsRepository, 'record'>,
  ) {}

  async run(context: BatchContext): Promise<void> {
    const openings: Array<{ seq: number; event: SaleOpened }> = [];
    const claims: Array<{ seq: number; event: CouponClaimed }> = [];
    const registered: Array<{ seq: number; event: AccountRegistered }> = [];
    for (const { seq, event } of context.events) {
      if (event.type === 'sale.opened') openings.push({ seq, event });
      else if (event.type === 'coupon.claimed') claims.push({ seq, event });
      else if (event.type === 'account.registered') registered.push({ seq, event });
    }
    await Promise.all([this.sales.record(openings), this.coupons.record(claims), this.registrations.record(registered)]);
  }
}

import { Module } from '@nestjs/common';
import { AccountRegistrationsRepository } from './accounts/account-registrations.repository.js';
import { CouponClaimsRepository } from './coupons/coupon-claims.repository.js';
import { SaleOpeningsRepository } from './sales/sale-openings.repository.js';

/**
 * The owner of the v2 platform-fact tables (flash-sale openings, coupon
 * claims, account registrations): the pipeline's platform-facts stage writes
 * them; decisions, rings and the coupon and cash-out detectors will read them
 * through these repositories.
 */
@Module({
  providers: [SaleOpeningsRepository, CouponClaimsRepository, AccountRegistrationsRepository],
  exports: [SaleOpeningsRepository, CouponClaimsRepository, AccountRegistrationsRepository],
})
export class PlatformFactsModule {}

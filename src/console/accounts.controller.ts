import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { RequireRole } from '../platform/auth/auth.guard.js';
import { identifier, storableText } from '../platform/validation/route-input.js';
import { ACCOUNT_IDENTIFIERS } from '../state/accounts/account-streams.repository.js';
import { type AccountProfile, AccountProfileService } from './account-profile.service.js';

export const accountParams = z.object({ accountId: identifier });
const identifierValue = storableText({ min: 1, max: 128 });
export const accountSearchQuery = z.object({
  deviceId: identifierValue.optional(),
  ip: identifierValue.optional(),
  subnet: identifierValue.optional(),
  phoneHash: identifierValue.optional(),
});

/** The account page and the identifier search of the reviewer's desk. */
@Controller('v1/accounts')
@RequireRole('reviewer')
export class AccountsController {
  constructor(private readonly accounts: AccountProfileService) {}

  /** Accounts seen with one device, address, network or phone hash, in any stream. */
  @Get()
  async search(@Query({ schema: accountSearchQuery }) query: z.infer<typeof accountSearchQuery>): Promise<{ items: string[] }> {
    const named = ACCOUNT_IDENTIFIERS.filter((kind) => query[kind] !== undefined);
    if (named.length !== 1) throw new BadRequestException(`query: name exactly one of ${ACCOUNT_IDENTIFIERS.join(', ')}`);
    const kind = named[0]!;
    return { items: await this.accounts.accountsWith(kind, query[kind]!) };
  }

  /** The streams and rooms an account was in, and who shares its devices, addresses and phones. */
  @Get(':accountId')
  profile(@Param({ schema: accountParams }) params: z.infer<typeof accountParams>): Promise<AccountProfile> {
    return this.accounts.profile(params.accountId);
  }
}

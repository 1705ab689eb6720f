import { Module } from '@nestjs/common';
import { AccountStreamsRepository } from './account-streams.repository.js';

/**
 * Accounts across streams: the `account_streams` table's repository, written
 * by the pipeline's account-presence stage and read by the desk's searches
 * and the console's account page.
 */
@Module({
  providers: [AccountStreamsRepository],
  exports: [AccountStreamsRepository],
})
export class AccountStreamsModule {}

import { Module } from '@nestjs/common';
import { AccountPresence } from './account-presence.js';
import { AccountStreamsRepository } from './account-streams.repository.js';

/**
 * Accounts across streams: the `account_streams` table, its state stage (the
 * pipeline lists it) and its repository, read by the desk's searches and the
 * console's account page.
 */
@Module({
  providers: [AccountStreamsRepository, AccountPresence],
  exports: [AccountStreamsRepository, AccountPresence],
})
export class AccountStreamsModule {}

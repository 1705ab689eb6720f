import { Inject, Injectable } from '@nestjs/common';
import { accountPresence } from '../../state/accounts/account-presence.js';
import { AccountStreamsRepository } from '../../state/accounts/account-streams.repository.js';
import type { BatchContext, StateStage } from '../stage.js';

/**
 * Keeps `account_streams` up with the log (the account page and the desk's
 * device, IP and phone searches read it): one upsert per batch, idempotent
 * (times by min/max, identifiers by set union), so a batch run again changes
 * nothing. It reaches no findings and nothing after it reads it.
 */
@Injectable()
export class AccountPresenceStage implements StateStage {
  readonly kind = 'state';
  readonly name = 'account presence';

  constructor(@Inject(AccountStreamsRepository) private readonly accountStreams: Pick<AccountStreamsRepository, 'record'>) {}

  async run(context: BatchContext): Promise<void> {
    await this.accountStreams.record(accountPresence(context.events));
  }
}

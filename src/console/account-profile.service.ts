import { Injectable } from '@nestjs/common';
import { type AccountIdentifier, AccountStreamsRepository, type SharedIdentifier } from '../state/accounts/account-streams.repository.js';

/** Caps of the account page: an account of a farm can sit in thousands of streams. */
export const ACCOUNT_PAGE_LIMITS = { streams: 200, sharedAccountsListed: 50, searchAccounts: 200 } as const;

export interface AccountStreamView {
  streamId: string;
  roomId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  deviceIds: string[];
  ips: string[];
  subnets: string[];
  phoneHashes: string[];
}

/** Everything the log says about one account; its reports come from GET /v1/reports?accountId=. */
export interface AccountProfile {
  accountId: string;
  /** Newest first, at most ACCOUNT_PAGE_LIMITS.streams. */
  streams: AccountStreamView[];
  /** Distinct rooms of those streams. */
  rooms: string[];
  /** Each device, address, network and phone it used, with the other accounts seen on it. */
  shared: SharedIdentifier[];
}

@Injectable()
export class AccountProfileService {
  constructor(private readonly accountStreams: AccountStreamsRepository) {}

  async profile(accountId: string): Promise<AccountProfile> {
    const rows = await this.accountStreams.ofAccount(accountId, ACCOUNT_PAGE_LIMITS.streams);
    const identifiers = new Map<string, { kind: AccountIdentifier; value: string }>();
    const collect = (kind: AccountIdentifier, values: string[]) => {
      for (const value of values) identifiers.set(`${kind}\u0000${value}`, { kind, value });
    };
    for (const row of rows) {
      collect('deviceId', row.deviceIds);
      collect('ip', row.ips);
      collect('subnet', row.subnets);
      collect('phoneHash', row.phoneHashes);
    }
    const shared = await this.accountStreams.sharing(accountId, [...identifiers.values()], ACCOUNT_PAGE_LIMITS.sharedAccountsListed);
    return {
      accountId,
      streams: rows.map(({ accountId: _account, firstTs, lastTs, ...row }) => ({ ...row, firstSeenAt: firstTs, lastSeenAt: lastTs })),
      rooms: [...new Set(rows.map((row) => row.roomId))],
      // The most shared first: that is where an operator shows.
      shared: shared.sort((a, b) => b.otherAccounts - a.otherAccounts || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value)),
    };
  }

  /** Accounts seen with one identifier, for the desk's search. */
  accountsWith(kind: AccountIdentifier, value: string, limit: number = ACCOUNT_PAGE_LIMITS.searchAccounts): Promise<string[]> {
    return this.accountStreams.accountsWith(kind, value, limit);
  }
}

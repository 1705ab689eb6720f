import type { AccountIdentifier, AccountStreamRow, AccountStreamsRepository, SharedIdentifier } from '../state/accounts/account-streams.repository.js';
import { ACCOUNT_PAGE_LIMITS, AccountProfileService } from './account-profile.service.js';

const T0 = Date.UTC(2026, 10, 11, 20);

function presence(streamId: string, roomId: string, over: Partial<AccountStreamRow> = {}): AccountStreamRow {
  return { accountId: 'acc-1', streamId, roomId, firstTs: T0, lastTs: T0 + 60_000, deviceIds: ['dev-1'], ips: ['10.0.0.7'], subnets: ['10.0.0.0/24'], phoneHashes: [], ...over };
}

describe('the account profile', () => {
  it('lists the account\'s streams and rooms, and asks once for who shares each identifier it used, the most shared first', async () => {
    const asked: Array<{ accountId: string; identifiers: Array<{ kind: AccountIdentifier; value: string }>; limit: number }> = [];
    const shared: SharedIdentifier[] = [
      { kind: 'ip', value: '10.0.0.7', accounts: ['acc-2'], otherAccounts: 1 },
      { kind: 'deviceId', value: 'dev-1', accounts: ['acc-3', 'acc-4', 'acc-5'], otherAccounts: 12 },
      { kind: 'subnet', value: '10.0.0.0/24', accounts: ['acc-2'], otherAccounts: 1 },
    ];
    const repository = {
      ofAccount: (accountId: string, limit: number) => {
        expect([accountId, limit]).toEqual(['acc-1', ACCOUNT_PAGE_LIMITS.streams]);
        return Promise.resolve([presence('st-2', 'room-2', { firstTs: T0 + 86_400_000, lastTs: T0 + 86_460_000, phoneHashes: ['ph-1'] }), presence('st-1', 'room-1'), presence('st-0', 'room-1')]);
      },
      sharing: (accountId: string, identifiers: Array<{ kind: AccountIdentifier; value: string }>, limit: number) => {
        asked.push({ accountId, identifiers, limit });
        return Promise.resolve([...shared]);
      },
    } as unknown as AccountStreamsRepository;

    const profile = await new AccountProfileService(repository).profile('acc-1');
    expect(profile.streams[0]).toEqual({ streamId: 'st-2', roomId: 'room-2', firstSeenAt: T0 + 86_400_000, lastSeenAt: T0 + 86_460_000, deviceIds: ['dev-1'], ips: ['10.0.0.7'], subnets: ['10.0.0.0/24'], phoneHashes: ['ph-1'] });
    expect(profile.rooms).toEqual(['room-2', 'room-1']);
    // Each identifier once, however many streams it was used in.
    expect(asked).toEqual([
      {
        accountId: 'acc-1',
        identifiers: [
          { kind: 'deviceId', value: 'dev-1' },
          { kind: 'ip', value: '10.0.0.7' },
          { kind: 'subnet', value: '10.0.0.0/24' },
          { kind: 'phoneHash', value: 'ph-1' },
        ],
        limit: ACCOUNT_PAGE_LIMITS.sharedAccountsListed,
      },
    ]);
    expect(profile.shared.map((identifier) => [identifier.kind, identifier.otherAccounts])).toEqual([
      ['deviceId', 12],
      ['ip', 1],
      ['subnet', 1],
    ]);
  });
});

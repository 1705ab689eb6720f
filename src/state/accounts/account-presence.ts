import { subnetOf } from '../../detection/shared/network.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import { type AccountStreamRow, MAX_IDENTIFIERS_PER_ROW } from './account-streams.repository.js';

/**
 * Folds a committed batch into one row per (account, stream): first and last
 * event time, and the devices, addresses, /24-or-/64 networks and phone
 * hashes the account's events carried. Events without an account or a
 * stream (platform-wide types) add nothing.
 */
export function accountPresence(batch: readonly CommittedEvent[]): AccountStreamRow[] {
  const rows = new Map<string, AccountStreamRow & { sets: Array<Set<string>> }>();
  for (const { event } of batch) {
    const fields = event as { accountId?: unknown; roomId?: unknown; streamId?: unknown; deviceId?: unknown; ip?: unknown; phoneHash?: unknown };
    if (typeof fields.accountId !== 'string' || typeof fields.streamId !== 'string' || typeof fields.roomId !== 'string') continue;
    const key = `${fields.accountId}\u0000${fields.streamId}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        accountId: fields.accountId,
        streamId: fields.streamId,
        roomId: fields.roomId,
        firstTs: event.ts,
        lastTs: event.ts,
        deviceIds: [],
        ips: [],
        subnets: [],
        phoneHashes: [],
        sets: [new Set(), new Set(), new Set(), new Set()],
      };
      rows.set(key, row);
    }
    row.firstTs = Math.min(row.firstTs, event.ts);
    row.lastTs = Math.max(row.lastTs, event.ts);
    const [devices, ips, subnets, phones] = row.sets;
    const add = (set: Set<string>, value: unknown) => {
      if (typeof value === 'string' && value.length > 0 && set.size < MAX_IDENTIFIERS_PER_ROW) set.add(value);
    };
    add(devices, fields.deviceId);
    add(ips, fields.ip);
    add(subnets, typeof fields.ip === 'string' ? subnetOf(fields.ip) : undefined);
    add(phones, fields.phoneHash);
  }
  return [...rows.values()].map(({ sets, ...row }) => ({
    ...row,
    deviceIds: [...sets[0]].sort(),
    ips: [...sets[1]].sort(),
    subnets: [...sets[2]].sort(),
    phoneHashes: [...sets[3]].sort(),
  }));
}


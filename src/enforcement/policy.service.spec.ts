import { NotFoundException } from '@nestjs/common';
import type { ReportKind } from '../detection/engine/finding.js';
import { loadConfig } from '../platform/config/config.js';
import type { AllowListEntryView, AllowListInput, ThresholdPolicyInput } from './policy.js';
import type { PolicyAuditEntry, PolicyChanges, PolicyRepository, ThresholdRecord } from './policy.repository.js';
import { PolicyService } from './policy.service.js';

const NOW = new Date('2027-01-15T08:00:00.000Z');

/**
 * The policy tables in memory. change() works on a copy and keeps it only
 * when the work resolves, as the repository's transaction does.
 */
class FakePolicyRepository implements Pick<PolicyRepository, 'threshold' | 'allowList' | 'auditLog' | 'change'> {
  thresholds = new Map<ReportKind, ThresholdRecord>();
  entries = new Map<string, AllowListEntryView>();
  audit: PolicyAuditEntry[] = [];
  private nextId = 1;

  async threshold(kind: ReportKind): Promise<ThresholdRecord | undefined> {
    return this.thresholds.get(kind);
  }
  async allowList(): Promise<AllowListEntryView[]> {
    return [...this.entries.values()];
  }
  async auditLog(): Promise<never[]> {
    return [];
  }
  async change<T>(work: (changes: PolicyChanges) => Promise<T>): Promise<T> {
    const thresholds = new Map(this.thresholds);
    const entries = new Map(this.entries);
    const audit = [...this.audit];
    const find = (subjectType: string, subjectId: string) =>
      [...entries.values()].find((entry) => entry.subjectType === subjectType && entry.subjectId === subjectId);
    const result = await work({
      lockedThreshold: async (kind) => thresholds.get(kind),
      upsertThreshold: async (kind: ReportKind, input: ThresholdPolicyInput) => {
        const record: ThresholdRecord = {
          kind,
          autoEnforceScore: input.autoEnforceScore,
          severityMedium: input.severityBands?.medium ?? null,
          severityHigh: input.severityBands?.high ?? null,
          expiresAt: input.expiresAt === null ? null : new Date(input.expiresAt),
          updatedAt: NOW,
          active: input.expiresAt === null || new Date(input.expiresAt) > NOW,
        };
        thresholds.set(kind, record);
        return record;
      },
      lockedAllowEntry: async (subjectType, subjectId) => find(subjectType, subjectId),
      upsertAllowEntry: async (input: AllowListInput) => {
        const entry: AllowListEntryView = {
          id: find(input.subjectType, input.subjectId)?.id ?? `entry-${this.nextId++}`,
          ...input,
          active: true,
          createdAt: NOW.toISOString(),
        };
        entries.set(entry.id, entry);
        return entry;
      },
      deleteAllowEntry: async (id) => {
        const entry = entries.get(id);
        entries.delete(id);
        return entry;
      },
      recordAudit: async (entry) => void audit.push(entry),
    });
    Object.assign(this, { thresholds, entries, audit });
    return result;
  }
}

describe('PolicyService', () => {
  let repository: FakePolicyRepository;
  let service: PolicyService;

  beforeEach(() => {
    repository = new FakePolicyRepository();
    service = new PolicyService(repository as unknown as PolicyRepository, loadConfig({ ADMIN_KEY: 'k'.repeat(32), AUTO_ENFORCE_SCORE: '0.9' }));
  });

  it('shows a kind without policy at the configured score and the detectors own severities', async () => {
    await expect(service.threshold('refund_brushing')).resolves.toEqual({
      kind: 'refund_brushing',
      autoEnforceScore: null,
      effectiveAutoEnforceScore: 0.9,
      severityBands: null,
      expiresAt: null,
      active: false,
      updatedAt: null,
    });
  });

  it('falls back to the configured score once a policy has expired', async () => {
    repository.thresholds.set('inflated_gmv', {
      kind: 'inflated_gmv',
      autoEnforceScore: 0.5,
      severityMedium: 0.4,
      severityHigh: 0.6,
      expiresAt: new Date('2027-01-01T00:00:00.000Z'),
      updatedAt: NOW,
      active: false,
    });
    await expect(service.threshold('inflated_gmv')).resolves.toMatchObject({
      autoEnforceScore: 0.5,
      effectiveAutoEnforceScore: 0.9,
      severityBands: { medium: 0.4, high: 0.6 },
      active: false,
    });
  });

  it('audits a threshold change with the views before and after, as the admin', async () => {
    const first = await service.putThreshold('injected_viewers', { autoEnforceScore: 0.95, severityBands: null, expiresAt: null });
    expect(first).toMatchObject({ autoEnforceScore: 0.95, effectiveAutoEnforceScore: 0.95, active: true });
    await service.putThreshold('injected_viewers', { autoEnforceScore: null, severityBands: { medium: 0.5, high: 0.8 }, expiresAt: null });
    expect(repository.audit).toHaveLength(2);
    expect(repository.audit[0]).toMatchObject({ actor: 'admin', action: 'threshold.put', target: 'injected_viewers', before: null, after: first });
    expect(repository.audit[1]).toMatchObject({
      before: { autoEnforceScore: 0.95 },
      after: { autoEnforceScore: null, effectiveAutoEnforceScore: 0.9, severityBands: { medium: 0.5, high: 0.8 } },
    });
  });

  it('audits allow-list changes, and leaves no audit row for a removal of an entry that does not exist', async () => {
    const entry = await service.allow({ subjectType: 'account', subjectId: 'staff-1', reason: 'room staff', expiresAt: null });
    await service.allow({ subjectType: 'account', subjectId: 'staff-1', reason: 'still staff', expiresAt: null });
    await expect(service.disallow('missing')).rejects.toThrow(new NotFoundException('allow-list entry missing not found'));
    await service.disallow(entry.id);
    expect(repository.audit.map((a) => [a.action, a.target])).toEqual([
      ['allow-list.put', 'account:staff-1'],
      ['allow-list.put', 'account:staff-1'],
      ['allow-list.delete', 'account:staff-1'],
    ]);
    expect(repository.audit[1]).toMatchObject({ before: { reason: 'room staff' }, after: { reason: 'still staff', id: entry.id } });
    expect(repository.audit[2]).toMatchObject({ before: { reason: 'still staff' }, after: null });
    expect(repository.entries.size).toBe(0);
  });
});

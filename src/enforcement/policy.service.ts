import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/config.js';
import type { ReportKind } from '../detection/engine/finding.js';
import type {
  AllowListEntryView,
  AllowListInput,
  AllowListSubjectType,
  PolicyAuditView,
  ThresholdPolicyInput,
  ThresholdPolicyView,
} from './policy.js';
import { type PolicyAuditEntry, type PolicyChanges, PolicyRepository, type ThresholdRecord } from './policy.repository.js';

/** Only the operator's ADMIN_KEY changes policy; keys carry no name, so the audit says "admin". */
const ADMIN_ACTOR = 'admin';

/**
 * Enforcement policy as data: per-kind thresholds and severity bands, and the
 * allow-list. The report store applies them inside its own statements (no
 * cache to go stale across processes); every change here is audited in the
 * same transaction.
 */
@Injectable()
export class PolicyService {
  constructor(
    private readonly policies: PolicyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async threshold(kind: ReportKind): Promise<ThresholdPolicyView> {
    return this.thresholdView(kind, await this.policies.threshold(kind));
  }

  async putThreshold(kind: ReportKind, input: ThresholdPolicyInput): Promise<ThresholdPolicyView> {
    return this.audited(async (changes) => {
      const before = await changes.lockedThreshold(kind);
      const after = this.thresholdView(kind, await changes.upsertThreshold(kind, input));
      const beforeView = before ? this.thresholdView(kind, before) : null;
      return { result: after, audit: { action: 'threshold.put', target: kind, before: beforeView, after } };
    });
  }

  allowList(filter: { subjectType?: AllowListSubjectType; subjectId?: string }): Promise<AllowListEntryView[]> {
    return this.policies.allowList(filter);
  }

  /** Adds an entry, or replaces the reason and expiry of the subject's existing one. */
  async allow(input: AllowListInput): Promise<AllowListEntryView> {
    return this.audited(async (changes) => {
      const before = await changes.lockedAllowEntry(input.subjectType, input.subjectId);
      const after = await changes.upsertAllowEntry(input);
      return {
        result: after,
        audit: { action: 'allow-list.put', target: `${input.subjectType}:${input.subjectId}`, before: before ?? null, after },
      };
    });
  }

  async disallow(id: string): Promise<void> {
    await this.audited(async (changes) => {
      const removed = await changes.deleteAllowEntry(id);
      if (!removed) throw new NotFoundException(`allow-list entry ${id} not found`);
      return {
        result: undefined,
        audit: { action: 'allow-list.delete', target: `${removed.subjectType}:${removed.subjectId}`, before: removed, after: null },
      };
    });
  }

  audit(limit: number): Promise<PolicyAuditView[]> {
    return this.policies.auditLog(limit);
  }

  private thresholdView(kind: ReportKind, record: ThresholdRecord | undefined): ThresholdPolicyView {
    const active = record?.active ?? false;
    return {
      kind,
      autoEnforceScore: record?.autoEnforceScore ?? null,
      effectiveAutoEnforceScore: (active ? record?.autoEnforceScore : null) ?? this.config.AUTO_ENFORCE_SCORE,
      severityBands:
        record && record.severityMedium !== null && record.severityHigh !== null
          ? { medium: record.severityMedium, high: record.severityHigh }
          : null,
      expiresAt: record?.expiresAt?.toISOString() ?? null,
      active: record !== undefined && active,
      updatedAt: record?.updatedAt.toISOString() ?? null,
    };
  }

  /** Runs a policy change and writes its audit row in one transaction. */
  private audited<T>(
    change: (changes: PolicyChanges) => Promise<{ result: T; audit: Omit<PolicyAuditEntry, 'actor'> }>,
  ): Promise<T> {
    return this.policies.change(async (changes) => {
      const { result, audit } = await change(changes);
      await changes.recordAudit({ actor: ADMIN_ACTOR, ...audit });
      return result;
    });
  }
}

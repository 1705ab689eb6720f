import { Delivery } from '../enforcement/delivery.entity.js';
import { AllowListEntry, EnforcementPolicy, PolicyAuditEntry } from '../enforcement/policy.entity.js';
import { Report, ReportDecision } from './report.entity.js';

/** The reports feature's TypeORM entities, for src/database/entities.ts. */
export const REPORTS_ENTITIES = [Report, ReportDecision, Delivery, EnforcementPolicy, AllowListEntry, PolicyAuditEntry];

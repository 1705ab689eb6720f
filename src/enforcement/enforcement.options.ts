import type { AppConfig } from '../platform/config/config.js';

/** Delivery tuning: the ENFORCEMENT_* part of the validated config (src/config/config.ts). */
export type EnforcementOptions = Pick<
  AppConfig,
  'ENFORCEMENT_ATTEMPTS' | 'ENFORCEMENT_BACKOFF_MS' | 'ENFORCEMENT_TIMEOUT_MS' | 'ENFORCEMENT_SWEEP_MS'
>;

export function enforcementOptions(config: AppConfig): EnforcementOptions {
  const { ENFORCEMENT_ATTEMPTS, ENFORCEMENT_BACKOFF_MS, ENFORCEMENT_TIMEOUT_MS, ENFORCEMENT_SWEEP_MS } = config;
  return { ENFORCEMENT_ATTEMPTS, ENFORCEMENT_BACKOFF_MS, ENFORCEMENT_TIMEOUT_MS, ENFORCEMENT_SWEEP_MS };
}

export const ENFORCEMENT_OPTIONS = Symbol('ENFORCEMENT_OPTIONS');

import { z } from 'zod';

/**
 * Delivery tuning. Read from the environment by the reports module because
 * AppConfig (src/config) is shared; e2e tests shorten the backoff through it.
 */
const enforcementOptionsSchema = z.object({
  /** Webhook attempts per delivery before it is left `failed` for a manual retry. */
  ENFORCEMENT_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay; each later one doubles (BullMQ exponential backoff). */
  ENFORCEMENT_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(5_000),
  /** Per-request timeout of the webhook call. */
  ENFORCEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often pending deliveries are re-enqueued (outbox sweep), besides at boot. */
  ENFORCEMENT_SWEEP_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
});

export type EnforcementOptions = z.infer<typeof enforcementOptionsSchema>;

/**
 * The options, with each invalid variable replaced by its default and named
 * through `onInvalid`. Not thrown: Nest aborts the process (no message) on an
 * error inside a provider factory, and a bad retry tuning should not stop
 * ingest and detection from starting.
 */
export function loadEnforcementOptions(
  env: NodeJS.ProcessEnv = process.env,
  onInvalid: (problem: string) => void = () => undefined,
): EnforcementOptions {
  const parsed = enforcementOptionsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const usable: Record<string, string | undefined> = { ...env };
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0]);
    onInvalid(`${name}: ${issue.message}; using the default`);
    delete usable[name];
  }
  return enforcementOptionsSchema.parse(usable);
}

export const ENFORCEMENT_OPTIONS = Symbol('ENFORCEMENT_OPTIONS');

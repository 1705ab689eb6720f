/**
 * The one way the suites wait: poll until something holds or the time runs
 * out, then fail naming what was awaited and what was last seen. Deadlines
 * are generous because the suites share two cores with other work; a wait
 * that ends early costs nothing.
 */
export interface WaitOptions {
  /** How long to keep trying before failing; 10 s unless the caller knows better. */
  timeoutMs?: number;
  /** The pause between tries. */
  intervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 50;

/**
 * Resolves with the first value the probe returns that is not `undefined`.
 * A probe that throws is tried again; on timeout its last error is the cause.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last === undefined ? 'nothing yet' : last instanceof Error ? last.message : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Retries an assertion (one that throws, such as `expect`) until it holds. */
export async function eventually(what: string, assertion: () => void | Promise<void>, options: WaitOptions = {}): Promise<void> {
  await waitFor(
    what,
    async () => {
      await assertion();
      return true;
    },
    options,
  );
}

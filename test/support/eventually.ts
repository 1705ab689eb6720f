/**
 * Retries an assertion until it holds or the time runs out. `GET /v1/status`
 * reaching backlog 0 means every finding is stored; this covers what follows
 * asynchronously from there (queue jobs, pushes) and keeps the suites calm on
 * a loaded two-core machine.
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

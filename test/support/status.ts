import { waitFor } from './eventually.js';

/** `GET /v1/status` without a key (CONTRACT §3): counts only. */
export interface ServiceStatus {
  status: 'ok' | 'degraded';
  backlog: number;
  components: Record<string, Record<string, unknown>>;
}

export async function readStatus(baseUrl: string): Promise<ServiceStatus> {
  const response = await fetch(`${baseUrl}/v1/status`);
  if (!response.ok) throw new Error(`GET /v1/status answered ${response.status}`);
  return (await response.json()) as ServiceStatus;
}

export interface BacklogOptions {
  timeoutMs?: number;
  /**
   * Also wait for every queue a component shows (`waiting`, `active`,
   * `delayed`) to be empty. `backlog` counts a delivery until its first
   * attempt completes; a job that should not exist at all (a second send of a
   * settled delivery) is only seen here.
   */
  queuesIdle?: boolean;
}

/** Reads of backlog 0 in a row that count as settled (see below). */
const SETTLED_READS = 3;
const READ_INTERVAL_MS = 250;

const QUEUE_STATES = ['waiting', 'active', 'delayed'] as const;

function busyQueues(status: ServiceStatus): string[] {
  return Object.entries(status.components).flatMap(([name, part]) =>
    QUEUE_STATES.filter((state) => typeof part[state] === 'number' && part[state] !== 0).map((state) => `${name}.${state} ${String(part[state])}`),
  );
}

/**
 * Waits until `backlog` reads 0: every report the events so far justify is
 * stored (CONTRACT §3). A test that asserts something did not happen waits
 * for this first, never for a fixed pause. Three reads in a row, because an
 * ingest-only node reads 0 until its detect node first says how far it got.
 */
export async function waitForBacklogZero(baseUrl: string, options: BacklogOptions = {}): Promise<ServiceStatus> {
  let settledReads = 0;
  return waitFor(
    `backlog 0 at ${baseUrl}/v1/status${options.queuesIdle ? ' with idle queues' : ''}`,
    async () => {
      const status = await readStatus(baseUrl);
      const busy = options.queuesIdle ? busyQueues(status) : [];
      if (status.backlog !== 0 || busy.length > 0) {
        settledReads = 0;
        throw new Error(`backlog ${status.backlog}${busy.length > 0 ? `, ${busy.join(', ')}` : ''}`);
      }
      settledReads++;
      return settledReads >= SETTLED_READS ? status : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: READ_INTERVAL_MS },
  );
}

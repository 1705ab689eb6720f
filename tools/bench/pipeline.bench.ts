/**
 * Detection throughput through the real service: one generated evening
 * sent as fast as ingest takes it, then the time until detection has
 * caught up (backlog 0), and where the pipeline spent it, per stage, read
 * from the service's own `roomwatch_pipeline_stage_seconds` histogram.
 * The stage figures are what to look at first when detection falls behind
 * ingest on a festival night.
 *
 * Run: npm run bench:pipeline   (options: --seed N --rooms N --scale F --lanes N)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { generateEvening } from '../simulator/generator.js';
import { sendEvents } from '../simulator/sender.js';
import { createApiKey, databaseUrl, dropDatabase, startService, waitForBacklogZero } from '../simulator/service-harness.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '20261201' },
    rooms: { type: 'string', default: '10' },
    scale: { type: 'string', default: '0.4' },
    lanes: { type: 'string', default: '1' },
    'keep-db': { type: 'boolean', default: false },
  },
});

interface StageFigures {
  seconds: number;
  batches: number;
}

/** Sums and counts of the stage histogram, by stage, from the Prometheus text. */
function stageFigures(metrics: string): Map<string, StageFigures> {
  const figures = new Map<string, StageFigures>();
  for (const line of metrics.split('\n')) {
    const match = /^roomwatch_pipeline_stage_seconds_(sum|count)\{stage="([^"]+)"\} ([0-9.e+-]+)$/.exec(line);
    if (!match) continue;
    const [, field, stage, value] = match as unknown as [string, 'sum' | 'count', string, string];
    const entry = figures.get(stage) ?? { seconds: 0, batches: 0 };
    if (field === 'sum') entry.seconds = Number(value);
    else entry.batches = Number(value);
    figures.set(stage, entry);
  }
  return figures;
}

async function main(): Promise<void> {
  const evening = generateEvening({ seed: Number(args.seed), rooms: Number(args.rooms), attackShare: 0.5, audienceScale: Number(args.scale) });
  const url = databaseUrl(`roomwatch_eval_pipebench_${Date.now().toString(36)}`);
  const adminKey = randomBytes(24).toString('hex');
  const service = await startService({ databaseUrl: url, adminKey });
  try {
    const ingest = await createApiKey(service.baseUrl, adminKey, 'ingest');
    const started = performance.now();
    const lanes = Number(args.lanes);
    await sendEvents(evening.events, {
      url: service.baseUrl,
      token: ingest.key,
      speed: 0,
      connections: 1,
      window: 1,
      batchSize: 500,
      ...(lanes > 1 ? { lanes: { count: lanes, jitterMs: 3_000, skewMs: 2 * 3_600_000, seed: 5 } } : {}),
    });
    const sent = performance.now();
    await waitForBacklogZero(service.baseUrl, { timeoutMs: 1_800_000 });
    const caughtUp = performance.now();
    const metrics = await (await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text();
    const figures = stageFigures(metrics);
    const events = evening.events.length;
    console.log(`evening: seed ${args.seed}, ${args.rooms} rooms, scale ${args.scale}, ${events.toLocaleString('en-US')} events, ${lanes} lane(s)`);
    console.log(`sent in ${((sent - started) / 1000).toFixed(1)} s; detection caught up ${((caughtUp - sent) / 1000).toFixed(1)} s later`);
    console.log(`detection: ${(events / ((caughtUp - started) / 1000)).toFixed(0)} events/s end to end`);
    const total = [...figures.values()].reduce((sum, entry) => sum + entry.seconds, 0);
    console.log('stage                 seconds   share  batches  ms/batch');
    for (const [stage, entry] of [...figures.entries()].sort((a, b) => b[1].seconds - a[1].seconds)) {
      console.log(
        `${stage.padEnd(20)} ${entry.seconds.toFixed(2).padStart(8)} ${((100 * entry.seconds) / Math.max(total, 1e-9)).toFixed(1).padStart(6)}% ${String(entry.batches).padStart(8)} ${((1000 * entry.seconds) / Math.max(entry.batches, 1)).toFixed(1).padStart(9)}`,
      );
    }
  } finally {
    await service.stop();
    if (!args['keep-db']) await dropDatabase(url);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { parseArgs } from 'node:util';
import { DELIVERY_OPTIONS, DELIVERY_USAGE, describeDelivery, formatSendSummary, generateWithTiming, intOption, laneOptions, numberOption, sendWithProgressBar } from './cli-support.js';
import { IngestUnauthorizedError } from './sender.js';

const USAGE = `usage: npm run simulate -- --token <ingest key> [--seed 7] [--rooms 40] [--speed 0] [--url http://127.0.0.1:3000]
  --seed N           PRNG seed; the same seed sends the same evening (default 7)
  --rooms N          rooms, one stream each (default 40, ~40% attacked)
  --speed N          replay at N x event time; 0 = as fast as acks allow (default 0).
                     Refunds that arrive days after the streams are sent at once.
  --url URL          service base URL (default http://127.0.0.1:3000)
  --token KEY        ingest API key (or env ROOMWATCH_INGEST_KEY)
  --connections N    socket.io connections (default 3)
  --window N         unacknowledged batches in flight across connections (default 8)
  --batch N          events per batch, at most 1000 (default 500)
  --attack-share X   share of attacked rooms (default 0.4)
  --scale X          multiplies every room's honest audience (default 1)
 Delivery (default: --ordered over --connections; --lanes replaces it):
${DELIVERY_USAGE}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      rooms: { type: 'string' },
      speed: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      connections: { type: 'string' },
      window: { type: 'string' },
      batch: { type: 'string' },
      'attack-share': { type: 'string' },
      scale: { type: 'string' },
      ...DELIVERY_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const token = values.token ?? process.env.ROOMWATCH_INGEST_KEY;
  if (!token) {
    console.error(`--token is required\n${USAGE}`);
    return 2;
  }
  const seed = intOption(values.seed, 'seed', 7);
  const rooms = intOption(values.rooms, 'rooms', 40, 1);
  const url = values.url ?? 'http://127.0.0.1:3000';

  const { evening, ms } = generateWithTiming({
    seed,
    rooms,
    attackShare: numberOption(values['attack-share'], 'attack-share', 0.4),
    audienceScale: numberOption(values.scale, 'scale', 1),
  });
  const attacked = evening.rooms.filter((room) => room.labels.kinds.length > 0).length;
  console.log(`generated seed ${seed}: ${rooms} rooms (${attacked} attacked), ${evening.events.length.toLocaleString('en-US')} events in ${(ms / 1000).toFixed(1)} s`);

  const lanes = laneOptions(values, { lanes: 0, skewHours: 0, seed });
  if (lanes && values.connections !== undefined) throw new Error('--connections is for the ordered sender; with --lanes each lane is one connection');
  console.log(`delivery: ${lanes ? describeDelivery(lanes) : `global ts order over ${intOption(values.connections, 'connections', 3, 1)} connection(s)`}`);
  const summary = await sendWithProgressBar(evening.events, {
    url,
    token,
    speed: numberOption(values.speed, 'speed', 0),
    connections: intOption(values.connections, 'connections', 3, 1),
    window: intOption(values.window, 'window', 8, 1),
    batchSize: Math.min(1000, intOption(values.batch, 'batch', 500, 1)),
    ...(lanes ? { lanes } : {}),
  });
  for (const line of formatSendSummary(summary)) console.log(line);
  return summary.rejected > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`simulate: ${error.message}`);
    // A refused key is a usage error, not a failed run.
    process.exit(error instanceof IngestUnauthorizedError ? 2 : 1);
  },
);

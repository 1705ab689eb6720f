import { parentPort, workerData } from 'node:worker_threads';
import { LoadGenerator, type LoadShape } from './load.js';

/**
 * Runs the load generator on its own thread and heap, so neither its CPU nor
 * its objects (present lists, farm rosters, garbage) are counted as the
 * engine's. Sends one second of event time at a time as JSON, the shape in
 * which events reach the monitor from the log, a few seconds ahead of the
 * consumer; `want` messages ask for more.
 */
export interface LoadRequest {
  shape: LoadShape;
}

export interface LoadBatch {
  /** Event time at the start of the second this batch holds. */
  second: number;
  json: string;
  presentViewers: number;
}

const port = parentPort;
if (port === null) throw new Error('load-worker must run in a worker thread');
const { shape } = workerData as LoadRequest;
const load = new LoadGenerator(shape);
port.postMessage({ t0: load.t0 });
port.on('message', (count: number) => {
  for (let i = 0; i < count; i++) {
    const second = load.now;
    const json = JSON.stringify(load.nextSecond());
    const batch: LoadBatch = { second, json, presentViewers: load.presentViewers() };
    port.postMessage(batch);
  }
});

/**
 * How long one hostile event holds the event loop in validation (issue 12
 * defect 4): the median of several runs per shape, next to the rule it
 * replaced (`[...text].length`, twice) for the huge comment.
 *
 *   npm run bench:validation
 */
import { validateEvent } from '../../src/events/event.schema.js';

const base = { id: 'e1', type: 'comment', roomId: 'room-1', streamId: 'stream-1', ts: 1_764_000_000_000, accountId: 'acct-1' };
const HUGE_EMOJI = '😀'.repeat(3_700_000); // a 15 MB socket.io frame
const shapes: Array<[string, Record<string, unknown>]> = [
  ['ordinary comment', { ...base, text: '老铁双击 666' }],
  ['500-emoji comment (the maximum)', { ...base, text: '😀'.repeat(500) }],
  ['3.7M-emoji comment', { ...base, text: HUGE_EMOJI }],
  ['8M-character roomId', { ...base, text: 'hi', roomId: 'r'.repeat(8_000_000) }],
  ['3.7M-emoji accountId', { ...base, text: 'hi', accountId: HUGE_EMOJI }],
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(run: () => unknown, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

for (const [name, event] of shapes) {
  const outcome = validateEvent(event);
  const ms = time(() => validateEvent(event), 9);
  console.log(`${name.padEnd(34)} ${ms.toFixed(3).padStart(9)} ms  ${outcome.ok ? 'accepted' : outcome.error}`);
}
const before = time(() => [...HUGE_EMOJI].length <= 500 && [...HUGE_EMOJI].length > 0, 3);
console.log(`${'the old rule on the 3.7M-emoji text'.padEnd(34)} ${before.toFixed(3).padStart(9)} ms  ([...text].length, twice)`);

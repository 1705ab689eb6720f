import cliProgress from 'cli-progress';
import type { RoomEvent } from '../../src/events/event.schema.js';
import { generateEvening, type SimulatedEvening } from './generator.js';
import { sendEvents, type LaneOptions, type SendOptions, type SendSummary } from './sender.js';

/** Pieces the simulate, eval and demo commands share: option parsing, the progress bar, tables. */

export function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`--${name}: must be an integer ≥ ${min}, got "${value}"`);
  return parsed;
}

export function numberOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name}: must be a number ≥ ${min}, got "${value}"`);
  return parsed;
}

/** The delivery flags `simulate` and `eval` share, for their usage text. */
export const DELIVERY_USAGE = `  --lanes N          deliver over N connections, each carrying its rooms (by room hash)
                     in ts order plus 0-3 s jitter, as fast as acks allow
  --lane-skew-hours H  hold each lane H hours of event time behind the one before it
  --jitter-ms MS     per-event jitter inside a lane (default 3000)
  --ordered          one stream of batches in global ts order instead of lanes`;

export const DELIVERY_OPTIONS = {
  lanes: { type: 'string' },
  'lane-skew-hours': { type: 'string' },
  'jitter-ms': { type: 'string' },
  ordered: { type: 'boolean' },
} as const;

/**
 * Lane settings from the delivery flags, or null for the ordered sender.
 * `defaults.lanes` 0 means ordered unless --lanes is given.
 */
export function laneOptions(
  values: { lanes?: string; 'lane-skew-hours'?: string; 'jitter-ms'?: string; ordered?: boolean },
  defaults: { lanes: number; skewHours: number; seed: number },
): LaneOptions | null {
  if (values.ordered) {
    if (values.lanes !== undefined) throw new Error('--ordered and --lanes exclude each other');
    return null;
  }
  const count = intOption(values.lanes, 'lanes', defaults.lanes, 0);
  if (count === 0) return null;
  return {
    count,
    skewMs: numberOption(values['lane-skew-hours'], 'lane-skew-hours', defaults.skewHours) * 3_600_000,
    jitterMs: intOption(values['jitter-ms'], 'jitter-ms', 3_000),
    seed: defaults.seed,
  };
}

export function describeDelivery(lanes: LaneOptions | null): string {
  if (!lanes) return 'one connection in global ts order';
  return `${lanes.count} lanes by room hash, ${(lanes.jitterMs ?? 3_000) / 1000} s jitter, ${((lanes.skewMs ?? 0) / 3_600_000).toFixed(1)} h skew between lanes`;
}

export function generateWithTiming(options: { seed: number; rooms: number; attackShare?: number; audienceScale?: number }): { evening: SimulatedEvening; ms: number } {
  const started = Date.now();
  const evening = generateEvening(options);
  return { evening, ms: Date.now() - started };
}

export async function sendWithProgressBar(events: readonly RoomEvent[], options: Omit<SendOptions, 'onProgress'>): Promise<SendSummary> {
  if (!process.stdout.isTTY) return sendWithProgressLines(events, options);
  const bar = new cliProgress.SingleBar(
    {
      format: ' sending {bar} {percentage}% | {value}/{total} events | {speed} ev/s | {duration_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(events.length, 0, { speed: 0 });
  try {
    return await sendEvents(events, {
      ...options,
      onProgress: (sent) => bar.update(sent, { speed: Math.round(sent / Math.max(0.001, (Date.now() - started) / 1000)) }),
    });
  } finally {
    bar.stop();
  }
}

/** Without a terminal (output to a file or a pipe): a line every 10 % or 10 s, never silence. */
async function sendWithProgressLines(events: readonly RoomEvent[], options: Omit<SendOptions, 'onProgress'>): Promise<SendSummary> {
  const started = Date.now();
  let lastPrinted = started;
  let lastDecile = 0;
  return sendEvents(events, {
    ...options,
    onProgress: (sent) => {
      const decile = Math.floor((sent / Math.max(1, events.length)) * 10);
      const now = Date.now();
      if (decile <= lastDecile && now - lastPrinted < 10_000) return;
      lastDecile = Math.max(lastDecile, decile);
      lastPrinted = now;
      const rate = Math.round(sent / Math.max(0.001, (now - started) / 1000));
      const share = Math.floor((sent / Math.max(1, events.length)) * 100);
      process.stdout.write(`  sent ${sent.toLocaleString('en-US')}/${events.length.toLocaleString('en-US')} events (${share} %, ${rate.toLocaleString('en-US')} ev/s)\n`);
    },
  });
}

export function formatSendSummary(summary: SendSummary): string[] {
  const lines = [
    `sent ${summary.events.toLocaleString('en-US')} events in ${summary.batches.toLocaleString('en-US')} batches, ${(summary.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(summary.events / Math.max(0.001, summary.elapsedMs / 1000)).toLocaleString('en-US')} ev/s), ${summary.retries} retried batches`,
    `accepted ${summary.accepted.toLocaleString('en-US')}, duplicates ${summary.duplicates.toLocaleString('en-US')}, rejected ${summary.rejected.toLocaleString('en-US')}`,
  ];
  for (const sample of summary.rejectedSamples) lines.push(`  rejected ${sample.id ?? '(no id)'}: ${sample.error}`);
  return lines;
}

export function ratio(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

/** A plain aligned text table: numbers right-aligned, text left-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => [...(row[column] ?? '')].length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number' || /^[-\d.%]+$/.test(String(row[column]))));
  const render = (row: readonly string[]): string =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat(Math.max(0, (widths[column] ?? 0) - [...cell].length));
        return numeric[column] ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [render(cells[0] ?? []), widths.map((width) => '─'.repeat(width)).join('  '), ...cells.slice(1).map(render)];
}

import { Inject, Injectable } from '@nestjs/common';
import { type BatchStream, streamsOfBatch } from '../../state/streams/batch-streams.js';
import { StreamDirectory } from '../../state/streams/stream-directory.js';
import { type BatchContext, ContextSlot, type StateStage } from '../stage.js';

/** Each stream the batch names, with its boundaries: derived here once, read by every later stage. */
export const BATCH_STREAMS = new ContextSlot<ReadonlyMap<string, BatchStream>>('batch streams', 'streams');

/**
 * First of all: what the batch says about each stream (start, end, clock,
 * log span), stored in the streams directory (restart replay, merchant
 * scoping) and left in the context for the ledger detectors.
 */
@Injectable()
export class StreamsStage implements StateStage {
  readonly kind = 'state';
  readonly name = 'streams';

  constructor(@Inject(StreamDirectory) private readonly directory: Pick<StreamDirectory, 'record'>) {}

  async run(context: BatchContext): Promise<void> {
    const streams = streamsOfBatch(context.events);
    await this.directory.record(streams);
    context.set(BATCH_STREAMS, streams);
  }
}

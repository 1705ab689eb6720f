import { Injectable } from '@nestjs/common';
import type { BatchStream } from './batch-streams.js';
import { StreamRepository } from './stream.repository.js';

/**
 * Keeps one row per stream: who owns it (merchant scoping of the sales
 * audit), when it ran, and where its events start in the log (restart replay).
 */
@Injectable()
export class StreamDirectory {
  constructor(private readonly streams: StreamRepository) {}

  /** Folds what a batch said about its streams into their rows (streamsOfBatch derives it). */
  async record(streams: ReadonlyMap<string, BatchStream>): Promise<void> {
    await this.streams.record([...streams.values()]);
  }
}

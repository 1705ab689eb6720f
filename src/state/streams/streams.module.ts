import { Module } from '@nestjs/common';
import { StreamRepository } from './stream.repository.js';

/** The streams table's owner: the directory writes it, the audit and the console read it, all through StreamRepository. */
@Module({
  providers: [StreamRepository],
  exports: [StreamRepository],
})
export class StreamsModule {}

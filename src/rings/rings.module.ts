import { Module } from '@nestjs/common';
import { RingGraphRepository } from './ring-graph.repository.js';

/**
 * Linked-account rings: the owner of the association graph's tables. The
 * pipeline's rings stage writes them; decisions and the console read ring
 * membership through RingGraphRepository.ringOf.
 */
@Module({
  providers: [RingGraphRepository],
  exports: [RingGraphRepository],
})
export class RingsModule {}

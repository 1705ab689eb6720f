import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { StatusController } from './status.controller.js';
import { StatusRegistry } from './status.registry.js';

@Global()
@Module({ controllers: [StatusController], providers: [StatusRegistry], exports: [StatusRegistry] })
export class StatusModule implements OnModuleInit {
  constructor(private readonly registry: StatusRegistry) {}

  /** The process's memory, for operators: how a test or a person sees a connection's cost without a profiler. */
  onModuleInit(): void {
    this.registry.register(
      'process',
      () => {
        const memory = process.memoryUsage();
        return {
          backlog: 0,
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          heapTotalBytes: memory.heapTotal,
          externalBytes: memory.external,
          arrayBuffersBytes: memory.arrayBuffers,
        };
      },
      'operator',
    );
  }
}

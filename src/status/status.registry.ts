import { Injectable } from '@nestjs/common';

/** One component's share of the work accepted but not yet done. */
export interface StatusPart {
  /** Items accepted and not yet fully processed (events, jobs). */
  backlog: number;
  [detail: string]: unknown;
}

type StatusProbe = () => StatusPart | Promise<StatusPart>;

/**
 * Components register how much work they hold; `GET /v1/status` sums it. A
 * registry rather than a service that imports every module, so the status
 * endpoint does not have to know the feature modules.
 */
@Injectable()
export class StatusRegistry {
  private readonly probes = new Map<string, StatusProbe>();

  register(name: string, probe: StatusProbe): void {
    this.probes.set(name, probe);
  }

  /** One component's part, or undefined when nothing registered under that name. */
  async part(name: string): Promise<StatusPart | undefined> {
    return this.probes.get(name)?.();
  }

  async snapshot(): Promise<{ backlog: number; components: Record<string, StatusPart> }> {
    const components: Record<string, StatusPart> = {};
    let backlog = 0;
    for (const [name, probe] of this.probes) {
      const part = await probe();
      components[name] = part;
      backlog += part.backlog;
    }
    return { backlog, components };
  }
}

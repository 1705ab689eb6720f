import { Injectable } from '@nestjs/common';

/** One component's share of the work accepted but not yet done. */
export interface StatusPart {
  /** Items accepted and not yet fully processed (events, jobs). */
  backlog: number;
  /** Detail for the operator and reviewers only (internal error text): left out of the public answer. */
  restricted?: Record<string, unknown>;
  [detail: string]: unknown;
}

type StatusProbe = () => StatusPart | Promise<StatusPart>;

/** Who reads the status: anyone (load balancers, the demo), or an admin or reviewer key. */
export type StatusAudience = 'public' | 'operator';

/**
 * Components register how much work they hold; `GET /v1/status` sums it. A
 * registry rather than a service that imports every module, so the status
 * endpoint does not have to know the feature modules.
 */
@Injectable()
export class StatusRegistry {
  private readonly probes = new Map<string, { probe: StatusProbe; audience: StatusAudience }>();

  /** An `operator` component is shown to admin and reviewer keys only; its backlog always counts. */
  register(name: string, probe: StatusProbe, audience: StatusAudience = 'public'): void {
    this.probes.set(name, { probe, audience });
  }

  /** One component's part as an operator sees it, or undefined when nothing registered under that name. */
  async part(name: string): Promise<StatusPart | undefined> {
    const entry = this.probes.get(name);
    if (!entry) return undefined;
    const { restricted, ...part } = await entry.probe();
    return { ...part, ...restricted };
  }

  async snapshot(audience: StatusAudience = 'public'): Promise<{ backlog: number; components: Record<string, StatusPart> }> {
    const components: Record<string, StatusPart> = {};
    let backlog = 0;
    for (const [name, entry] of this.probes) {
      const { restricted, ...part } = await entry.probe();
      backlog += part.backlog;
      if (audience === 'operator') components[name] = { ...part, ...restricted };
      else if (entry.audience === 'public') components[name] = part;
    }
    return { backlog, components };
  }
}

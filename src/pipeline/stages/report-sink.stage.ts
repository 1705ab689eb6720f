import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Finding, findingKey } from '../../detection/engine/finding.js';
import { isDependencyError } from '../dependency-error.js';
import type { SinkStage } from '../stage.js';

/** Where findings go: the report store provides it, and checks them (one place for it). */
export interface FindingSink {
  applyFindings(findings: Finding[]): Promise<void>;
}
export const FINDING_SINK = Symbol('FINDING_SINK');

/**
 * Last: the batch's findings into the report store. A finding the store
 * refuses for anything but an outage, a malformed one (a detector bug)
 * included, is dropped loudly, so it cannot stall detection for every room.
 * An outage throws, and the batch comes again.
 */
@Injectable()
export class ReportSinkStage implements SinkStage {
  readonly kind = 'sink';
  readonly name = 'report store';
  private readonly logger = new Logger(ReportSinkStage.name);

  constructor(@Inject(FINDING_SINK) private readonly sink: FindingSink) {}

  async store(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    try {
      await this.sink.applyFindings([...findings]);
    } catch (error) {
      if (isDependencyError(error)) throw error;
      for (const finding of findings) {
        try {
          await this.sink.applyFindings([finding]);
        } catch (single) {
          if (isDependencyError(single)) throw single;
          this.logger.error(`dropped finding ${findingKey(finding)}: the report store refused it: ${(single as Error).message}`);
        }
      }
    }
  }
}

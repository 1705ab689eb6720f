import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { ApiKeysService } from '../platform/auth/api-keys.service.js';
import { FailedAuthLimiter } from '../platform/auth/failed-auth-limiter.js';
import { KeyRevocations } from '../platform/auth/key-revocations.js';
import { keyHandshake } from '../platform/auth/socket-handshake.js';
import type { Principal } from '../platform/auth/principal.js';
import { WriteBudget } from '../platform/socket-write-budget.js';
import { ReportEvents } from './report-events.js';

/**
 * Pushes one reviewer connection may leave unread before it is dropped: a
 * console that stops reading (a frozen tab) would otherwise keep every
 * report pushed to it in this process. Far above what a burst of reports
 * queues for a console that reads, since a burst can arrive within one tick.
 */
const MAX_UNREAD_PUSHES = 10_000;
const MAX_UNREAD_PUSH_BYTES = 16 * 1024 * 1024;

interface ReviewSocketData {
  principal: Principal;
  pushes: WriteBudget;
}

/**
 * The reviewers' console feed: `report.created` and `report.updated` with the
 * report (CONTRACT.md §3), and `report.claim` (extension) when a reviewer
 * claims or releases one.
 */
@WebSocketGateway({ namespace: '/reviews' })
export class ReviewsGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger(ReviewsGateway.name);
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly failures: FailedAuthLimiter,
    private readonly revocations: KeyRevocations,
    private readonly reportEvents: ReportEvents,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use(
      keyHandshake({
        namespace: '/reviews',
        role: 'reviewer',
        apiKeys: this.apiKeys,
        failures: this.failures,
        logger: this.logger,
        accept: (socket, principal) => {
          const pushes = new WriteBudget(socket, { maxPackets: MAX_UNREAD_PUSHES, maxBytes: MAX_UNREAD_PUSH_BYTES });
          const data: ReviewSocketData = { principal, pushes };
          socket.data = data;
        },
      }),
    );
    this.unsubscribe.push(
      this.revocations.onRevoked((keyId) => {
        for (const socket of namespace.sockets.values()) {
          if ((socket.data as ReviewSocketData).principal?.keyId === keyId) socket.disconnect(true);
        }
      }),
      this.reportEvents.on(({ event, report }) => {
        const bytes = JSON.stringify(report).length;
        for (const socket of namespace.sockets.values()) {
          const data = socket.data as ReviewSocketData;
          if (!data.pushes.spend(bytes)) this.logger.warn(`dropped reviews connection ${socket.id} (key ${data.principal.keyId}): its console left more than ${MAX_UNREAD_PUSHES} pushes or ${MAX_UNREAD_PUSH_BYTES} bytes unread`);
        }
        namespace.emit(event, report);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
  }
}

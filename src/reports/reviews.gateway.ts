import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.js';
import { KeyRevocations } from '../auth/key-revocations.js';
import { keyHandshake } from '../auth/socket-handshake.js';
import type { Principal } from '../auth/principal.js';
import { ReportEvents } from './report-events.js';

interface ReviewSocketData {
  principal: Principal;
}

/** The reviewers' console feed: `report.created` and `report.updated` with the report (CONTRACT.md §3). */
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
          const data: ReviewSocketData = { principal };
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
      this.reportEvents.on(({ event, report }) => namespace.emit(event, report)),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
  }
}

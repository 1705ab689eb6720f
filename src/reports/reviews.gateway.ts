import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { KeyRevocations } from '../auth/key-revocations.js';
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
    private readonly revocations: KeyRevocations,
    private readonly reportEvents: ReportEvents,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.apiKeys
        .authenticate(typeof token === 'string' ? token : undefined)
        .then((principal) => {
          if (!principal || principal.role !== 'reviewer') return next(new Error('unauthorized'));
          const data: ReviewSocketData = { principal };
          socket.data = data;
          next();
        })
        .catch((error: Error) => {
          this.logger.warn(`reviews handshake failed: ${error.message}`);
          next(new Error('unavailable'));
        });
    });
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

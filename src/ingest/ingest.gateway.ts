import { Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { KeyRevocations } from '../auth/key-revocations.js';
import type { Principal } from '../auth/principal.js';
import { StorageUnavailableError } from './event-log.writer.js';
import { type IngestAck, IngestRequestError, IngestService } from './ingest.service.js';

/**
 * Unacknowledged batches one connection may have in flight. Past it a send is
 * refused with a retryable error rather than buffered: a client that ignores
 * acks cannot grow our memory.
 */
const MAX_IN_FLIGHT_PER_SOCKET = 32;

/** The ack of a send that stored nothing; `retryable` tells the client to send it again. */
export type IngestFailure = IngestAck & { error: { code: string; message: string; retryable: boolean } };

interface IngestSocketData {
  principal: Principal;
  inFlight: number;
}

@WebSocketGateway({ namespace: '/ingest' })
export class IngestGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger(IngestGateway.name);
  private namespace!: Namespace;
  private stopListening?: () => void;

  constructor(
    private readonly ingest: IngestService,
    private readonly apiKeys: ApiKeysService,
    private readonly revocations: KeyRevocations,
  ) {}

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.apiKeys
        .authenticate(typeof token === 'string' ? token : undefined)
        .then((principal) => {
          if (!principal || principal.role !== 'ingest') return next(new Error('unauthorized'));
          const data: IngestSocketData = { principal, inFlight: 0 };
          socket.data = data;
          next();
        })
        .catch((error: Error) => {
          this.logger.warn(`ingest handshake failed: ${error.message}`);
          next(new Error('unavailable'));
        });
    });
    this.stopListening = this.revocations.onRevoked((keyId) => {
      for (const socket of this.namespace.sockets.values()) {
        if ((socket.data as IngestSocketData).principal?.keyId === keyId) socket.disconnect(true);
      }
    });
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  @SubscribeMessage('events')
  async receive(@ConnectedSocket() socket: Socket, @MessageBody() payload: unknown): Promise<IngestAck | IngestFailure> {
    const data = socket.data as IngestSocketData;
    if (data.inFlight >= MAX_IN_FLIGHT_PER_SOCKET) {
      return failure('overloaded', `too many unacknowledged batches on this connection (max ${MAX_IN_FLIGHT_PER_SOCKET}); wait for acks and retry`, true);
    }
    data.inFlight++;
    try {
      return await this.ingest.ingest(payload);
    } catch (error) {
      if (error instanceof IngestRequestError) return failure('invalid_batch', error.message, false);
      if (error instanceof StorageUnavailableError) return failure('storage_unavailable', error.message, true);
      this.logger.error(`ingest failed: ${(error as Error).stack ?? String(error)}`);
      return failure('internal', 'internal error, nothing was stored; retry', true);
    } finally {
      data.inFlight--;
    }
  }
}

function failure(code: string, message: string, retryable: boolean): IngestFailure {
  return { accepted: 0, duplicates: 0, rejected: [], error: { code, message, retryable } };
}

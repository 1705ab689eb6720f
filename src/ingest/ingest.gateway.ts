import { Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { ApiKeysService } from '../platform/auth/api-keys.service.js';
import { FailedAuthLimiter } from '../platform/auth/failed-auth-limiter.js';
import { KeyRevocations } from '../platform/auth/key-revocations.js';
import { keyHandshake } from '../platform/auth/socket-handshake.js';
import type { Principal } from '../platform/auth/principal.js';
import { WriteBudget } from '../platform/socket-write-budget.js';
import { StatusRegistry } from '../platform/status/status.registry.js';
import { StorageUnavailableError } from '../log/event-log.writer.js';
import { type IngestAck, IngestRequestError, IngestService } from './ingest.service.js';

/**
 * Sends one connection may have unanswered: being stored, or answered with an
 * ack not yet written to the client. Past it a send is refused with a
 * retryable error rather than worked on, valid or not.
 */
const MAX_IN_FLIGHT_PER_SOCKET = 32;

/**
 * A connection whose acks pile up unwritten (a client that stopped reading)
 * is dropped past either bound: the acks it has not read are memory we hold.
 * 128 acks is four times what a client that waits for its acks can have; 4 MiB
 * is 100 acks of 1000 rejected events each.
 */
const MAX_UNWRITTEN_ACKS = 4 * MAX_IN_FLIGHT_PER_SOCKET;
const MAX_UNWRITTEN_ACK_BYTES = 4 * 1024 * 1024;

/** The ack of a send that stored nothing; `retryable` tells the client to send it again. */
export type IngestFailure = IngestAck & { error: { code: string; message: string; retryable: boolean } };

interface IngestSocketData {
  principal: Principal;
  /** Sends being validated and stored. */
  inFlight: number;
  /** Acks handed to the transport and not yet written to the client. */
  acks: WriteBudget;
}

@WebSocketGateway({ namespace: '/ingest' })
export class IngestGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger(IngestGateway.name);
  private namespace!: Namespace;
  private stopListening?: () => void;
  private slowConsumersDropped = 0;

  constructor(
    private readonly ingest: IngestService,
    private readonly apiKeys: ApiKeysService,
    private readonly failures: FailedAuthLimiter,
    private readonly revocations: KeyRevocations,
    private readonly status: StatusRegistry,
  ) {}

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    this.status.register('ingestConnections', () => ({
      backlog: 0,
      connected: namespace.sockets.size,
      slowConsumersDropped: this.slowConsumersDropped,
    }));
    namespace.use(
      keyHandshake({
        namespace: '/ingest',
        role: 'ingest',
        apiKeys: this.apiKeys,
        failures: this.failures,
        logger: this.logger,
        accept: (socket, principal) => {
          const acks = new WriteBudget(socket, { maxPackets: MAX_UNWRITTEN_ACKS, maxBytes: MAX_UNWRITTEN_ACK_BYTES });
          const data: IngestSocketData = { principal, inFlight: 0, acks };
          socket.data = data;
        },
      }),
    );
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
  async receive(@ConnectedSocket() socket: Socket, @MessageBody() payload: unknown): Promise<IngestAck | IngestFailure | undefined> {
    const data = socket.data as IngestSocketData;
    // A connection dropped for not reading may still have frames parsed; they get no work.
    if (data.acks.dropped) return undefined;
    let ack: IngestAck | IngestFailure;
    if (data.inFlight + data.acks.unwrittenPackets() >= MAX_IN_FLIGHT_PER_SOCKET) {
      ack = failure('overloaded', `too many unacknowledged batches on this connection (max ${MAX_IN_FLIGHT_PER_SOCKET}); wait for acks and retry`, true);
    } else {
      data.inFlight++;
      try {
        ack = await this.ingest.ingest(payload);
      } catch (error) {
        ack = this.failureOf(error);
      } finally {
        data.inFlight--;
      }
    }
    if (data.acks.dropped) return undefined;
    const unwritten = data.acks.unwrittenBytes();
    if (!data.acks.spend(approximateAckBytes(ack))) {
      this.slowConsumersDropped++;
      this.logger.warn(`dropped ingest connection ${socket.id} (key ${data.principal.keyId}): its client left ${unwritten} bytes of acks unread`);
      return undefined;
    }
    return ack;
  }

  private failureOf(error: unknown): IngestFailure {
    if (error instanceof IngestRequestError) return failure('invalid_batch', error.message, false);
    if (error instanceof StorageUnavailableError) return failure('storage_unavailable', error.message, true);
    this.logger.error(`ingest failed: ${(error as Error).stack ?? String(error)}`);
    return failure('internal', 'internal error, nothing was stored; retry', true);
  }
}

/** An ack's JSON size, near enough to bound memory, without serialising it twice. */
function approximateAckBytes(ack: IngestAck | IngestFailure): number {
  let bytes = 64 + ('error' in ack ? ack.error.message.length : 0);
  for (const rejection of ack.rejected) bytes += 32 + rejection.error.length + (rejection.id?.length ?? 0);
  return bytes;
}

function failure(code: string, message: string, retryable: boolean): IngestFailure {
  return { accepted: 0, duplicates: 0, rejected: [], error: { code, message, retryable } };
}

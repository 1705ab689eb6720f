import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/**
 * A full batch is 1000 events of up to a few KB; frames above this are cut by
 * the transport. Batches over 1000 events are refused by ingest with a clear
 * error instead, so a sender learns the limit without losing its connection.
 */
export const MAX_SOCKET_FRAME_BYTES = 16 * 1024 * 1024;

export class RoomwatchIoAdapter extends IoAdapter {
  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, { ...options, maxHttpBufferSize: MAX_SOCKET_FRAME_BYTES } as ServerOptions) as Server;
    // Only the keyed namespaces (/ingest, /reviews) serve anyone; the root one
    // would otherwise accept any connection without a key.
    server.of('/').use((_socket, next) => next(new Error('unauthorized: connect to /ingest or /reviews with a key')));
    return server;
  }
}

import type { Socket } from 'socket.io';

/**
 * What one socket.io connection has been handed to write and its client has
 * not taken yet. A client that stops reading leaves its packets in this
 * process (engine.io's write buffer, the TCP socket's), so every gateway that
 * writes to clients counts them and drops the connection past a bound.
 */
export class WriteBudget {
  private packets = 0;
  private bytes = 0;
  private exhausted = false;

  constructor(
    private readonly socket: Socket,
    private readonly limits: { maxPackets: number; maxBytes: number },
  ) {}

  /** Packets handed to the transport since it last finished writing. */
  unwrittenPackets(): number {
    this.settle();
    return this.packets;
  }

  unwrittenBytes(): number {
    this.settle();
    return this.bytes;
  }

  /** True once the connection went over budget and was dropped: ignore anything it still sends. */
  get dropped(): boolean {
    return this.exhausted;
  }

  /** Counts one packet about to be written; false, and the connection dropped, when that takes it over either bound. */
  spend(bytes: number): boolean {
    if (this.exhausted) return false;
    this.settle();
    this.packets++;
    this.bytes += bytes;
    if (this.packets <= this.limits.maxPackets && this.bytes <= this.limits.maxBytes) return true;
    this.exhausted = true;
    dropConnection(this.socket);
    return false;
  }

  /** A writable transport has written every packet it was given: nothing is pending any more. */
  private settle(): void {
    if (this.socket.conn.transport.writable) {
      this.packets = 0;
      this.bytes = 0;
    }
  }
}

/**
 * Closes a connection whose client stopped reading. A plain disconnect would
 * wait for the write buffer to drain, which never happens; `close(true)`
 * discards the transport, and destroying a direct websocket's TCP socket frees
 * the frames it still holds now rather than after ws's 30 s close timeout.
 */
export function dropConnection(socket: Socket): void {
  const connection = socket.conn;
  const tcp = connection.transport.name === 'websocket' && !connection.upgraded ? connection.request.socket : undefined;
  connection.close(true);
  tcp?.destroy();
}

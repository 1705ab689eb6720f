import { io, type Socket } from 'socket.io-client';

/** A connected socket.io client of the service, as a platform holds one: websocket only, no reconnection (a bench counts a lost connection as a failure). */
export function connectSocket(baseUrl: string, namespace: string, token: string): Promise<Socket> {
  const socket = io(`${baseUrl}${namespace}`, { auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

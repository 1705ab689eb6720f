/* global io */
import { session } from './api.js';

let socket = null;
const listeners = new Set();
const statusListeners = new Set();
let connected = false;

/** The reviewers' push feed on /reviews; one socket per tab, shared by the views. */
export function reviewFeed() {
  if (socket === null && typeof io !== 'undefined' && session.principal?.role === 'reviewer') {
    socket = io('/reviews', { auth: { token: session.key }, transports: ['websocket'] });
    const setStatus = (value) => {
      connected = value;
      for (const listener of statusListeners) listener(value);
    };
    socket.on('connect', () => setStatus(true));
    socket.on('disconnect', () => setStatus(false));
    socket.on('connect_error', () => setStatus(false));
    for (const event of ['report.created', 'report.updated', 'report.claim']) {
      socket.on(event, (report) => {
        for (const listener of listeners) listener(event, report);
      });
    }
  }
  return {
    get connected() {
      return connected;
    },
    /** @returns {() => void} unsubscribe */
    onReport(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
}

export function closeFeed() {
  socket?.disconnect();
  socket = null;
  connected = false;
  listeners.clear();
  statusListeners.clear();
}

import type { RoomEvent } from '../events/event.schema.js';

/**
 * How an event sits in the log: the fields every event has, in columns (for
 * indexes and replay), and its own fields as jsonb. Not repeating the columns
 * in the jsonb makes a row about a third smaller, and the append that much
 * faster.
 */
/** One row of the log as the writer sends it (keys are the column names). */
export interface StoredEventRow {
  seq: number;
  event_id: string;
  type: string;
  /** null for an event of no stream (v2 `account.registered`, a coupon claimed outside a room). */
  room_id: string | null;
  stream_id: string | null;
  account_id: string | null;
  ts: number;
  payload: Record<string, unknown>;
}

export function toStoredRow(event: RoomEvent, seq: number): StoredEventRow {
  const { id, type, roomId, streamId, accountId, ts, ...own } = event;
  return { seq, event_id: id, type, room_id: roomId ?? null, stream_id: streamId ?? null, account_id: accountId ?? null, ts, payload: own };
}

/** The row shape `SELECT seq, event_id, type, room_id, stream_id, account_id, ts, payload` returns. */
export interface StoredEventRecord {
  seq: string;
  event_id: string;
  type: string;
  room_id: string | null;
  stream_id: string | null;
  account_id: string | null;
  ts: string;
  payload: Record<string, unknown>;
}

export const STORED_EVENT_COLUMNS = 'seq, event_id, type, room_id, stream_id, account_id, ts, payload';

/** The validated event back from its row; it passed validation on the way in. */
export function fromStoredRecord(record: StoredEventRecord): RoomEvent {
  return {
    ...record.payload,
    id: record.event_id,
    type: record.type,
    ...(record.room_id !== null ? { roomId: record.room_id } : {}),
    ...(record.stream_id !== null ? { streamId: record.stream_id } : {}),
    ...(record.account_id !== null ? { accountId: record.account_id } : {}),
    ts: Number(record.ts),
  } as RoomEvent;
}

import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../platform/database/database.module.js';
import type { SaleOpened } from '../../events/event.schema.js';

/** One `sale.opened` as stored: a flash sale or limited purchase of one SKU in one stream. */
export interface SaleOpening {
  eventId: string;
  streamId: string;
  roomId: string;
  skuId: string;
  salePrice: number;
  listPrice: number;
  currency: string;
  stock: number;
  perAccountLimit: number | null;
  /** The official opening (the event's ts): an order of the SKU with an earlier ts was placed before the sale opened. */
  opensAt: number;
  seq: number;
}

interface SaleOpeningRow {
  event_id: string;
  stream_id: string;
  room_id: string;
  sku_id: string;
  sale_price: string;
  list_price: string;
  currency: string;
  stock: string;
  per_account_limit: number | null;
  opens_at: string;
  seq: string;
}

const COLUMNS = 'event_id, stream_id, room_id, sku_id, sale_price, list_price, currency, stock, per_account_limit, opens_at, seq';

/**
 * `sale_openings` (migration 1764004500000-V2Events): every announcement is
 * kept, keyed by its event id, so a replayed batch writes nothing twice and a
 * SKU sold in several rounds (or an opening corrected by a later
 * announcement) keeps each one; readers choose the opening that applies.
 */
@Injectable()
export class SaleOpeningsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async record(openings: ReadonlyArray<{ seq: number; event: SaleOpened }>): Promise<void> {
    if (openings.length === 0) return;
    await this.pool.query(
      `INSERT INTO sale_openings (${COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
                            $8::bigint[], $9::int[], $10::bigint[], $11::bigint[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        openings.map(({ event }) => event.id),
        openings.map(({ event }) => event.streamId),
        openings.map(({ event }) => event.roomId),
        openings.map(({ event }) => event.skuId),
        openings.map(({ event }) => String(event.salePrice)),
        openings.map(({ event }) => String(event.listPrice)),
        openings.map(({ event }) => event.currency),
        openings.map(({ event }) => String(event.stock)),
        openings.map(({ event }) => event.perAccountLimit ?? null),
        openings.map(({ event }) => event.ts),
        openings.map(({ seq }) => seq),
      ],
    );
  }

  /** The openings of these streams, by stream, SKU and opening time. */
  async forStreams(streamIds: readonly string[]): Promise<SaleOpening[]> {
    if (streamIds.length === 0) return [];
    const result = await this.pool.query<SaleOpeningRow>(
      `SELECT ${COLUMNS} FROM sale_openings WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, sku_id, opens_at, seq`,
      [streamIds],
    );
    return result.rows.map(toOpening);
  }

  /** One SKU's openings in one stream, earliest opening first. */
  async forSku(streamId: string, skuId: string): Promise<SaleOpening[]> {
    const result = await this.pool.query<SaleOpeningRow>(
      `SELECT ${COLUMNS} FROM sale_openings WHERE stream_id = $1 AND sku_id = $2 ORDER BY opens_at, seq`,
      [streamId, skuId],
    );
    return result.rows.map(toOpening);
  }
}

function toOpening(row: SaleOpeningRow): SaleOpening {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    roomId: row.room_id,
    skuId: row.sku_id,
    // Bounded at ingest (EVENT_BOUNDS.money, .stock): exact as JSON numbers.
    salePrice: Number(row.sale_price),
    listPrice: Number(row.list_price),
    currency: row.currency,
    stock: Number(row.stock),
    perAccountLimit: row.per_account_limit,
    opensAt: Number(row.opens_at),
    seq: Number(row.seq),
  };
}

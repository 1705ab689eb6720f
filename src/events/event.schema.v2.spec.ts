import { advancesStreamClock, EVENT_BOUNDS, isStreamEvent, type RoomEvent, validateEvent } from './event.schema.js';

const TS = 1_764_000_000_000;
const inStream = { roomId: 'r1', streamId: 's1', ts: TS };

const saleOpened = { id: 'e-sale', type: 'sale.opened', ...inStream, skuId: 'sku-1', salePrice: 990, listPrice: 5_900, currency: 'CNY', stock: 200, perAccountLimit: 1 };
const couponInRoom = { id: 'e-coupon', type: 'coupon.claimed', ...inStream, accountId: 'a1', couponId: 'c-1', campaignId: 'camp-1', value: 2_000, minSpend: 10_000 };
const couponOffRoom = { id: 'e-coupon-2', type: 'coupon.claimed', ts: TS, accountId: 'a1', couponId: 'c-2', campaignId: 'camp-1', value: 2_000 };
const registered = { id: 'e-reg', type: 'account.registered', ts: TS, accountId: 'a1', phoneHash: 'ph-1', channel: 'spring-campaign', device: { model: 'M2012K11AC', cloudPhone: true } };
const order = {
  id: 'e-order',
  type: 'order.placed',
  ...inStream,
  accountId: 'a1',
  orderId: 'o-1',
  skuId: 'sku-1',
  quantity: 2,
  unitPrice: 5_000,
  listPrice: 5_900,
  currency: 'CNY',
};
const refund = { id: 'e-refund', type: 'order.refunded', ...inStream, accountId: 'a1', orderId: 'o-1', amount: 3_000 };

const errorOf = (input: unknown): string | null => {
  const result = validateEvent(input);
  return result.ok ? null : result.error;
};
const accepted = (input: unknown): RoomEvent => {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be valid, got ${result.error}`);
  return result.event;
};

describe('sale.opened (v2)', () => {
  it('accepts a flash sale with and without a per-account limit', () => {
    expect(accepted(saleOpened)).toEqual(saleOpened);
    const { perAccountLimit: _limit, ...unlimited } = saleOpened;
    expect(accepted(unlimited)).toEqual(unlimited);
  });

  it('names each bad field', () => {
    expect(errorOf({ ...saleOpened, stock: 0 })).toBe('stock: must be at least 1');
    expect(errorOf({ ...saleOpened, stock: EVENT_BOUNDS.stock + 1 })).toBe(`stock: must be at most ${EVENT_BOUNDS.stock}`);
    expect(errorOf({ ...saleOpened, perAccountLimit: 0 })).toBe('perAccountLimit: must be at least 1');
    expect(errorOf({ ...saleOpened, perAccountLimit: 1.5 })).toBe('perAccountLimit: must be an integer');
    expect(errorOf({ ...saleOpened, salePrice: EVENT_BOUNDS.money + 1 })).toBe(`salePrice: must be at most ${EVENT_BOUNDS.money}`);
    expect(errorOf({ ...saleOpened, listPrice: -1 })).toBe('listPrice: must be at least 0');
    expect(errorOf({ ...saleOpened, currency: 'yuan' })).toBe('currency: must be an ISO 4217 code such as CNY');
    const { skuId: _sku, ...noSku } = saleOpened;
    expect(errorOf(noSku)).toBe('skuId: is required');
  });

  it('belongs to a stream, like every v1 type', () => {
    const { roomId: _room, ...noRoom } = saleOpened;
    expect(errorOf(noRoom)).toBe('roomId: is required');
  });
});

describe('coupon.claimed (v2)', () => {
  it('accepts a claim in a room and one outside any room', () => {
    expect(isStreamEvent(accepted(couponInRoom))).toBe(true);
    const offRoom = accepted(couponOffRoom);
    expect(offRoom).toEqual(couponOffRoom);
    expect(isStreamEvent(offRoom)).toBe(false);
  });

  it('takes roomId and streamId together or not at all, naming the one missing', () => {
    const { streamId: _stream, ...roomOnly } = couponInRoom;
    const { roomId: _room, ...streamOnly } = couponInRoom;
    expect(errorOf(roomOnly)).toBe('streamId: is required with roomId (they come together or not at all)');
    expect(errorOf(streamOnly)).toBe('roomId: is required with streamId (they come together or not at all)');
  });

  it('names each bad field', () => {
    expect(errorOf({ ...couponOffRoom, value: EVENT_BOUNDS.couponValue + 1 })).toBe(`value: must be at most ${EVENT_BOUNDS.couponValue}`);
    expect(errorOf({ ...couponOffRoom, value: -5 })).toBe('value: must be at least 0');
    expect(errorOf({ ...couponOffRoom, minSpend: EVENT_BOUNDS.orderValue + 1 })).toBe(`minSpend: must be at most ${EVENT_BOUNDS.orderValue}`);
    const { couponId: _coupon, ...noCoupon } = couponOffRoom;
    expect(errorOf(noCoupon)).toBe('couponId: is required');
    const { campaignId: _campaign, ...noCampaign } = couponOffRoom;
    expect(errorOf(noCampaign)).toBe('campaignId: is required');
    const { accountId: _account, ...noAccount } = couponOffRoom;
    expect(errorOf(noAccount)).toBe('accountId: is required');
    expect(errorOf({ ...couponOffRoom, device: { multiInstance: 'yes' } })).toBe('device.multiInstance: must be a boolean, got string');
  });
});

describe('account.registered (v2)', () => {
  it('accepts a registration with its phone, channel and device', () => {
    const event = accepted(registered);
    expect(event).toEqual(registered);
    expect(isStreamEvent(event)).toBe(false);
    expect(accepted({ id: 'e-min', type: 'account.registered', ts: TS, accountId: 'a2' })).toMatchObject({ accountId: 'a2' });
  });

  it('refuses a room or stream, naming it: a registration belongs to no room', () => {
    expect(errorOf({ ...registered, roomId: 'r1' })).toBe('roomId: must not be set: account.registered belongs to no room');
    expect(errorOf({ ...registered, streamId: 's1' })).toBe('streamId: must not be set: account.registered belongs to no room');
  });

  it('names each bad field', () => {
    const { accountId: _account, ...noAccount } = registered;
    expect(errorOf(noAccount)).toBe('accountId: is required');
    expect(errorOf({ ...registered, channel: '' })).toBe('channel: must not be empty');
    expect(errorOf({ ...registered, phoneHash: 'x'.repeat(129) })).toBe('phoneHash: must be at most 128 characters');
    expect(errorOf({ ...registered, device: { hooked: 1 } })).toBe('device.hooked: must be a boolean, got number');
    expect(errorOf({ ...registered, ts: -1 })).toBe('ts: must be at least 0');
  });
});

describe('v2 fields on v1 types', () => {
  it('takes the device flags on every device', () => {
    const device = { model: 'SM-G9910', os: 'Android 13', emulator: false, rooted: false, hooked: true, cloudPhone: false, multiInstance: true };
    expect(accepted({ id: 'j', type: 'viewer.joined', ...inStream, accountId: 'a1', device })).toMatchObject({ device });
    expect(accepted({ ...order, device })).toMatchObject({ device });
    expect(accepted({ ...couponOffRoom, device })).toMatchObject({ device });
    expect(accepted({ ...registered, device })).toMatchObject({ device });
    expect(errorOf({ id: 'j', type: 'viewer.joined', ...inStream, accountId: 'a1', device: { cloudPhone: 'true' } })).toBe(
      'device.cloudPhone: must be a boolean, got string',
    );
  });

  it('takes the v2 order fields, and a discount up to the order value', () => {
    const v2 = { couponId: 'c-1', discount: 2_000, recipientHash: 'rc-1', paymentAccountHash: 'pa-1', virtual: true, category: 'gift_card' };
    expect(accepted({ ...order, ...v2 })).toMatchObject(v2);
    expect(accepted({ ...order, discount: order.unitPrice * order.quantity })).toMatchObject({ discount: 10_000 });
    expect(errorOf({ ...order, discount: order.unitPrice * order.quantity + 1 })).toBe('discount: must be at most unitPrice × quantity');
    expect(errorOf({ ...order, discount: -1 })).toBe('discount: must be at least 0');
    expect(errorOf({ ...order, discount: EVENT_BOUNDS.money + 1 })).toMatch(/^discount: must be at most 10000000000/);
    expect(errorOf({ ...order, virtual: 'no' })).toBe('virtual: must be a boolean, got string');
    expect(errorOf({ ...order, category: '' })).toBe('category: must not be empty');
    expect(errorOf({ ...order, recipientHash: '' })).toBe('recipientHash: must not be empty');
    expect(errorOf({ ...order, paymentAccountHash: 7 })).toBe('paymentAccountHash: must be a string, got number');
  });

  it('takes returned and reason on a refund', () => {
    expect(accepted({ ...refund, returned: false, reason: 'spoiled on arrival' })).toMatchObject({ returned: false, reason: 'spoiled on arrival' });
    expect(errorOf({ ...refund, returned: 'no' })).toBe('returned: must be a boolean, got string');
    expect(errorOf({ ...refund, reason: '' })).toBe('reason: must not be empty');
    expect(errorOf({ ...refund, reason: 'r'.repeat(501) })).toBe('reason: must be at most 500 characters');
  });

  it('keeps every v1 event valid and in its stream, unchanged', () => {
    for (const v1 of [order, refund, { id: 'c', type: 'comment', ...inStream, accountId: 'a1', text: '666' }]) {
      const event = accepted(v1);
      expect(event).toEqual(v1);
      expect(isStreamEvent(event)).toBe(true);
      expect(advancesStreamClock(event)).toBe(true);
    }
  });
});

describe('stream clocks', () => {
  it('moves a stream clock by what happened, not by an announcement or an event of no stream', () => {
    expect(advancesStreamClock(accepted(saleOpened))).toBe(false);
    expect(advancesStreamClock(accepted(couponInRoom))).toBe(true);
    expect(advancesStreamClock(accepted(couponOffRoom))).toBe(false);
    expect(advancesStreamClock(accepted(registered))).toBe(false);
  });
});

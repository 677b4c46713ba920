import { describe, expect, it } from 'vitest';
import type { EventSubscriptionAuth } from '../../../shared/config';
import { receiveEvent, v3CodeOfEvent } from '../../../shared/tracking';
import { MemoryTracking, shippedOrder } from './fakes';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const PARCEL = 5001;

function setup(auth: EventSubscriptionAuth | undefined) {
  const memory = new MemoryTracking();
  memory.add(
    shippedOrder({ parcelId: PARCEL, createdAt: new Date(NOW.getTime() - 3_600_000).toISOString() }),
  );
  const deps = { ...memory.deps(() => NOW), eventAuth: async () => auth };
  const deliver = (headers: Record<string, string>, body: unknown = parcelEvent()) =>
    receiveEvent(
      {
        account: 'default',
        rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
        header: (name) =>
          Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
      },
      deps,
    );
  return { memory, deliver };
}

const parcelEvent = (phase = 'delivered', at = NOW.getTime() - 60_000) => ({
  event_type: 'parcels.event.created',
  data: {
    parcel: { parcel_id: PARCEL, carrier_code: 'postnl', tracking_number: null, announced_at: null },
    event: {
      event_type: 'carrier',
      timestamp: new Date(at).toISOString(),
      phase,
      exception: 'none',
      status_type: 'success',
      sub_status: 'none',
      something_new: { kept: true },
    },
  },
});

describe('event-subscription credentials', () => {
  it('basic: the exact base64 of username:password, scheme case-insensitive', async () => {
    const { deliver, memory } = setup({ auth: 'basic', username: 'sendcloud', password: 's3cret' });
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect(await deliver({ authorization: basic('sendcloud', 'wrong!') })).toEqual({
      status: 401,
      reason: 'bad_credentials',
    });
    expect(await deliver({ authorization: basic('other', 's3cret') })).toMatchObject({ status: 401 });
    expect(await deliver({ authorization: 'Bearer s3cret' })).toMatchObject({ status: 401 });
    expect(memory.history(PARCEL)).toEqual([]);
    expect(
      await deliver({ authorization: basic('sendcloud', 's3cret').replace('Basic', 'basic') }),
    ).toMatchObject({ status: 200, outcome: 'applied', parcelId: PARCEL });
  });

  it('api_key: the configured header, looked up case-insensitively', async () => {
    const { deliver } = setup({ auth: 'api_key', header: 'X-Api-Key', value: 'key-123' });
    expect(await deliver({ authorization: 'Bearer key-123' })).toMatchObject({ status: 401 });
    expect(await deliver({ 'x-api-key': 'key-12' })).toMatchObject({ status: 401 });
    expect(await deliver({ 'x-api-key': 'key-1234' })).toMatchObject({ status: 401 });
    expect(await deliver({ 'x-api-key': 'key-123' })).toMatchObject({ status: 200, outcome: 'applied' });
  });

  it('no eventSubscription: every delivery is refused, even one without credentials', async () => {
    const { deliver, memory } = setup(undefined);
    expect(await deliver({})).toEqual({ status: 401, reason: 'not_configured' });
    expect(await deliver({ authorization: 'Bearer anything' })).toEqual({
      status: 401,
      reason: 'not_configured',
    });
    expect(memory.history(PARCEL)).toEqual([]);
  });

  it('checks size before credentials, and credentials before reading the body', async () => {
    const { deliver } = setup({ auth: 'bearer', token: 't' });
    expect(await deliver({}, 'x'.repeat(300 * 1024))).toEqual({ status: 413, reason: 'too_large' });
    expect(await deliver({}, 'not json')).toEqual({ status: 401, reason: 'bad_credentials' });
    expect(await deliver({ authorization: 'Bearer t' }, 'not json')).toEqual({
      status: 400,
      reason: 'not_json',
    });
  });
});

describe('a parcel event becomes a status', () => {
  it('through statusFromV3, with the table message and the event timestamp as ordering key', async () => {
    const { deliver, memory } = setup({ auth: 'bearer', token: 't' });
    const at = NOW.getTime() - 60_000;
    expect(await deliver({ authorization: 'Bearer t' }, parcelEvent('delivered', at))).toMatchObject({
      outcome: 'applied',
    });
    expect(memory.history(PARCEL)).toEqual([
      expect.objectContaining({
        statusId: 11,
        message: 'Delivered',
        status: 'delivered',
        ts: at,
        carrierTimestamp: at,
        observedAt: new Date(at).toISOString(),
        source: 'webhook',
      }),
    ]);
    expect(memory.published.map((p) => p.detailType)).toEqual(['Parcel Status Changed']);
  });

  it('maps exceptions before phases, and phase none to no status', () => {
    const code = (phase: string, exception = 'none', sub_status = 'none') =>
      v3CodeOfEvent({ phase, exception, sub_status });
    expect(code('ready_to_send')).toBe('READY_TO_SEND');
    expect(code('in_transit')).toBe('SHIPMENT_ON_ROUTE');
    expect(code('in_delivery')).toBe('DRIVER_ON_ROUTE');
    expect(code('delivered')).toBe('DELIVERED');
    expect(code('delivered', 'none', 'pup')).toBe('COLLECTED_BY_CUSTOMER');
    expect(code('in_transit', 'returned_sender')).toBe('RETURNED_TO_SENDER');
    expect(code('announcing', 'announcement_failed')).toBe('ANNOUNCEMENT_FAILED');
    expect(code('in_transit', 'changed')).toBe('SHIPMENT_ON_ROUTE');
    expect(code('teleported')).toBe('UNKNOWN');
    expect(code('none')).toBeUndefined();
  });
});

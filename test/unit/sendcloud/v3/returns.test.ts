import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import { portFor, returnDraft, returnJson, T0 } from './factories';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const CREATE = /^\/api\/v3\/returns\/announce-synchronously$/;
const LIST = /^\/api\/v3\/returns$/;
const GET = /^\/api\/v3\/returns\/\d+$/;
const CREATED = { status: 201, json: { return_id: 12345, parcel_id: 67880, multi_collo_ids: [] } } as const;

describe('V3Port.announce for returns', () => {
  it('creates the return synchronously, then reads it for its tracking number and status', async () => {
    server.on('POST', CREATE, CREATED);
    server.on('GET', GET, { status: 200, json: returnJson() });
    const { port } = portFor(server);
    const outcome = await port.announce(returnDraft());
    expect(outcome).toMatchObject({
      outcome: 'announced',
      reconciled: false,
      shipment: {
        id: '12345',
        externalReference: 'return:WEB-10001:1',
        carrier: 'postnl',
        method: 'postnl:standard/return',
        parcels: [
          {
            id: 67880,
            trackingNumber: 'JVGL1234567800001339',
            status: { id: 1000, code: 'READY_TO_SEND' },
          },
        ],
      },
    });
    expect(server.requests.find((r) => GET.test(r.url.pathname))?.url.pathname).toBe('/api/v3/returns/12345');
  });

  it('a created return whose details cannot be read yet is still announced, by its ids', async () => {
    server.on('POST', CREATE, CREATED);
    server.on('GET', GET, { status: 503, body: '' });
    const { port } = portFor(server);
    expect(await port.announce(returnDraft())).toMatchObject({
      outcome: 'announced',
      shipment: { id: '12345', parcels: [{ id: 67880, trackingNumber: null }] },
    });
    expect(server.count('POST', CREATE)).toBe(1);
  });

  it('after a timeout finds the return created since the first attempt and does not send again', async () => {
    server.on('POST', CREATE, 'hang');
    server.on('GET', LIST, {
      status: 200,
      json: { next: null, previous: null, data: [returnJson({ id: 777 })] },
    });
    const { port } = portFor(server);
    const outcome = await port.announce(returnDraft());
    expect(outcome).toMatchObject({
      outcome: 'announced',
      reconciled: true,
      shipment: { id: '777', parcels: [{ id: 67880 }] },
    });
    expect(server.count('POST', CREATE)).toBe(1);
    const query = server.requests.find((r) => LIST.test(r.url.pathname))?.url.searchParams;
    expect(query?.get('from_date')).toBe('2029-12-31 23:55:00');
    expect(query?.get('to_date')).toBe('2030-01-01 00:05:00');
  });

  it('after a timeout and no matching return sends once more (a duplicate reference would be refused)', async () => {
    server.sequence('POST', CREATE, ['hang', CREATED]);
    server.on('GET', LIST, {
      status: 200,
      json: { data: [returnJson({ id: 1, order_number: 'OTHER-ORDER' })] },
    });
    server.on('GET', GET, { status: 200, json: returnJson() });
    const { port } = portFor(server);
    expect(await port.announce(returnDraft())).toMatchObject({ outcome: 'announced', reconciled: false });
    expect(server.count('POST', CREATE)).toBe(2);
  });

  it('a reference SendCloud says is used already is reconciled from the returns of the last days', async () => {
    server.on('POST', CREATE, {
      status: 400,
      json: {
        error: {
          code: 'invalid',
          request: 'api/v3/returns/announce-synchronously',
          message: 'External reference has already been used in another return.',
        },
      },
    });
    server.on('GET', LIST, {
      status: 200,
      json: { data: [returnJson({ id: 555, external_reference: 'return:WEB-10001:1' })] },
    });
    const { port } = portFor(server);
    expect(await port.announce(returnDraft())).toMatchObject({
      outcome: 'announced',
      reconciled: true,
      shipment: { id: '555' },
    });
    expect(server.requests.find((r) => LIST.test(r.url.pathname))?.url.searchParams.get('from_date')).toBe(
      '2029-12-25 00:00:00',
    );
  });

  it('a carrier error is a carrier refusal; a data error is rejected', async () => {
    server.sequence('POST', CREATE, [
      {
        status: 400,
        json: { errors: [{ field: 'ship_with', code: 'invalid', message: 'Service error: carrier down' }] },
      },
      { status: 400, json: { errors: [{ field: 'weight', code: 'min_value', message: 'Too light.' }] } },
    ]);
    const { port } = portFor(server);
    expect(await port.announce(returnDraft())).toMatchObject({ outcome: 'carrier_refused' });
    expect(await port.announce(returnDraft())).toEqual({
      outcome: 'rejected',
      reason: '/weight: Too light. (min_value)',
    });
  });

  it('a return without the customer’s address is rejected before anything is sent', async () => {
    const { port } = portFor(server);
    const { from: _, ...withoutFrom } = returnDraft();
    expect(await port.announce(withoutFrom)).toMatchObject({ outcome: 'rejected' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('V3Port.returnsPage / getReturn', () => {
  it('asks for the last windowDays, 40 a page, and keeps that window on the following pages', async () => {
    server.on('GET', LIST, (req) =>
      req.url.searchParams.get('cursor')
        ? { status: 200, json: { next: null, previous: null, data: [returnJson({ id: 2 })] } }
        : {
            status: 200,
            json: {
              next: 'https://panel.sendcloud.sc/api/v3/returns?cursor=cD0z&page_size=40',
              previous: null,
              data: [returnJson({ id: 1 })],
            },
          },
    );
    const { port, clock } = portFor(server);
    const first = await port.returnsPage(undefined, { windowDays: 30 });
    clock.now = T0 + 3_600_000;
    const second = await port.returnsPage(first.next ?? undefined);
    expect(first.returns.map((r) => r.id)).toEqual([1]);
    expect(second).toMatchObject({ returns: [{ id: 2 }], next: null });
    const queries = server.requests.map((r) => Object.fromEntries(r.url.searchParams));
    expect(queries).toEqual([
      { from_date: '2029-12-02 00:00:00', to_date: '2030-01-01 00:00:00', page_size: '40' },
      { from_date: '2029-12-02 00:00:00', to_date: '2030-01-01 00:00:00', page_size: '40', cursor: 'cD0z' },
    ]);
  });

  it('maps a return to our shape: parcel id from its label link, status, label cost', async () => {
    server.on('GET', GET, {
      status: 200,
      json: returnJson({ delivered_at: 1893456000000, refund: { refund_type: 'money', message: null } }),
    });
    const { port } = portFor(server);
    expect(await port.getReturn(12345)).toEqual({
      id: 12345,
      createdAt: '2030-01-01T00:00:01+00:00',
      parcelId: 67880,
      trackingNumber: 'JVGL1234567800001339',
      parcelStatus: { id: 1000, message: 'Ready to send' },
      deliveredAt: '2030-01-01T00:00:00.000Z',
      refund: { refund_type: 'money', message: null },
      isCancellable: true,
      labelCost: { amount: 6.15, currency: 'EUR' },
    });
  });

  it('lists a return as the documents give it, without an id (id null), up to the end of this second', async () => {
    const { id: _, ...documented } = returnJson();
    server.on('GET', LIST, { status: 200, json: { data: [documented] } });
    const { port, clock } = portFor(server);
    clock.now = T0 + 400;
    const { returns } = await port.returnsPage();
    expect(returns).toMatchObject([{ id: null, parcelId: 67880 }]);
    // whole seconds: a `to_date` of 00:00:00 would leave out a return created at 00:00:00.3
    expect(server.requests[0]?.url.searchParams.get('to_date')).toBe('2030-01-01 00:00:01');
  });

  it('refuses a cursor it did not make', async () => {
    const { port } = portFor(server);
    await expect(port.returnsPage('not-ours')).rejects.toThrow(RangeError);
  });
});

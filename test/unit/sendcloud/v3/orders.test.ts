import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toOrderBody } from '../../../../shared/sendcloud/v3';
import { validateRequest, validateResponse } from '../../../helpers/openapi';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import { homeDraft, internationalDraft, portFor } from './factories';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const ORDERS = /^\/api\/v3\/orders$/;
const LABELS = /^\/api\/v3\/orders\/create-labels-async$/;
const CREATED_AT = '2030-01-01T00:00:00.000Z';

describe('V3Port.orders (the Orders API path)', () => {
  it('upserts orders in calls of at most 100 that validate against the orders document', async () => {
    server.on('POST', ORDERS, (req) => {
      const orders = req.json as Array<{ order_id: string; order_number: string }>;
      const json = {
        data: orders.map((o, i) => ({ id: 600 + i, order_id: o.order_id, order_number: o.order_number })),
      };
      expect(
        validateResponse('v3orders', { method: 'POST', template: '/orders', status: 201, body: json }),
      ).toEqual([]);
      return { status: 201, json };
    });
    const { port } = portFor(server);
    const drafts = Array.from({ length: 101 }, (_, i) =>
      i === 0 ? internationalDraft() : homeDraft({ externalReference: `web:${i}`, servicePointId: 10663 }),
    );
    const ids = await port.orders.upsert(
      drafts.map((d) => toOrderBody(d, { integrationId: 70, createdAt: CREATED_AT })),
    );
    expect(ids.size).toBe(101);
    expect(ids.get('amazon:402-1:1')).toBe(600);
    expect(server.requests.map((r) => (r.json as unknown[]).length)).toEqual([100, 1]);
    const problems = server.requests.flatMap((r) =>
      validateRequest('v3orders', {
        method: 'POST',
        template: '/orders',
        path: '/orders',
        query: r.url.searchParams,
        body: r.json,
      }),
    );
    expect(problems).toEqual([]);
    expect((server.requests[0]?.json as unknown[] | undefined)?.[0]).toMatchObject({
      order_id: 'amazon:402-1:1',
      order_details: { integration: { id: 70 }, order_created_at: CREATED_AT },
      shipping_details: {
        measurement: { weight: { value: 1200, unit: 'g' } },
        ship_with: {
          properties: { shipping_option_code: 'dhl_express:worldwide/incoterm=dap', contract_id: 4195 },
        },
      },
      customs_details: { commercial_invoice_number: 'INV-1', shipment_type: 'commercial_goods' },
    });
  });

  it('asks for labels of up to 20 orders and reports each order, failures by their pointer', async () => {
    const json = {
      data: [{ parcel_id: 420, parcels_ids: [420], shipment_id: '511', order_id: 'a', order_number: 'A' }],
      errors: [
        {
          status: '400',
          code: 'validation_error',
          title: 'Invalid order',
          detail: 'The order has no valid shipping address.',
          source: { pointer: '/data/attributes/orders/[1]' },
        },
      ],
    };
    expect(
      validateResponse('v3shipAnOrder', {
        method: 'POST',
        template: '/orders/create-labels-async',
        status: 202,
        body: json,
      }),
    ).toEqual([]);
    server.on('POST', LABELS, { status: 202, json });
    const { port } = portFor(server);
    const results = await port.orders.createLabelsAsync({
      integrationId: 70,
      orderIds: ['a', 'b', 'c'],
      method: 'postnl:standard@517',
      senderAddressId: 17,
    });
    expect([...results]).toEqual([
      ['a', { outcome: 'queued', shipmentId: '511', parcelIds: [420] }],
      [
        'b',
        {
          outcome: 'failed',
          reason: '/data/attributes/orders/[1]: The order has no valid shipping address. (validation_error)',
        },
      ],
      ['c', { outcome: 'failed', reason: 'SendCloud answered nothing for this order' }],
    ]);
    const [request] = server.requests;
    expect(
      validateRequest('v3shipAnOrder', {
        method: 'POST',
        template: '/orders/create-labels-async',
        path: '/orders/create-labels-async',
        query: new URLSearchParams(),
        body: request?.json,
      }),
    ).toEqual([]);
    expect(server.count('POST', LABELS)).toBe(1);
  });

  it('refuses more than 20 orders or none', async () => {
    const { port } = portFor(server);
    const ids = Array.from({ length: 21 }, (_, i) => `o${i}`);
    await expect(port.orders.createLabelsAsync({ integrationId: 70, orderIds: ids })).rejects.toThrow(
      RangeError,
    );
    await expect(port.orders.createLabelsAsync({ integrationId: 70, orderIds: [] })).rejects.toThrow(
      RangeError,
    );
  });
});

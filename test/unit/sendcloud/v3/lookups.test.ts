import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendcloudContractError, SendcloudHttpError } from '../../../../shared/sendcloud';
import type { StatusUpdate } from '../../../../shared/sendcloud/port';
import { statusFromLabel, statusFromV2, statusFromV3 } from '../../../../shared/sendcloud/v3';
import { fixture } from '../../../helpers/fixtures';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import { portFor, SENDER_ADDRESSES, shipmentJson, T0 } from './factories';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const SHIPMENTS = /^\/api\/v3\/shipments$/;
const OPTIONS = /^\/api\/v3\/shipping-options$/;
const link = (cursor: string) =>
  `<https://panel.sendcloud.sc/api/v3/shipments/?cursor=prev>; rel="prev", <https://panel.sendcloud.sc/api/v3/shipments/?cursor=${cursor}>; rel="next"`;

describe('V3Port.updatedSince', () => {
  it('filters on updated_after and follows the Link rel="next" cursor to the last page', async () => {
    // Prepare
    server.on('GET', SHIPMENTS, (req) => {
      const cursor = req.url.searchParams.get('cursor');
      if (!cursor)
        return {
          status: 200,
          json: {
            data: [shipmentJson({ ref: 'a', parcels: [{ id: 1, code: 'ANNOUNCED', message: 'Announced' }] })],
          },
          headers: { link: link('cD0y') },
        };
      if (cursor === 'cD0y')
        return {
          status: 200,
          json: {
            data: [shipmentJson({ ref: 'b', parcels: [{ id: 2, code: 'DELIVERED', message: 'Delivered' }] })],
          },
          headers: { link: link('cD0z') },
        };
      return {
        status: 200,
        json: {
          data: [
            shipmentJson({ ref: 'c', parcels: [{ id: 3, code: 'SOMETHING_NEW', message: 'Something new' }] }),
          ],
        },
      };
    });
    const { port } = portFor(server);
    // Act
    const pages: StatusUpdate[][] = [];
    for await (const page of port.updatedSince(new Date('2029-12-31T12:00:00Z'))) pages.push(page);
    // Assess
    expect(pages).toEqual([
      [
        {
          parcelId: 1,
          externalReference: 'a',
          status: { id: 1, code: 'ANNOUNCED', message: 'Announced' },
          updatedAt: '2030-01-01T00:00:00.500Z',
        },
      ],
      [expect.objectContaining({ parcelId: 2, status: { id: 11, code: 'DELIVERED', message: 'Delivered' } })],
      [
        expect.objectContaining({
          parcelId: 3,
          status: { id: 1337, code: 'SOMETHING_NEW', message: 'Something new' },
        }),
      ],
    ]);
    const queries = server.requests.map((r) => Object.fromEntries(r.url.searchParams));
    expect(queries).toEqual([
      { updated_after: '2029-12-31T12:00:00.000Z', page_size: '100' },
      { updated_after: '2029-12-31T12:00:00.000Z', page_size: '100', cursor: 'cD0y' },
      { updated_after: '2029-12-31T12:00:00.000Z', page_size: '100', cursor: 'cD0z' },
    ]);
    expect(new Set(server.requests.map((r) => r.url.host))).toEqual(new Set([new URL(server.url).host]));
  });

  it('a next link back to a page already read breaks the contract instead of looping', async () => {
    server.on('GET', SHIPMENTS, {
      status: 200,
      json: { data: [shipmentJson()] },
      headers: { link: link('same') },
    });
    const { port } = portFor(server);
    const read = async () => {
      for await (const _ of port.updatedSince(new Date(T0))) {
        // drain
      }
    };
    await expect(read()).rejects.toBeInstanceOf(SendcloudContractError);
  });
  it('a query nothing matches (404: the list declares minItems 1) is no pages, not an error', async () => {
    server.on('GET', SHIPMENTS, {
      status: 404,
      json: { errors: [{ status: '404', code: 'not_found', detail: 'No shipments match the given query.' }] },
    });
    const { port } = portFor(server);
    const pages: StatusUpdate[][] = [];
    for await (const page of port.updatedSince(new Date(T0))) pages.push(page);
    expect(pages).toEqual([]);
  });

  it('a 404 for a next page is the documented "Invalid cursor", an error', async () => {
    server.sequence('GET', SHIPMENTS, [
      { status: 200, json: { data: [shipmentJson()] }, headers: { link: link('gone') } },
      { status: 404, json: { errors: [{ status: '404', code: 'not_found', detail: 'Invalid cursor' }] } },
    ]);
    const { port } = portFor(server);
    const read = async () => {
      for await (const _ of port.updatedSince(new Date(T0))) {
        // drain
      }
    };
    await expect(read()).rejects.toBeInstanceOf(SendcloudHttpError);
  });
});

describe('V3Port.find', () => {
  it('returns the shipment holding the reference, or undefined when SendCloud has none', async () => {
    server.sequence('GET', SHIPMENTS, [
      { status: 200, json: { data: [shipmentJson({ id: 'x' })] } },
      { status: 200, json: { data: [] } },
    ]);
    const { port } = portFor(server);
    expect(await port.find('webshop:WEB-10001:1')).toMatchObject({ id: 'x', state: 'announced' });
    expect(await port.find('nothing')).toBeUndefined();
  });

  it('reads the 404 of a reference SendCloud has no shipment for as none', async () => {
    server.on('GET', SHIPMENTS, {
      status: 404,
      json: { errors: [{ status: '404', code: 'not_found', detail: 'No shipments match the given query.' }] },
    });
    const { port } = portFor(server);
    expect(await port.find('nothing')).toBeUndefined();
    expect(await port.returnPortalUrl(12345)).toBeNull();
  });

  it('a 2xx that breaks the schema is a contract error', async () => {
    server.on('GET', SHIPMENTS, { status: 200, json: { data: [{ id: 7 }] } });
    const { port } = portFor(server);
    await expect(port.find('x')).rejects.toBeInstanceOf(SendcloudContractError);
  });
});

const OPTION = {
  code: 'postnl:standard',
  name: 'PostNL Standard',
  carrier: { code: 'postnl', name: 'PostNL' },
  functionalities: { returns: false, last_mile: 'home_delivery', multicollo: true },
  contract: { id: 517 },
  weight: { min: { value: '0.001', unit: 'kg' }, max: { value: '23.001', unit: 'kg' } },
  requirements: { is_service_point_required: false },
  quotes: [
    {
      weight: { min: { value: '0.001', unit: 'kg' }, max: { value: '23.001', unit: 'kg' } },
      price: { total: { value: '6.50', currency: 'EUR' } },
    },
  ],
};

describe('V3Port.catalog', () => {
  beforeEach(() => {
    server.on('GET', /\/addresses\/sender-addresses$/, { status: 200, json: SENDER_ADDRESSES });
    server.on('POST', OPTIONS, {
      status: 200,
      json: {
        data: [
          OPTION,
          {
            ...OPTION,
            code: 'postnl:pickup',
            name: 'PostNL Pickup',
            contract: null,
            functionalities: { returns: false, last_mile: 'service_point' },
            quotes: [],
          },
          { ...OPTION, code: 'postnl:standard/return', functionalities: { returns: true } },
        ],
      },
    });
  });

  it('maps each option: reference with contract, weight range in grams, service point, EUR price', async () => {
    const { port } = portFor(server);
    const catalog = await port.catalog({ toCountry: 'NL', weightGrams: 1200 });
    expect(catalog).toEqual({
      fromCountry: 'NL',
      methods: [
        {
          ref: 'postnl:standard@517',
          name: 'PostNL Standard',
          carrier: 'postnl',
          minWeightGrams: 1,
          maxWeightGrams: 23001,
          servicePoint: false,
          multicollo: true,
          signature: false,
          countries: [{ country: 'NL', priceEur: 6.5 }],
        },
        {
          ref: 'postnl:pickup',
          name: 'PostNL Pickup',
          carrier: 'postnl',
          minWeightGrams: 1,
          maxWeightGrams: 23001,
          servicePoint: true,
          multicollo: false,
          signature: false,
          countries: [{ country: 'NL', priceEur: null }],
        },
      ],
    });
  });

  it('for returns keeps only the return-capable options', async () => {
    const { port } = portFor(server);
    const catalog = await port.catalog({
      toCountry: 'NL',
      fromCountry: 'BE',
      weightGrams: 1200,
      returns: true,
    });
    expect(catalog.methods.map((m) => m.ref)).toEqual(['postnl:standard/return@517']);
    expect(catalog.fromCountry).toBe('BE');
  });

  it('caches each distinct query for 10 minutes on the injected clock, then quotes again', async () => {
    const { port, clock } = portFor(server);
    const query = { toCountry: 'DE', weightGrams: 1200 };
    await port.catalog(query);
    await port.catalog(query);
    await port.catalog({ ...query, weightGrams: 1300 });
    expect(server.count('POST', OPTIONS)).toBe(2);
    clock.now = T0 + 9 * 60_000 + 59_999;
    await port.catalog(query);
    expect(server.count('POST', OPTIONS)).toBe(2);
    clock.now = T0 + 10 * 60_000;
    await port.catalog(query);
    expect(server.count('POST', OPTIONS)).toBe(3);
  });

  it('a failed quote is not cached', async () => {
    server.sequence('POST', OPTIONS, [
      { status: 400, json: { errors: [{ status: '400', code: 'invalid', detail: 'Bad country.' }] } },
      { status: 200, json: { data: [OPTION] } },
    ]);
    const { port } = portFor(server);
    await expect(port.catalog({ toCountry: 'XX', weightGrams: 1 })).rejects.toMatchObject({ status: 400 });
    expect((await port.catalog({ toCountry: 'XX', weightGrams: 1 })).methods).toHaveLength(1);
  });
});

describe('V3Port.mapLegacyMethods', () => {
  it('maps v2 ids through compat in calls of at most 100; unmapped ids are null', async () => {
    server.on('POST', /\/compat\/shipping-options$/, (req) => {
      const ids = (req.json as { shipping_method_ids: number[] }).shipping_method_ids;
      return {
        status: 200,
        json: {
          data: Object.fromEntries(
            ids
              .filter((id) => id !== 150)
              .map((id) => [id, id === 8 ? 'postnl:standard' : id === 9 ? null : 'null']),
          ),
        },
      };
    });
    const { port } = portFor(server);
    const ids = Array.from({ length: 150 }, (_, i) => i + 1);
    const mapped = await port.mapLegacyMethods(ids);
    expect(mapped.get(8)).toBe('postnl:standard');
    expect(mapped.get(9)).toBeNull();
    expect(mapped.get(10)).toBeNull();
    expect(mapped.get(150)).toBeNull();
    expect(mapped.size).toBe(150);
    expect(
      server.requests.map((r) => (r.json as { shipping_method_ids: number[] }).shipping_method_ids.length),
    ).toEqual([100, 50]);
  });
});

describe('V3Port lookups on other endpoints', () => {
  it('servicePointCarrier reads the v2 service-points host; an unknown point is undefined', async () => {
    const recorded = fixture<{ body: Record<string, unknown> }>(
      'Webador-sendcloud/testGetServicePoint_1.json',
    ).body;
    server.on('GET', /^\/sp\/api\/v2\/service-points\/10663$/, {
      status: 200,
      json: { ...recorded, id: 10663, carrier: 'postnl' },
    });
    server.on('GET', /^\/sp\/api\/v2\/service-points\/1$/, {
      status: 404,
      json: { error: { code: 404, request: 'api/v2/service-points/1', message: 'Not found.' } },
    });
    const { port } = portFor(server);
    expect(await port.servicePointCarrier(10663)).toBe('postnl');
    expect(await port.servicePointCarrier(1)).toBeUndefined();
  });

  it('returnPortalUrl finds the parcel’s shipment, then its portal link; 404 is null', async () => {
    server.on('GET', SHIPMENTS, {
      status: 200,
      json: { data: [shipmentJson({ id: 'ship-9', parcels: [{ id: 9 }] })] },
    });
    server.sequence('GET', /\/shipments\/ship-9\/return-portal-url$/, [
      { status: 200, json: { data: { url: 'https://brand.example.invalid/initiate/' } } },
      { status: 404, json: { errors: [{ status: '404', code: 'not_found', detail: 'No return portal.' }] } },
    ]);
    const { port } = portFor(server);
    expect(await port.returnPortalUrl(9)).toBe('https://brand.example.invalid/initiate/');
    expect(await port.returnPortalUrl(9, 'ship-9')).toBeNull();
    expect(server.requests[0]?.url.search).toBe('?ids=9');
    expect(server.count('GET', SHIPMENTS)).toBe(1);
  });

  it('senderAddress is the first sender address in our shape, "null" strings dropped', async () => {
    server.on('GET', /\/addresses\/sender-addresses$/, { status: 200, json: SENDER_ADDRESSES });
    const { port } = portFor(server);
    expect(await port.senderAddress()).toEqual({
      name: 'John Doe',
      company: 'Sendcloud',
      street: 'Stadhuisplein',
      houseNumber: '10',
      postalCode: '5611 EM',
      city: 'Eindhoven',
      country: 'NL',
      email: 'johndoe@example.invalid',
      phone: '+31626262626',
    });
  });

  it('senderAddress is undefined for an account without one', async () => {
    server.on('GET', /\/addresses\/sender-addresses$/, { status: 200, json: { data: [] } });
    const { port } = portFor(server);
    expect(await port.senderAddress()).toBeUndefined();
  });
});

describe('status table', () => {
  it('maps v3 codes, v2 ids and labels onto each other', () => {
    expect(statusFromV3('READY_TO_SEND')).toEqual({
      id: 1000,
      code: 'READY_TO_SEND',
      message: 'Ready to send',
    });
    expect(statusFromV3('ANNOUNCEMENT_FAILED', 'Announcement Failed')).toEqual({
      id: 1002,
      code: 'ANNOUNCEMENT_FAILED',
      message: 'Announcement Failed',
    });
    expect(statusFromV2(2000)).toEqual({ id: 2000, code: 'CANCELLED', message: 'Cancelled' });
    expect(statusFromLabel('awaiting-customer-pickup')).toMatchObject({ id: 12 });
    expect(statusFromLabel('Being announced')).toMatchObject({ code: 'ANNOUNCING' });
    expect(statusFromLabel('Ready to Ship')).toBeUndefined();
    expect(statusFromV2(94)).toEqual({ id: 94, code: 'UNKNOWN', message: 'Parcel cancellation failed.' });
  });

  it('maps every v2 id to one v3 code and back (94 has none), and an unknown code to 1337', () => {
    for (const id of [
      1, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15, 22, 80, 91, 92, 93, 999, 1000, 1001, 1002, 1337, 1998, 1999, 2000,
      2001, 62989, 62990, 62991, 62992, 62993, 62994, 62995, 62996, 62997,
    ]) {
      const { code } = statusFromV2(id);
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(statusFromV3(code).id, code).toBe(id);
    }
    expect(statusFromV3('SOMETHING_NEW').id).toBe(1337);
  });
});

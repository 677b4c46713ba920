import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientFor, parcelDraft, parcelJson } from '../../helpers/factories';
import { fixture } from '../../helpers/fixtures';
import { ScriptedServer } from '../../helpers/scriptedServer';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const recorded = (file: string, i = 0) =>
  fixture<{ interactions: Array<{ response: { body: unknown } }> }>(file).interactions[i]?.response.body;
const mock = (file: string) => fixture<{ body: unknown }>(file).body;

describe('shipping methods, prices, sender addresses, statuses', () => {
  it('lists shipping methods with the documented filters', async () => {
    server.on('GET', /^\/api\/v2\/shipping_methods$/, {
      status: 200,
      json: recorded('onesteinbv-addons-sendcloud/shipping_methods.json'),
    });
    const { client } = clientFor(server);
    const methods = await client.catalog.shippingMethods({
      senderAddress: 'all',
      toCountry: 'BE',
      isReturn: false,
      servicePointId: 10663,
    });
    expect(methods.length).toBeGreaterThan(300);
    expect(Object.fromEntries(server.requests[0]?.url.searchParams ?? [])).toEqual({
      sender_address: 'all',
      to_country: 'BE',
      is_return: 'false',
      service_point_id: '10663',
    });
  });

  it('gets one method and its per-country prices', async () => {
    server.on('GET', /^\/api\/v2\/shipping_methods\/9$/, {
      status: 200,
      json: recorded('OCA-delivery-carrier/shipping_method.json'),
    });
    const { client } = clientFor(server);
    const method = await client.catalog.shippingMethod(9, { senderAddress: 'all' });
    expect(method).toMatchObject({ carrier: 'dhl', max_weight: '20.001' });
    expect(method.countries.find((c) => c.iso_2 === 'BE')?.price).toBe(7);
  });

  it('asks the shipping price in grams', async () => {
    server.on('GET', /^\/api\/v2\/shipping-price$/, {
      status: 200,
      json: [
        {
          price: '6.50',
          currency: 'EUR',
          to_country: 'NL',
          breakdown: [{ type: 'price_without_insurance', label: 'Label', value: 6.5 }],
        },
      ],
    });
    const { client } = clientFor(server);
    const [price] = await client.catalog.shippingPrice({
      shippingMethodId: 8,
      fromCountry: 'NL',
      toCountry: 'NL',
      weightGrams: 1200,
    });
    expect(price).toMatchObject({ price: '6.50', currency: 'EUR' });
    expect(Object.fromEntries(server.requests[0]?.url.searchParams ?? [])).toEqual({
      shipping_method_id: '8',
      from_country: 'NL',
      to_country: 'NL',
      weight: '1200',
      weight_unit: 'gram',
    });
  });

  it('lists sender addresses and parcel statuses', async () => {
    server.on('GET', /^\/api\/v2\/user\/addresses\/sender$/, {
      status: 200,
      json: recorded('BloomAndWild-sendcloud/sender_addresses_request/valid_request.json'),
    });
    server.on('GET', /^\/api\/v2\/user\/addresses\/sender\/\d+$/, (req) => ({
      status: 200,
      json: {
        sender_address: {
          id: Number(req.url.pathname.split('/').pop()),
          street: 'Insulindelaan',
          postal_code: '5642CV',
          city: 'Eindhoven',
          country: 'NL',
        },
      },
    }));
    server.on('GET', /^\/api\/v2\/parcels\/statuses$/, {
      status: 200,
      json: recorded('BloomAndWild-sendcloud/operation/correct_credentials.json'),
    });
    const { client } = clientFor(server);
    expect((await client.catalog.senderAddresses()).length).toBeGreaterThan(0);
    expect(await client.catalog.senderAddress(12)).toMatchObject({ id: 12 });
    const statuses = await client.catalog.parcelStatuses();
    expect(statuses).toHaveLength(35);
    expect(statuses).toContainEqual({ id: 1000, message: 'Ready to send' });
  });
});

describe('service points (own host)', () => {
  it('searches around a position on the service-points base URL, with distance', async () => {
    server.on('GET', /^\/sp\/api\/v2\/service-points\/$/, {
      status: 200,
      json: mock('Webador-sendcloud/testSearchServicePointWithDistance_1.json'),
    });
    const { client } = clientFor(server);
    const points = await client.servicePoints.search({
      country: 'NL',
      latitude: 52.37,
      longitude: 4.89,
      radius: 2000,
      carrier: ['postnl', 'dhl'],
      general_shop_type: ['locker'],
    });
    expect(points[0]?.distance).toBeTypeOf('number');
    expect(Object.fromEntries(server.requests[0]?.url.searchParams ?? [])).toEqual({
      country: 'NL',
      latitude: '52.37',
      longitude: '4.89',
      radius: '2000',
      carrier: 'postnl,dhl',
      general_shop_type: 'locker',
    });
  });

  it('gets one point, the carriers and availability', async () => {
    server.on('GET', /^\/sp\/api\/v2\/service-points\/26$/, {
      status: 200,
      json: mock('Webador-sendcloud/testGetServicePoint_1.json'),
    });
    server.on('GET', /^\/sp\/api\/v2\/carriers$/, {
      status: 200,
      json: fixture('peterberkenbosch-sendcloud/service_points/carriers.json'),
    });
    server.on('GET', /^\/sp\/api\/v2\/service-points\/26\/check-availability$/, { status: 200, json: true });
    const { client } = clientFor(server);
    const point = await client.servicePoints.get(26);
    expect(point.formatted_opening_times?.['1']).toEqual(['09:00 - 12:00', '13:30 - 17:15']);
    expect(await client.servicePoints.carriers()).toContain('postnl');
    expect(await client.servicePoints.isAvailable(26)).toBe(true);
  });

  it('reads the 999 real PostNL points of the 2020 recording', async () => {
    server.on('GET', /^\/sp\/api\/v2\/service-points\/$/, {
      status: 200,
      json: recorded('onesteinbv-addons-sendcloud/servicepoints.json', 1),
    });
    const { client } = clientFor(server);
    expect(await client.servicePoints.search({ country: 'NL' })).toHaveLength(999);
  });
});

describe('returns and checkout', () => {
  it('lists returns across pages and gets one', async () => {
    const page = recorded('OCA-delivery-carrier/returns.json') as { returns: Array<{ id: number }> };
    server.on('GET', /^\/api\/v2\/returns$/, (req) =>
      req.url.searchParams.get('cursor')
        ? {
            status: 200,
            json: {
              next: null,
              previous: 'https://panel.sendcloud.sc/api/v2/returns?cursor=cj0x',
              returns: page.returns.slice(0, 1),
            },
          }
        : {
            status: 200,
            json: { ...page, next: 'https://panel.sendcloud.sc/api/v2/returns?cursor=cD0xNjU5MDQ0' },
          },
    );
    server.on('GET', /^\/api\/v2\/returns\/\d+$/, { status: 200, json: page.returns[0] });
    const { client } = clientFor(server);
    expect(await client.returns.listAll()).toHaveLength(page.returns.length + 1);
    expect(await client.returns.get(1910013)).toMatchObject({ id: 1910013, incoming_parcel: 182588401 });
  });

  it('creates a return label as an is_return parcel from the customer', async () => {
    server.on('POST', /^\/api\/v2\/parcels$/, {
      status: 200,
      json: { parcel: parcelJson({ id: 55, is_return: true }) },
    });
    const { client } = clientFor(server);
    const { from: _ignored, ...outbound } = parcelDraft();
    const result = await client.returns.create({
      ...outbound,
      externalReference: 'return:WEB-10001:1',
      shippingMethodId: 1602,
      recipient: {
        name: 'Webshop BV',
        street: 'Insulindelaan',
        houseNumber: '115',
        postalCode: '5642CV',
        city: 'Eindhoven',
        country: 'NL',
      },
      from: {
        name: 'Jan de Vries',
        street: 'Damrak',
        houseNumber: '1',
        postalCode: '1012AB',
        city: 'Amsterdam',
        country: 'NL',
      },
    });
    expect(result.parcel.is_return).toBe(true);
    expect(server.requests[0]?.json).toMatchObject({
      parcel: {
        is_return: true,
        from_name: 'Jan de Vries',
        from_address_1: 'Damrak',
        from_house_number: '1',
        from_country: 'NL',
        name: 'Webshop BV',
      },
    });
  });

  it('reads checkout delivery options for a published configuration', async () => {
    server.on('GET', /^\/api\/v2\/checkout\/configurations\/cfg-1\/delivery-options$/, {
      status: 200,
      json: {
        configuration_id: 'cfg-1',
        delivery_options: [
          {
            id: 1,
            title: 'Standard delivery',
            delivery_method_type: 'standard_delivery',
            checkout_identifier: { type: 'shipping_option_code', value: 'postnl:standard' },
            shipping_rate: { value: '4.95', currency: 'EUR' },
            carrier: { code: 'postnl', name: 'PostNL' },
            delivery_dates: [{ parcel_handover_date: '2026-11-25', delivery_date: '2026-11-26' }],
          },
        ],
      },
    });
    const { client } = clientFor(server);
    const options = await client.checkout.deliveryOptions('cfg-1', {
      fromCountry: 'NL',
      toCountry: 'NL',
      toPostalCode: '1012AB',
      weightGrams: 1200,
      totalOrderValue: '25.00',
    });
    expect(options.delivery_options[0]?.carrier.code).toBe('postnl');
    expect(server.requests[0]?.url.searchParams.get('weight_value')).toBe('1200');
  });
});

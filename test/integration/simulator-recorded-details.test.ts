import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator';
import { STATUSES } from '../../local/simulator/statuses';
import { fixture } from '../helpers/fixtures';

/*
 * Details of the recorded v2 answers that a shape comparison cannot see (values, not fields), each against
 * the fixture that shows it.
 */

const KEYS = { publicKey: 'details-public', secretKey: 'details-secret' };
const basic = `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rateLimits: false, accounts: [{ id: 'details', ...KEYS }] });
});
afterAll(() => sim.stop());

type Json = Record<string, unknown>;
async function call(base: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: basic, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as Json;
}
interface Cassette {
  readonly interactions: ReadonlyArray<{ readonly response: { readonly body: Json } }>;
}
const recordedBody = (file: string, n = 0) => fixture<Cassette>(file).interactions[n]?.response.body ?? {};

const recipient = {
  name: 'Jan de Vries',
  address: 'Insulindelaan 115',
  city: 'Eindhoven',
  postal_code: '5642CV',
  country: 'NL',
};

describe('recorded v2 details', () => {
  it('an announced Unstamped letter has no shipment_uuid and type=letter in its tracking URL', async () => {
    // Prepare: BloomAndWild-sendcloud/create_parcel_request/valid_request.json (method 8, January 2024)
    const real = recordedBody('BloomAndWild-sendcloud/create_parcel_request/valid_request.json')
      .parcel as Json;

    // Act
    const { parcel } = (await call(sim.baseUrl, '/parcels', {
      parcel: { ...recipient, weight: '1.000', shipment: { id: 8 }, request_label: true },
    })) as { parcel: Json };

    // Assess
    expect(real).toMatchObject({ shipment_uuid: null, type: 'letter' });
    expect(new URL(String(real.tracking_url)).searchParams.get('type')).toBe('letter');
    expect(parcel).toMatchObject({ shipment_uuid: null, type: 'letter', status: { id: 1000 } });
    const url = new URL(String(parcel.tracking_url));
    expect(url.searchParams.get('type')).toBe('letter');
    expect(url.searchParams.get('code')).toBe(parcel.tracking_number);
  });

  it('sender addresses name the account brand by brand_id', async () => {
    // Prepare: BloomAndWild-sendcloud/sender_addresses_request/valid_request.json (brand_id 82742 on every address)
    const real = recordedBody('BloomAndWild-sendcloud/sender_addresses_request/valid_request.json')
      .sender_addresses as Array<{ brand_id: unknown }>;

    // Act
    const { sender_addresses: addresses } = (await call(sim.baseUrl, '/user/addresses/sender')) as {
      sender_addresses: Array<{ brand_id: unknown }>;
    };
    const { brands } = (await call(sim.baseUrl, '/brands')) as { brands: Array<{ id: number }> };

    // Assess
    expect(real.every((a) => Number.isInteger(a.brand_id))).toBe(true);
    expect(addresses.map((a) => a.brand_id)).toEqual(addresses.map(() => brands[0]?.id));
    expect(Number.isInteger(brands[0]?.id)).toBe(true);
  });

  it('a country-only service-point search is not cut at 100', async () => {
    // Prepare: onesteinbv-addons-sendcloud/servicepoints.json answered 999 points for ?country=NL
    const real = fixture<{ interactions: Array<{ response: { body?: unknown[] } }> }>(
      'onesteinbv-addons-sendcloud/servicepoints.json',
    ).interactions[1]?.response.body;

    // Act
    const points = await (
      await fetch(`${sim.servicePointsBaseUrl}/service-points/?country=NL`, {
        headers: { authorization: basic },
      })
    ).json();

    // Assess
    expect(real).toHaveLength(999);
    expect(Array.isArray(points) && points.length).toBeGreaterThan(100);
  });

  it('a return carries the carrier-level parcel_status and an Amsterdam-time created_at with microseconds', async () => {
    // Prepare: OCA-delivery-carrier/returns.json (parcel_status 4879 beside incoming_parcel_status.id 1;
    // created_at "2022-05-19T15:20:11.457479+02:00")
    const real = (recordedBody('OCA-delivery-carrier/returns.json').returns as Json[])[0] as {
      created_at: string;
      incoming_parcel_data: { parcel_status: number };
      incoming_parcel_status: { id: number };
    };
    const v2Ids = STATUSES.map((s) => s.id);
    await call(sim.baseUrl, '/parcels', {
      parcel: {
        ...recipient,
        is_return: true,
        from_name: 'Klant',
        from_address_1: 'Damrak',
        from_house_number: '1',
        from_city: 'Amsterdam',
        from_postal_code: '1012AB',
        from_country: 'NL',
        shipment: { id: 2010 },
        request_label: true,
      },
    });

    // Act
    const { returns } = (await call(sim.baseUrl, '/returns')) as { returns: Array<typeof real> };

    // Assess
    expect(v2Ids).not.toContain(real.incoming_parcel_data.parcel_status);
    expect(v2Ids).toContain(real.incoming_parcel_status.id);
    const [answer] = returns;
    expect(v2Ids).not.toContain(answer?.incoming_parcel_data.parcel_status);
    expect(answer?.incoming_parcel_status.id).toBe(1000);
    const micro = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+0[12]:00$/;
    expect(real.created_at).toMatch(micro);
    expect(answer?.created_at).toMatch(micro);
  });

  it('PUT /integrations/{id} changes the webhook as update_integration.json does, and says so by webhook', async () => {
    // Prepare: OCA-delivery-carrier/update_integration.json (webhook_active, webhook_url); REFERENCE §6.4
    // (`integration_updated` carries the integration)
    const [mine] = (await call(sim.baseUrl, '/integrations')) as unknown as Array<{ id: number }>;
    const put = (id: number | undefined, body: Json) =>
      fetch(`${sim.baseUrl}/integrations/${id}`, {
        method: 'PUT',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const before = sim.sim.webhooks.deliveries.length;

    // Act
    const noUrl = await put(mine?.id, { webhook_active: true, webhook_url: '' });
    const other = await put(1, { webhook_active: false });
    const on = await put(mine?.id, { webhook_active: true, webhook_url: 'http://127.0.0.1:9/hook' });
    const off = await put(mine?.id, { webhook_active: false });

    // Assess
    expect([noUrl.status, other.status, on.status, off.status]).toEqual([400, 404, 200, 200]);
    expect(await off.json()).toMatchObject({ webhook_active: false, webhook_url: '' });
    const sent = sim.sim.webhooks.deliveries.slice(before);
    // Only the first change had a webhook to go to: the second turned it off.
    expect(sent.map((d) => d.action)).toEqual(['integration_updated']);
    expect(JSON.parse(sent[0]?.body ?? '{}').integration).toMatchObject({
      id: mine?.id,
      webhook_active: true,
      webhook_url: 'http://127.0.0.1:9/hook',
    });
    expect(sim.sim.accounts.get('details')?.webhookUrl).toBeNull();
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator';
import { fixture } from '../helpers/fixtures';
import { V3_SPEC_OVERLAY, validateResponse } from '../helpers/openapi';
import { pdfText } from '../helpers/pdfText';

/*
 * Multicollo: one shipment in several parcels (colli). v2 `POST /parcels` with `quantity` 1–20 (S-v2parcels
 * ParcelCreation.quantity and PUT /parcels), v3 `POST /shipments/announce` with several `parcels`
 * (CreateDomesticMulticolloShipment) and `functionalities.multicollo` on shipping options. The colli fields are
 * compared with the one recorded multicollo shipment: OCA-delivery-carrier/parcels.json (DPD, 3 colli, 2022).
 */

const KEYS = { publicKey: 'mc-public', secretKey: 'mc-secret' };
const basic = `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`;
let sim: RunningSimulator;
let receiver: Server;
let senderId: number;
let nextRef = 0;
const ref = () => `mc:${Date.now()}:${nextRef++}`;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  sim = await startSimulator({
    port: 0,
    rateLimits: false,
    accounts: [
      {
        id: 'multicollo',
        ...KEYS,
        webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      },
    ],
  });
  senderId = sim.sim.accounts.get('multicollo')?.senderAddresses[0]?.id ?? 0;
});
afterAll(async () => {
  await sim.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
afterEach(async () => {
  sim.faults.clear();
  await setMode('reject');
});

type Json = Record<string, unknown>;
interface V2Parcel {
  id: number;
  tracking_number: string;
  status: { id: number; message: string };
  colli_uuid: string;
  collo_nr: number;
  collo_count: number;
  shipment_uuid: string | null;
  external_reference: string | null;
  external_order_id: string;
  order_number: string;
  weight: string;
  length: string | null;
  shipping_method: number;
  quantity?: number;
  errors?: Json;
}

async function call(base: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: basic, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  return {
    status: response.status,
    json: (isJson ? JSON.parse(Buffer.from(bytes).toString('utf8')) : {}) as Json,
    bytes,
  };
}
const v2 = (path: string, init?: { method?: string; body?: unknown }) => call(sim.baseUrl, path, init);
const v3 = (path: string, init?: { method?: string; body?: unknown }) => call(sim.v3BaseUrl, path, init);
const counts = async (reference: string) => {
  const { created, colli, existing } = (await (
    await fetch(
      `${sim.url}/__sim/counts?account=multicollo&external_reference=${encodeURIComponent(reference)}`,
    )
  ).json()) as { created: number; colli: number; existing: number };
  return { created, colli, existing };
};
const setMode = (mode: string) =>
  fetch(`${sim.url}/__sim/accounts/multicollo/duplicate-external-reference`, {
    method: 'PUT',
    body: JSON.stringify({ mode }),
  });

const draft = (overrides: Json = {}): Json => ({
  name: 'Jan de Vries',
  address: 'Damrak',
  house_number: '1',
  city: 'Amsterdam',
  postal_code: '1012AB',
  country: 'NL',
  weight: '4.500',
  length: '40',
  width: '30',
  height: '20',
  shipment: { id: 1010 },
  request_label: true,
  order_number: 'WEB-42',
  external_reference: ref(),
  quantity: 3,
  ...overrides,
});
const parcelsOf = (answer: { json: Json }) => (answer.json.parcels ?? []) as V2Parcel[];

describe('v2 POST /parcels with quantity (multicollo)', () => {
  it('creates one parcel per collo of one shipment, as the recorded DPD shipment has them', async () => {
    // Prepare: OCA-delivery-carrier/parcels.json holds the 3 colli of one DPD shipment (collo_count 3)
    const recorded = (
      fixture<{ interactions: Array<{ response: { body: { parcels?: V2Parcel[] } } }> }>(
        'OCA-delivery-carrier/parcels.json',
      ).interactions.flatMap((i) => i.response.body.parcels ?? []) as V2Parcel[]
    ).filter((p) => p.collo_count === 3);
    const body = draft();

    // Act
    const answer = await v2('/parcels', { body: { parcels: [body] } });

    // Assess
    expect(answer.status).toBe(200);
    const colli = parcelsOf(answer);
    expect(colli.map((p) => p.collo_nr)).toEqual([0, 1, 2]);
    const first = colli[0];
    for (const collo of colli) {
      expect(collo).toMatchObject({
        collo_count: 3,
        colli_uuid: first?.colli_uuid,
        shipment_uuid: first?.shipment_uuid,
        external_order_id: first?.external_order_id,
        external_reference: body.external_reference,
        order_number: 'WEB-42',
        weight: '4.500',
        length: '40',
        shipping_method: 1010,
        status: { id: 1000, message: 'Ready to send' },
      });
      expect(collo.tracking_number).toMatch(/^3SCLDB\d{9}$/);
    }
    expect(new Set(colli.map((p) => p.id)).size).toBe(3);
    expect(new Set(colli.map((p) => p.tracking_number)).size).toBe(3);
    expect(colli.map((p) => p.id)).toEqual([...colli.map((p) => p.id)].sort((a, b) => a - b));
    // The recorded colli share colli_uuid, shipment_uuid and external_order_id the same way.
    expect(new Set(recorded.map((p) => p.colli_uuid)).size).toBe(1);
    expect(new Set(recorded.map((p) => p.shipment_uuid)).size).toBe(1);
    expect(new Set(recorded.map((p) => p.external_order_id)).size).toBe(1);
    expect(recorded.map((p) => p.collo_nr).sort()).toEqual([0, 1, 2]);
    expect(
      validateResponse('parcels', { method: 'POST', template: '/parcels', status: 200, body: answer.json }),
    ).toEqual([]);
    // One request under the reference, three parcels, one shipment.
    expect(await counts(String(body.external_reference))).toEqual({ created: 1, colli: 3, existing: 1 });
    const listed = await v2(
      `/parcels?external_reference=${encodeURIComponent(String(body.external_reference))}`,
    );
    expect(parcelsOf(listed).map((p) => p.collo_nr)).toEqual([2, 1, 0]);
  });

  it('refuses quantity above 1 with request_label in the single form: the batch form is required', async () => {
    // Prepare: S-v2parcels `quantity` ("it is required to use the Create multiple parcels method"); unrecorded → refused
    const body = draft({ quantity: 2 });

    // Act
    const answer = await v2('/parcels', { body: { parcel: body } });
    const asynchronous = await v2('/parcels', {
      body: { parcel: { ...body, request_label: false, request_label_async: true } },
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      error: {
        code: 400,
        request: 'api/v2/parcels',
        message: expect.stringMatching(/^quantity: ".*batch form/),
      },
    });
    expect(asynchronous.status).toBe(400);
    expect(await counts(String(body.external_reference))).toEqual({ created: 0, colli: 0, existing: 0 });
  });

  it('validates quantity as 1 to 20, naming the field as SendCloud validation errors do', async () => {
    // Prepare: S-v2parcels `quantity` (minimal 1, maximal 20); message form of create_parcel_request/invalid_request.json

    // Act
    const answers = await Promise.all(
      [0, 21, 'three', 2.5].map((quantity) => v2('/parcels', { body: { parcels: [draft({ quantity })] } })),
    );
    const twenty = await v2('/parcels', {
      body: { parcels: [draft({ quantity: 20, shipment: { id: 1040 } })] },
    });

    // Assess
    expect(answers.map((a) => [a.status, (a.json.error as Json).message])).toEqual([
      [400, 'quantity: "Ensure this value is greater than or equal to 1."'],
      [400, 'quantity: "Ensure this value is less than or equal to 20."'],
      [400, 'quantity: "A valid integer is required."'],
      [400, 'quantity: "A valid integer is required."'],
    ]);
    expect(parcelsOf(twenty)).toHaveLength(20);
  });

  it('refuses several colli on a single-collo product at the carrier, leaving a failed parcel', async () => {
    // Prepare: mailbox, letter and service-point products take one collo; REFERENCE §2.1 (a carrier refusal leaves status 1002)
    const mailbox = draft({
      shipment: { id: 1011 },
      weight: '1.000',
      length: '30',
      width: '20',
      height: '3',
    });

    // Act
    const answer = await v2('/parcels?errors=verbose-carrier', { body: { parcels: [mailbox] } });
    const letter = await v2('/parcels', {
      body: { parcels: [draft({ shipment: { id: 8 }, weight: '0.500' })] },
    });

    // Assess
    expect(answer.status).toBe(200);
    const [failed] = parcelsOf(answer);
    expect(parcelsOf(answer)).toHaveLength(1);
    expect(failed).toMatchObject({
      status: { id: 1002, message: 'Announcement failed' },
      tracking_number: '',
      collo_count: 1,
      quantity: 3,
      errors: { non_field_errors: [expect.stringMatching(/^Service error: .*does not support multicollo/)] },
    });
    expect(parcelsOf(letter)[0]?.status.id).toBe(1002);
  });

  it('keeps the quantity on an unannounced parcel and refuses to label it by PUT', async () => {
    // Prepare: S-v2parcels PUT /parcels ("setting request_label=true is not allowed" with a quantity above 1)
    const created = await v2('/parcels', { body: { parcel: draft({ request_label: false }) } });
    const parcel = created.json.parcel as V2Parcel;

    // Act
    const refused = await v2('/parcels', {
      method: 'PUT',
      body: { parcel: { id: parcel.id, request_label: true } },
    });
    const labelled = await v2('/parcels', {
      method: 'PUT',
      body: { parcel: { id: parcel.id, quantity: 1, request_label: true } },
    });

    // Assess
    expect(created.status).toBe(200);
    expect(parcel).toMatchObject({ status: { id: 999 }, collo_count: 1, collo_nr: 0 });
    expect(refused.status).toBe(400);
    expect((refused.json.error as Json).message).toMatch(
      /^request_label: "Setting request_label to true is not allowed/,
    );
    expect(labelled.status).toBe(200);
    expect((labelled.json.parcel as V2Parcel).status.id).toBe(1000);
  });

  it('gives each collo its own label, page and status timeline with its own webhooks', async () => {
    // Prepare: label PDFs are matched by the tracking number in the page text (as today's single labels)
    const postnl = parcelsOf(await v2('/parcels', { body: { parcels: [draft({ quantity: 2 })] } }));
    const dpd = parcelsOf(
      await v2('/parcels', { body: { parcels: [draft({ quantity: 2, shipment: { id: 1040 } })] } }),
    );
    const before = sim.sim.webhooks.deliveries.length;

    // Act
    const merged = await v2(`/labels/label_printer?ids=${postnl.map((p) => p.id).join(',')}`);
    const second = await v2(`/labels/label_printer/${postnl[1]?.id}`);
    for (const collo of [...postnl, ...dpd])
      await fetch(`${sim.url}/__sim/parcels/${collo.id}/advance`, { method: 'POST' });

    // Assess
    const text = await pdfText(merged.bytes);
    expect(text.pages).toBe(2);
    for (const collo of postnl) expect(text.text).toContain(collo.tracking_number);
    const own = await pdfText(second.bytes);
    expect(own.text).toContain(postnl[1]?.tracking_number);
    expect(own.text).not.toContain(postnl[0]?.tracking_number);
    expect(own.text).toContain('Collo 2/2');
    const hooks = sim.sim.webhooks.deliveries
      .slice(before)
      .map((d) => JSON.parse(d.body) as { parcel: V2Parcel & { colli_tracking_number: string } });
    expect(hooks.map((h) => h.parcel.id)).toEqual([...postnl, ...dpd].map((p) => p.id));
    // PostNL names the first collo's number as the shipment's; DPD's recorded colli carry "" (OCA parcels.json).
    expect(hooks.map((h) => h.parcel.colli_tracking_number)).toEqual([
      postnl[0]?.tracking_number,
      postnl[0]?.tracking_number,
      '',
      '',
    ]);
    expect(hooks.every((h) => h.parcel.status.id !== 1000)).toBe(true);
  });

  it('counts a multicollo request once under its reference in every duplicate mode', async () => {
    // Prepare: the colli of one request are that request's; a second request is what the modes answer
    const modes = ['reject', 'accept', 'return-existing'] as const;
    const results: Array<[string, number[], number, Json]> = [];

    // Act
    for (const mode of modes) {
      await setMode(mode);
      const body = draft({ quantity: 2 });
      const first = await v2('/parcels', { body: { parcels: [body] } });
      const again = await v2('/parcels', { body: { parcels: [body] } });
      const ids = parcelsOf(first).map((p) => p.id);
      results.push([
        mode,
        ids,
        again.status,
        { again: parcelsOf(again).map((p) => p.id), ...(await counts(String(body.external_reference))) },
      ]);
    }

    // Assess
    const [reject, accept, returnExisting] = results;
    expect(reject?.[2]).toBe(400);
    expect(reject?.[3]).toMatchObject({ created: 1, colli: 2, existing: 1 });
    expect(accept?.[2]).toBe(200);
    expect(accept?.[3]).toMatchObject({ created: 2, colli: 4, existing: 2 });
    expect(returnExisting?.[2]).toBe(200);
    expect(returnExisting?.[3]).toEqual({ again: returnExisting?.[1], created: 1, colli: 2, existing: 1 });
  });
});

describe('which v2 methods take several colli', () => {
  it('shows the flag where a v2 document has one (shipping-products), not on shipping methods', async () => {
    // Prepare: the v2 Shipping products document lists `multicollo` among a method's functionalities
    // (toppynl/sendcloud-v2-php-client AvailableShippingFunctionalities); no recorded or documented
    // shipping_methods object has such a field (onesteinbv shipping_methods.json, OCA shipping_method.json)

    // Act
    const products = await v2('/shipping-products?from_country=NL&to_country=NL&multicollo=true');
    const all = await v2('/shipping-products?from_country=NL&to_country=NL');
    const methods = await v2('/shipping_methods');
    const missing = await v2('/shipping-products');

    // Assess
    type Product = { code: string; methods: Array<{ id: number; functionalities: { multicollo: boolean } }> };
    const multi = products.json as unknown as Product[];
    expect(multi.map((p) => p.code)).toEqual(
      expect.arrayContaining(['postnl:standard', 'dpd:home', 'ups:standard']),
    );
    expect(multi.map((p) => p.code)).not.toContain('postnl:mailbox');
    expect(multi.flatMap((p) => p.methods).every((m) => m.functionalities.multicollo)).toBe(true);
    const flags = Object.fromEntries(
      (all.json as unknown as Product[]).flatMap((p) =>
        p.methods.map((m) => [m.id, m.functionalities.multicollo]),
      ),
    );
    expect(flags).toMatchObject({
      8: false,
      1010: true,
      1011: false,
      1012: false,
      1030: true,
      1040: true,
      1050: true,
    });
    const listed = (methods.json.shipping_methods as Json[])[0] ?? {};
    expect(Object.keys(listed)).not.toContain('multicollo');
    expect(missing.status).toBe(400);
  });
});

describe('v3 multicollo shipments', () => {
  const TO_NL = {
    name: 'Jan de Vries',
    address_line_1: 'Damrak',
    house_number: '1',
    postal_code: '1012AB',
    city: 'Amsterdam',
    country_code: 'NL',
  };
  const shipment = (code: string, parcels: number): Json => ({
    to_address: TO_NL,
    from_address: { sender_address_id: senderId },
    ship_with: { type: 'shipping_option_code', properties: { shipping_option_code: code } },
    order_number: 'WEB-43',
    external_reference_id: ref(),
    parcels: Array.from({ length: parcels }, (_, i) => ({
      weight: { value: String(1 + i), unit: 'kg' },
      dimensions: { length: '30', width: '20', height: '10', unit: 'cm' },
    })),
  });

  it('announces one shipment with a parcel, tracking number and label per collo (CreatedDomesticMulticolloShipment)', async () => {
    // Prepare: sendcloud-shipments-openapi.yml CreateDomesticMulticolloShipment (dpd:home, two parcels)
    const body = shipment('dpd:home', 2);

    // Act
    const answer = await v3('/shipments/announce', { body });

    // Assess
    expect(answer.status).toBe(201);
    expect(
      validateResponse(
        'v3shipments',
        { method: 'POST', template: '/shipments/announce', status: 201, body: answer.json },
        V3_SPEC_OVERLAY,
      ),
    ).toEqual([]);
    const data = answer.json.data as {
      id: string;
      parcels: Array<{
        id: number;
        tracking_number: string;
        documents: Array<{ type: string; link: string }>;
      }>;
    };
    expect(data.parcels).toHaveLength(2);
    expect(new Set(data.parcels.map((p) => p.tracking_number)).size).toBe(2);
    for (const parcel of data.parcels)
      expect(parcel.documents.map((d) => d.link)).toEqual([
        `${sim.v3BaseUrl}/parcels/${parcel.id}/documents/label`,
      ]);
    const label = await v3(`/parcels/${data.parcels[1]?.id}/documents/label`);
    expect((await pdfText(label.bytes)).text).toContain(data.parcels[1]?.tracking_number);
    // v2 sees the colli of one shipment.
    const asV2 = await Promise.all(
      data.parcels.map(async (p) => (await v2(`/parcels/${p.id}`)).json.parcel as V2Parcel),
    );
    expect(asV2.map((p) => [p.collo_nr, p.collo_count, p.shipment_uuid])).toEqual([
      [0, 2, data.id],
      [1, 2, data.id],
    ]);
    expect(asV2[0]?.colli_uuid).toBe(asV2[1]?.colli_uuid);
    expect(await counts(String(body.external_reference_id))).toEqual({ created: 1, colli: 2, existing: 1 });
  });

  it('refuses several parcels on an option without functionalities.multicollo', async () => {
    // Prepare: shipping options carry the flag; postnl:mailbox has none
    const options = await v3('/shipping-options', {
      body: { from_country_code: 'NL', to_country_code: 'NL' },
    });
    const flags = Object.fromEntries(
      (options.json.data as Array<{ code: string; functionalities: { multicollo: boolean } }>).map((o) => [
        o.code,
        o.functionalities.multicollo,
      ]),
    );

    // Act
    const refused = await v3('/shipments/announce', { body: shipment('postnl:mailbox', 2) });

    // Assess
    expect(flags).toMatchObject({
      'postnl:standard': true,
      'dhl:parcel_connect': true,
      'dpd:home': true,
      'ups:standard': true,
      'gls_nl:business_parcel': true,
      'postnl:mailbox': false,
      'postnl:service_point': false,
      'sendcloud:letter': false,
    });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'invalid',
          detail: 'Shipping option "postnl:mailbox" does not support multicollo shipments.',
          source: { pointer: '/parcels' },
        }),
      ]),
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator';
import { SendcloudClient, SendcloudHttpError } from '../../shared/sendcloud';
import { parcelDraft } from '../helpers/factories';
import { fixture } from '../helpers/fixtures';
import { validateResponse } from '../helpers/openapi';
import { pdfText } from '../helpers/pdfText';

/**
 * Customs documents of v2 parcels leaving the EU customs union. The shapes are the real 2022 recordings'
 * (OCA-delivery-carrier/parcels.json: UPS and DHL Express parcels to GB/US list a commercial invoice on A4 and
 * link `customs_declaration.normal_printer`; PostNL GlobalPack ones list a CP71 and a commercial invoice on A6)
 * and the documented example (peterberkenbosch-sendcloud/parcels/retrieve.json: `{type, size, link}` entries
 * whose links end in `/documents/<type>`).
 */
const KEYS = { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' };
let sim: RunningSimulator;
let client: SendcloudClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rateLimits: false });
  client = new SendcloudClient({
    credentials: KEYS,
    baseUrl: sim.baseUrl,
    servicePointsBaseUrl: sim.servicePointsBaseUrl,
    timeoutMs: 2_000,
  });
});
afterAll(() => sim.stop());

const get = (path: string) =>
  fetch(`${sim.baseUrl}${path}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`,
    },
  });

let n = 0;
/** A parcel to New York by UPS Express Saver (a courier), with `items` customs lines. */
async function usParcel(items = 2) {
  const { parcel } = await client.parcels.create(
    parcelDraft({
      externalReference: `customs:${Date.now()}:${n++}`,
      recipient: {
        name: 'Ann Smith',
        street: 'Broadway',
        houseNumber: '100',
        postalCode: '10005',
        city: 'New York',
        country: 'US',
        state: 'NY',
      },
      shippingMethodId: 1061,
      orderValue: { amount: '59.90', currency: 'EUR' },
      items: Array.from({ length: items }, (_, i) => ({
        description: `Ceramic mug ${i + 1}`,
        quantity: 1,
        unitPrice: '12.50',
        hsCode: '691200',
        originCountry: 'NL',
        weightGrams: 400,
      })),
      customs: { invoiceNumber: 'INV-4711', shipmentType: 'commercial_goods' },
    }),
  );
  return parcel;
}

describe('v2 parcels leaving the EU customs union', () => {
  it('list their customs documents beside the label, as the recordings do', async () => {
    const parcel = await usParcel();
    const recorded = fixture<{ parcel: { documents: Array<Record<string, string>> } }>(
      'peterberkenbosch-sendcloud/parcels/retrieve.json',
    ).parcel.documents;
    const body = (await (await get(`/parcels/${parcel.id}`)).json()) as {
      parcel: { documents: Array<Record<string, string>>; customs_declaration: Record<string, string> };
    };
    const { documents, customs_declaration } = body.parcel;
    // Same entry shape as the recording: exactly type, size, link.
    for (const document of documents)
      expect(Object.keys(document).sort()).toEqual(Object.keys(recorded[0] ?? {}).sort());
    expect(documents).toEqual([
      { type: 'label', size: 'a6', link: `${sim.baseUrl}/parcels/${parcel.id}/documents/label` },
      {
        type: 'commercial-invoice',
        size: 'a4',
        link: `${sim.baseUrl}/parcels/${parcel.id}/documents/commercial-invoice`,
      },
    ]);
    // A courier's parcel links the deprecated customs route, one URL (OCA parcels.json, UPS to US).
    expect(customs_declaration).toEqual({
      normal_printer: `${sim.baseUrl}/customs_declaration/normal_printer/${parcel.id}`,
    });
    expect(
      validateResponse('parcels', { method: 'GET', template: '/parcels/{id}', status: 200, body }),
    ).toEqual([]);
    const links = await (await get(`/labels/${parcel.id}`)).json();
    expect(links).toMatchObject({ customs_declaration });
    expect(
      validateResponse('labels', {
        method: 'GET',
        template: '/labels/{parcel_id}',
        status: 200,
        body: links,
      }),
    ).toEqual([]);
  });

  it('serve the commercial invoice as a PDF with the tracking number and every item line, on more pages when needed', async () => {
    const parcel = await usParcel(60);
    const response = await get(`/parcels/${parcel.id}/documents/commercial-invoice`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const { pages, text } = await pdfText(await response.arrayBuffer());
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain('COMMERCIAL INVOICE');
    expect(text).toContain(parcel.tracking_number ?? 'no tracking number');
    expect(text).toContain('Ceramic mug 1');
    expect(text).toContain('Ceramic mug 60');
    expect(text).toContain('691200');
    expect(text).toContain('INV-4711');
  });

  it('answer the recorded 404 for customs documents of an EU parcel, and for types a courier parcel does not list', async () => {
    const { parcel } = await client.parcels.create(
      parcelDraft({ externalReference: `customs:nl:${Date.now()}`, shippingMethodId: 1010 }),
    );
    const nl = await get(`/parcels/${parcel.id}`);
    expect(((await nl.json()) as { parcel: { documents: unknown[] } }).parcel.documents).toHaveLength(1);
    for (const type of ['commercial-invoice', 'cn23', 'cn23-default', 'cp71']) {
      const response = await get(`/parcels/${parcel.id}/documents/${type}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          code: 404,
          request: `api/v2/parcels/${parcel.id}/documents/${type}`,
          message: 'No Parcel matches the given query.',
        },
      });
    }
    const courier = await usParcel();
    expect((await get(`/parcels/${courier.id}/documents/cp71`)).status).toBe(404);
    await expect(client.labels.document(parcel.id, { type: 'commercial-invoice' })).rejects.toSatisfy(
      (error) => error instanceof SendcloudHttpError && error.status === 404,
    );
  });

  it('serve the linked customs_declaration route (deprecated) with the headers its document declares', async () => {
    const parcel = await usParcel(1);
    const response = await get(`/customs_declaration/normal_printer/${parcel.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('deprecation')).toBe('Mon, 8 Jan 2024 00:00:00 GMT');
    expect(response.headers.get('sunset')).toBeTruthy();
    expect((await pdfText(await response.arrayBuffer())).text).toContain(
      parcel.tracking_number ?? 'no tracking number',
    );
    const { parcel: nl } = await client.parcels.create(
      parcelDraft({ externalReference: `customs:nl2:${Date.now()}`, shippingMethodId: 1010 }),
    );
    expect((await get(`/customs_declaration/normal_printer/${nl.id}`)).status).toBe(404);
  });

  it('give the client the same document by its type', async () => {
    const parcel = await usParcel(1);
    const bytes = await client.labels.document(parcel.id, { type: 'commercial-invoice' });
    expect((await pdfText(bytes)).text).toContain(parcel.tracking_number ?? 'no tracking number');
  });
});

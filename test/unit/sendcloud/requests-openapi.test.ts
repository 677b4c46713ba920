import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, parcelDraft, parcelJson, tinyPdf } from '../../helpers/factories';
import { type SpecName, validateRequest } from '../../helpers/openapi';
import type { Captured } from '../../helpers/scriptedServer';
import { ScriptedServer } from '../../helpers/scriptedServer';

/**
 * Every request the client builds for the parcel, label and document endpoints is checked against
 * SendCloud's own OpenAPI 3.1 documents (Ajv, 2020-12), not against hand-written expectations.
 */
let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
  const pdf = await tinyPdf();
  server
    .on('POST', /^\/api\/v2\/parcels$/, (req) => {
      const body = req.json as { parcel?: unknown; parcels?: Array<{ external_reference: string }> };
      return body.parcels
        ? {
            status: 200,
            json: {
              parcels: body.parcels.map((p, i) =>
                parcelJson({ id: i + 1, external_reference: p.external_reference }),
              ),
              failed_parcels: [],
            },
          }
        : { status: 200, json: { parcel: parcelJson() } };
    })
    .on('PUT', /^\/api\/v2\/parcels$/, { status: 200, json: { parcel: parcelJson() } })
    .on('GET', /^\/api\/v2\/parcels$/, { status: 200, json: { next: null, previous: null, parcels: [] } })
    .on('GET', /^\/api\/v2\/parcels\/\d+$/, {
      status: 200,
      json: { parcel: parcelJson({ status: { id: 999, message: 'No label' } }) },
    })
    .on('POST', /^\/api\/v2\/parcels\/\d+\/cancel$/, {
      status: 202,
      json: { status: 'queued', message: 'Parcel cancellation has been queued' },
    })
    .on('GET', /^\/api\/v2\/parcels\/\d+\/return_portal_url$/, { status: 200, json: { url: '' } })
    .on('GET', /^\/api\/v2\/labels\/\d+$/, {
      status: 200,
      json: { label: { normal_printer: ['a', 'b', 'c', 'd'], label_printer: 'e' } },
    })
    .on('POST', /^\/api\/v2\/labels$/, {
      status: 200,
      json: { label: { normal_printer: ['a', 'b', 'c', 'd'], label_printer: 'e' } },
    })
    .on('GET', /^\/api\/v2\/labels\/(label|normal)_printer(\/\d+)?$/, {
      status: 200,
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    })
    .on('GET', /^\/api\/v2\/parcels\/\d+\/documents\/[a-z0-9-]+$/, (req) => ({
      status: 200,
      body:
        req.headers.accept === 'application/zpl'
          ? '^XA^XZ'
          : req.headers.accept === 'image/png'
            ? Buffer.from('89504e470d0a1a0a', 'hex')
            : pdf,
      headers: { 'content-type': String(req.headers.accept) },
    }));
  const { client } = clientFor(server);

  const international = parcelDraft({
    externalReference: 'amazon:402-1:1',
    recipient: {
      name: 'Ann Lee',
      company: 'Lee Ltd',
      street: 'Main St',
      houseNumber: '5',
      addressLine2: 'Unit 2',
      postalCode: '10001',
      city: 'New York',
      country: 'US',
      state: 'NY',
      email: 'ann@example.invalid',
      phone: '+12125550100',
    },
    items: [
      {
        description: 'Mug',
        quantity: 2,
        unitPrice: '12.50',
        hsCode: '691200',
        originCountry: 'NL',
        sku: 'MUG-1',
        weightGrams: 500,
      },
    ],
    customs: { invoiceNumber: 'INV-1', shipmentType: 'commercial_goods', exportType: 'commercial_b2c' },
    orderValue: { amount: '25.00', currency: 'EUR' },
    senderAddressId: 3,
    contractId: 12,
    insuredValueEur: 100,
    checkoutName: 'Express',
  });
  await client.parcels.create(parcelDraft());
  await client.parcels.create(international);
  await client.parcels.create(
    parcelDraft({ externalReference: 'sp:1', servicePointId: 10663, shippingMethodId: 1602 }),
  );
  await client.parcels.create(parcelDraft({ externalReference: 'nolabel:1', requestLabel: false }));
  await client.returns.create({
    ...parcelDraft({ externalReference: 'return:1', shippingMethodId: 1602 }),
    from: {
      name: 'Jan',
      street: 'Damrak',
      houseNumber: '1',
      postalCode: '1012AB',
      city: 'Amsterdam',
      country: 'NL',
    },
  });
  await client.parcels.createBatch([parcelDraft({ externalReference: 'b1' }), international]);
  await client.parcels.update(7, { weight: '2.000', order_number: 'WEB-2' });
  await client.parcels.requestLabel(7, { shippingMethodId: 8, senderAddressId: 3 });
  await client.parcels.listAll({
    ids: [1, 2],
    status: 1000,
    orderNumber: 'W-1',
    externalReference: 'x',
    trackingNumber: 'T',
    updatedAfter: new Date(0),
    announcedAfter: new Date(0),
  });
  await client.parcels.get(7);
  await client.parcels.cancel(7);
  await client.parcels.returnPortalUrl(7);
  await client.labels.links(7);
  await client.labels.bulkLinks([7, 8]);
  await client.labels.labelPrinterPdf(7);
  await client.labels.labelPrinterPdf([7, 8]);
  await client.labels.normalPrinterPdf(7, 1);
  await client.labels.normalPrinterPdf([7, 8], 3);
  await client.labels.document(7, { format: 'zpl' });
  await client.labels.document(7, { format: 'png', dpi: 300 });
  await client.labels.document(7, { type: 'commercial-invoice' });
});
afterAll(() => server.close());

const ROUTES: ReadonlyArray<readonly [string, RegExp, SpecName, string]> = [
  ['POST', /^\/parcels$/, 'parcels', '/parcels'],
  ['PUT', /^\/parcels$/, 'parcels', '/parcels'],
  ['GET', /^\/parcels$/, 'parcels', '/parcels'],
  ['GET', /^\/parcels\/\d+$/, 'parcels', '/parcels/{id}'],
  ['POST', /^\/parcels\/\d+\/cancel$/, 'parcels', '/parcels/{id}/cancel'],
  ['GET', /^\/parcels\/\d+\/return_portal_url$/, 'parcels', '/parcels/{id}/return_portal_url'],
  ['GET', /^\/parcels\/\d+\/documents\/[a-z-]+$/, 'documents', '/parcels/{id}/documents/{type}'],
  ['GET', /^\/labels\/\d+$/, 'labels', '/labels/{parcel_id}'],
  ['POST', /^\/labels$/, 'labels', '/labels'],
  ['GET', /^\/labels\/label_printer\/\d+$/, 'labels', '/labels/label_printer/{parcel_id}'],
  ['GET', /^\/labels\/label_printer$/, 'labels', '/labels/label_printer'],
  ['GET', /^\/labels\/normal_printer\/\d+$/, 'labels', '/labels/normal_printer/{parcel_id}'],
  ['GET', /^\/labels\/normal_printer$/, 'labels', '/labels/normal_printer'],
];

function problemsOf(request: Captured): string[] {
  const path = request.url.pathname.replace(/^\/api\/v2/, '');
  const route = ROUTES.find(([method, pattern]) => method === request.method && pattern.test(path));
  if (!route) return [`no spec route for ${request.method} ${path}`];
  const body = request.json as { parcel?: unknown; parcels?: unknown } | undefined;
  const bodyBranch =
    request.method === 'POST' && route[3] === '/parcels'
      ? body?.parcels
        ? { index: 1, required: ['parcels'] }
        : { index: 0, required: ['parcel'] }
      : undefined;
  return validateRequest(route[2], {
    method: request.method,
    template: route[3],
    path,
    query: request.url.searchParams,
    headers: request.headers,
    body: request.json,
    ...(bodyBranch ? { bodyBranch } : {}),
  });
}

describe('requests against SendCloud OpenAPI documents', () => {
  it('exercised every parcel, label and document route', () => {
    const seen = new Set(
      server.requests.map(
        (r) =>
          `${r.method} ${ROUTES.find(([m, p]) => m === r.method && p.test(r.url.pathname.replace(/^\/api\/v2/, '')))?.[3]}`,
      ),
    );
    expect([...seen].sort()).toEqual(ROUTES.map(([method, , , template]) => `${method} ${template}`).sort());
  });

  it('every captured request validates', () => {
    const failures = server.requests
      .map((r) => [`${r.method} ${r.url.pathname}${r.url.search}`, problemsOf(r)] as const)
      .filter(([, p]) => p.length > 0);
    expect(failures).toEqual([]);
  });

  it('the validator catches a broken request (it can fail)', () => {
    const problems = validateRequest('parcels', {
      method: 'POST',
      template: '/parcels',
      path: '/parcels',
      query: new URLSearchParams('errors=loud'),
      body: { parcel: { name: 'x', weight: 1.2 } },
      bodyBranch: { index: 0, required: ['parcel'] },
    });
    expect(problems.join('\n')).toMatch(/errors=loud/);
    expect(problems.join('\n')).toMatch(/address|weight/);
    expect(
      validateRequest('labels', {
        method: 'GET',
        template: '/labels/normal_printer',
        path: '/labels/normal_printer',
        query: new URLSearchParams('ids=1,2&start_from=4'),
      }),
    ).not.toEqual([]);
  });
});

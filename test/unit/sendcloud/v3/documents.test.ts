import { decodePDFRawStream, degrees, PDFArray, PDFDocument, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendcloudContractError, SendcloudHttpError } from '../../../../shared/sendcloud';
import { labelOnA4 } from '../../../../shared/sendcloud/v3/a4';
import { tinyPdf } from '../../../helpers/factories';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import { portFor } from './factories';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const LABEL = /^\/api\/v3\/parcels\/\d+\/documents\/label$/;

/** A label-printer PDF as v2 recordings show it: A6 landscape, displayed rotated by 90°. */
async function rotatedLabel(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([419.53, 297.64]);
  page.setRotation(degrees(90));
  page.drawRectangle({ x: 10, y: 10, width: 100, height: 50 });
  return Buffer.from(await doc.save());
}

/** Where the sheet's `cm` operators put an embedded page of `size`: its bounding box on the sheet. */
function placedBox(sheet: PDFDocument, size: { width: number; height: number }) {
  const contents = sheet.getPage(0).node.Contents();
  const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  const text = refs
    .map((ref) => {
      const stream = sheet.context.lookup(ref);
      return stream instanceof PDFRawStream
        ? Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1')
        : '';
    })
    .join('\n');
  type Matrix = readonly [number, number, number, number, number, number];
  let m: Matrix = [1, 0, 0, 1, 0, 0];
  for (const match of text.matchAll(/((?:-?[\d.e-]+\s+){6})cm/g)) {
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = (match[1] ?? '').trim().split(/\s+/).map(Number);
    const [A, B, C, D, E, F] = m;
    // New CTM = this operator × current.
    m = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
  }
  const [a, b, c, d, e, f] = m;
  const corners = [
    [0, 0],
    [size.width, 0],
    [0, size.height],
    [size.width, size.height],
  ].map(([u = 0, v = 0]) => [a * u + c * v + e, b * u + d * v + f] as const);
  const xs = corners.map(([x]) => x);
  const ys = corners.map(([, y]) => y);
  return {
    x: [Math.min(...xs), Math.max(...xs)] as const,
    y: [Math.min(...ys), Math.max(...ys)] as const,
  };
}

describe('V3Port.label', () => {
  it('asks for an A6 PDF by Accept and paper_size and returns its bytes', async () => {
    const pdf = await tinyPdf();
    server.on('GET', LABEL, { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } });
    const { port } = portFor(server);
    const bytes = await port.label(7, 'a6');
    expect(Buffer.from(bytes).equals(pdf)).toBe(true);
    const [request] = server.requests;
    expect(request?.headers.accept).toBe('application/pdf');
    expect(request?.url.search).toBe('?paper_size=A6');
  });

  it('asks for ZPL in the carrier’s native resolution (no dpi, no paper size)', async () => {
    server.on('GET', LABEL, {
      status: 200,
      body: '^XA^FO50,50^FDlabel^FS^XZ',
      headers: { 'content-type': 'application/zpl' },
    });
    const { port } = portFor(server);
    expect(Buffer.from(await port.label(7, 'zpl')).toString()).toMatch(/^\^XA/);
    expect(server.requests[0]?.url.search).toBe('');
    expect(server.requests[0]?.headers.accept).toBe('application/zpl');
  });

  it('a body that is not what was asked for breaks the contract', async () => {
    server.on('GET', LABEL, { status: 200, body: '<html>', headers: { 'content-type': 'application/zpl' } });
    const { port } = portFor(server);
    await expect(port.label(7, 'zpl')).rejects.toBeInstanceOf(SendcloudContractError);
  });

  it('a JSON:API 404 is an HTTP error carrying the code', async () => {
    server.on('GET', LABEL, {
      status: 404,
      json: { errors: [{ code: 'not_found', status: '404', detail: 'No Parcel matches the given query.' }] },
    });
    const { port } = portFor(server);
    await expect(port.label(7, 'a6')).rejects.toMatchObject({ status: 404, errorCode: 'not_found' });
    await expect(port.label(7, 'a6')).rejects.toBeInstanceOf(SendcloudHttpError);
  });
});

describe('V3Port.a4Label', () => {
  it('needs the A4 composer its function passes in (pdf-lib stays out of the other bundles)', async () => {
    const { port } = portFor(server);
    await expect(port.a4Label(7, 0)).rejects.toThrow(/without an A4 composer/);
  });

  it.each([0, 1, 2, 3] as const)(
    'composes the A6 label onto one A4 page at position %i',
    async (position) => {
      server.on('GET', LABEL, {
        status: 200,
        body: await tinyPdf(),
        headers: { 'content-type': 'application/pdf' },
      });
      const { port } = portFor(server, { composeA4: labelOnA4 });
      const sheet = await PDFDocument.load(await port.a4Label(7, position));
      expect(sheet.getPageCount()).toBe(1);
      const box = sheet.getPage(0).getMediaBox();
      expect([Math.round(box.width), Math.round(box.height)]).toEqual([595, 842]);
      expect(server.requests[0]?.url.search).toBe('?paper_size=A6');
    },
  );

  it.each([
    [0, { x: [0, 297.64], y: [420.94, 841.89] }],
    [3, { x: [297.64, 595.28], y: [0, 420.95] }],
  ] as const)('draws a label displayed rotated upright, inside quadrant %i', async (position, quadrant) => {
    server.on('GET', LABEL, {
      status: 200,
      body: await rotatedLabel(),
      headers: { 'content-type': 'application/pdf' },
    });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    const sheet = await PDFDocument.load(await port.a4Label(7, position));
    const placed = placedBox(sheet, { width: 419.53, height: 297.64 });
    // Upright: the landscape page is shown portrait, as the label printer would print it.
    expect(placed.x[1] - placed.x[0]).toBeCloseTo(297.64, 1);
    expect(placed.y[1] - placed.y[0]).toBeCloseTo(419.53, 1);
    expect(placed.x[0]).toBeGreaterThanOrEqual(quadrant.x[0] - 0.01);
    expect(placed.x[1]).toBeLessThanOrEqual(quadrant.x[1] + 0.01);
    expect(placed.y[0]).toBeGreaterThanOrEqual(quadrant.y[0] - 0.01);
    expect(placed.y[1]).toBeLessThanOrEqual(quadrant.y[1] + 0.01);
  });

  it('a PDF it cannot place is a contract error, not a crash', async () => {
    server.on('GET', LABEL, {
      status: 200,
      body: '%PDF-1.7 garbage',
      headers: { 'content-type': 'application/pdf' },
    });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    await expect(port.a4Label(7, 0)).rejects.toBeInstanceOf(SendcloudContractError);
  });
});

describe('V3Port.labels (bulk)', () => {
  const BULK = /^\/api\/v3\/parcel-documents\/label$/;

  it('asks for 1 to 20 parcels in one merged A6 file, the parcels key repeated in the order given', async () => {
    const pdf = await tinyPdf();
    server.on('GET', BULK, { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    const bytes = await port.labels([3, 1, 2], 'a6');
    expect(Buffer.from(bytes).equals(pdf)).toBe(true);
    expect(server.requests[0]?.url.searchParams.getAll('parcels')).toEqual(['3', '1', '2']);
    expect(server.requests[0]?.url.searchParams.get('paper_size')).toBe('A6');
    expect(server.requests[0]?.headers.accept).toBe('application/pdf');
    expect(port.bulkLabels).toEqual({ formats: ['a6', 'zpl'], maxParcels: 20 });
    expect(() => port.labels([], 'a6')).toThrow(RangeError);
    expect(() =>
      port.labels(
        Array.from({ length: 21 }, (_, i) => i + 1),
        'a6',
      ),
    ).toThrow(RangeError);
  });

  it('asks for merged ZPL by Accept, without a paper size', async () => {
    server.on('GET', BULK, {
      status: 200,
      body: '^XA^FD1^FS^XZ\n^XA^FD2^FS^XZ',
      headers: { 'content-type': 'application/zpl' },
    });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    expect(Buffer.from(await port.labels([1, 2], 'zpl')).toString()).toMatch(/^\^XA/);
    expect(server.requests[0]?.headers.accept).toBe('application/zpl');
    expect(server.requests[0]?.url.search).toBe('?parcels=1&parcels=2');
  });
});

describe('V3Port.customsDocument', () => {
  const CUSTOMS = /^\/api\/v3\/parcels\/7\/documents\/customs-declaration$/;

  it('fetches the customs declaration as a PDF on its own paper size', async () => {
    const pdf = await tinyPdf();
    server.on('GET', CUSTOMS, { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    const bytes = await port.customsDocument(7);
    expect(Buffer.from(bytes ?? []).equals(pdf)).toBe(true);
    expect(server.requests[0]?.headers.accept).toBe('application/pdf');
    expect(server.requests[0]?.url.search).toBe('');
  });

  it('answers undefined, not an error, for a parcel that has none (an EU parcel: the documented 404)', async () => {
    server.on('GET', CUSTOMS, {
      status: 404,
      json: { errors: [{ code: 'not_found', status: '404', detail: 'No Parcel matches the given query.' }] },
    });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    expect(await port.customsDocument(7)).toBeUndefined();
  });

  it('still throws a 400 (a contract problem, not "no document")', async () => {
    server.on('GET', CUSTOMS, {
      status: 400,
      json: { errors: [{ code: 'invalid', status: '400', detail: 'Invalid document type.' }] },
    });
    const { port } = portFor(server, { composeA4: labelOnA4 });
    await expect(port.customsDocument(7)).rejects.toBeInstanceOf(SendcloudHttpError);
  });
});

import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendcloudContractError } from '../../../shared/sendcloud';
import { V2Port } from '../../../shared/sendcloud/V2Port';
import { clientFor, tinyPdf } from '../../helpers/factories';
import { fixture } from '../../helpers/fixtures';
import { ScriptedServer } from '../../helpers/scriptedServer';

let server: ScriptedServer;
let pdf: Buffer;
beforeAll(async () => {
  server = await ScriptedServer.start();
  pdf = await tinyPdf();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const ZPL = '^XA^FO50,50^A0N,40,40^FDSendCloud^FS^XZ';

describe('labels', () => {
  it('downloads an A6 label-printer PDF for one parcel as bytes', async () => {
    server.on('GET', /^\/api\/v2\/labels\/label_printer\/7$/, {
      status: 200,
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    });
    const { client } = clientFor(server);
    const bytes = await client.labels.labelPrinterPdf(7);
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(1);
    expect(server.requests[0]?.headers.accept).toBe('application/pdf');
  });

  it('asks for one merged PDF for many parcels, label printer and A4 with start_from', async () => {
    server.on('GET', /^\/api\/v2\/labels\/(label|normal)_printer$/, {
      status: 200,
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    });
    const { client } = clientFor(server);
    await client.labels.labelPrinterPdf([1, 2, 3]);
    await client.labels.normalPrinterPdf([1, 2], 2);
    expect(server.requests.map((r) => `${r.url.pathname}${r.url.search}`)).toEqual([
      '/api/v2/labels/label_printer?ids=1%2C2%2C3',
      '/api/v2/labels/normal_printer?ids=1%2C2&start_from=2',
    ]);
  });

  it('V2Port.labels merges A6 PDFs through label_printer, in the order given; ZPL has no v2 bulk form', async () => {
    server.on('GET', /^\/api\/v2\/labels\/label_printer$/, {
      status: 200,
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    });
    const { client } = clientFor(server);
    const port = new V2Port(client);
    const bytes = await port.labels([3, 1, 2], 'a6');
    expect(Buffer.from(bytes).equals(pdf)).toBe(true);
    expect(server.requests[0]?.url.searchParams.get('ids')).toBe('3,1,2');
    expect(port.bulkLabels.formats).toEqual(['a6']);
    expect(() => port.labels([1, 2], 'zpl')).toThrow(RangeError);
    expect(() => port.labels([], 'a6')).toThrow(RangeError);
    expect(server.requests).toHaveLength(1);
  });

  it('asks for an A4 sheet for one parcel at a position', async () => {
    server.on('GET', /^\/api\/v2\/labels\/normal_printer\/7$/, {
      status: 200,
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    });
    const { client } = clientFor(server);
    await client.labels.normalPrinterPdf(7, 3);
    expect(server.requests[0]?.url.searchParams.get('start_from')).toBe('3');
  });

  it('reads label links, single and bulk', async () => {
    server.on('GET', /^\/api\/v2\/labels\/3172$/, {
      status: 200,
      json: fixture('peterberkenbosch-sendcloud/labels/retrieve.json'),
    });
    server.on('POST', /^\/api\/v2\/labels$/, {
      status: 200,
      json: fixture<{ body: unknown }>('Webador-sendcloud/testGetBulkLabelPdf_1.json').body,
    });
    const { client } = clientFor(server);
    expect((await client.labels.links(3172)).label.normal_printer).toHaveLength(4);
    const bulk = await client.labels.bulkLinks([1234, 4321]);
    expect(bulk.label.label_printer).toContain('ids=1234,4321');
    expect(server.requests[1]?.json).toEqual({ label: { parcels: [1234, 4321] } });
  });

  it('a 404 for an unknown parcel is an error with SendCloud message', async () => {
    const recorded = fixture<{ interactions: Array<{ response: { body: unknown } }> }>(
      'BloomAndWild-sendcloud/printer_label_request/invalid_request.json',
    );
    server.on('GET', /^\/api\/v2\/labels\/label_printer\/1$/, {
      status: 404,
      json: recorded.interactions[0]?.response.body,
    });
    const { client } = clientFor(server);
    await expect(client.labels.labelPrinterPdf(1)).rejects.toMatchObject({
      status: 404,
      sendcloudMessage: 'No Parcel matches the given query.',
    });
  });

  it('refuses a "PDF" that is JSON or not a PDF at all', async () => {
    server.sequence('GET', /^\/api\/v2\/labels\/label_printer\/7$/, [
      { status: 200, json: { label: 'pending' } },
      { status: 200, body: 'hello', headers: { 'content-type': 'application/pdf' } },
    ]);
    const { client } = clientFor(server);
    await expect(client.labels.labelPrinterPdf(7)).rejects.toBeInstanceOf(SendcloudContractError);
    await expect(client.labels.labelPrinterPdf(7)).rejects.toThrow(/not a PDF/);
  });
});

describe('parcel documents', () => {
  it('returns ZPL when asked with Accept: application/zpl', async () => {
    server.on('GET', /^\/api\/v2\/parcels\/7\/documents\/label$/, (req) =>
      req.headers.accept === 'application/zpl'
        ? { status: 200, body: ZPL, headers: { 'content-type': 'application/zpl' } }
        : { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } },
    );
    const { client } = clientFor(server);
    expect(Buffer.from(await client.labels.document(7, { format: 'zpl' })).toString()).toBe(ZPL);
    expect(
      Buffer.from(await client.labels.document(7))
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('returns PNG with a dpi and other document types', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    server.on('GET', /^\/api\/v2\/parcels\/7\/documents\/cn23$/, {
      status: 200,
      body: png,
      headers: { 'content-type': 'image/png' },
    });
    const { client } = clientFor(server);
    const bytes = await client.labels.document(7, { type: 'cn23', format: 'png', dpi: 300 });
    expect(Buffer.from(bytes).equals(png)).toBe(true);
    expect(server.requests[0]?.url.searchParams.get('dpi')).toBe('300');
    expect(server.requests[0]?.headers.accept).toBe('image/png');
  });
});

describe('V2Port.customsDocument', () => {
  const DOCUMENT = /^\/api\/v2\/parcels\/7\/documents\/([a-z0-9-]+)$/;
  const noParcel = (type: string) => ({
    status: 404,
    json: {
      error: {
        code: 404,
        request: `api/v2/parcels/7/documents/${type}`,
        message: 'No Parcel matches the given query.',
      },
    },
  });

  it('fetches the commercial invoice as a PDF', async () => {
    server.on('GET', DOCUMENT, { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } });
    const { client } = clientFor(server);
    const bytes = await new V2Port(client).customsDocument(7);
    expect(Buffer.from(bytes ?? []).equals(pdf)).toBe(true);
    expect(server.requests.map((r) => r.url.pathname)).toEqual([
      '/api/v2/parcels/7/documents/commercial-invoice',
    ]);
    expect(server.requests[0]?.headers.accept).toBe('application/pdf');
  });

  it('takes the CN23 of a parcel SendCloud made no invoice for', async () => {
    server.on('GET', DOCUMENT, (req) =>
      req.url.pathname.endsWith('/cn23')
        ? { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } }
        : noParcel('commercial-invoice'),
    );
    const { client } = clientFor(server);
    expect(await new V2Port(client).customsDocument(7)).toBeDefined();
  });

  it('answers undefined, not an error, for a parcel without customs documents (an EU parcel: 404)', async () => {
    server.on('GET', DOCUMENT, (req) => noParcel(req.url.pathname.split('/').at(-1) ?? ''));
    const { client } = clientFor(server);
    expect(await new V2Port(client).customsDocument(7)).toBeUndefined();
  });

  it('still throws what is not a 404 (the worker retries it)', async () => {
    server.on('GET', DOCUMENT, { status: 503, body: '' });
    const { client } = clientFor(server);
    await expect(new V2Port(client).customsDocument(7)).rejects.toMatchObject({
      status: 503,
      retryable: true,
    });
  });
});

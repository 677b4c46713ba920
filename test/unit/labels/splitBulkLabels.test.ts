import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { type LabelData, renderLabelPrinterPdf, renderZpl } from '../../../local/simulator/labels';
import { matchPages, splitBulkLabels } from '../../../shared/labels';
import { pdfText } from '../../helpers/pdfText';

/** A parcel's label as the simulator draws it (carrier, recipient, tracking number and its barcode). */
const label = (parcelId: number, trackingNumber: string): LabelData => ({
  parcelId,
  trackingNumber,
  carrier: 'postnl',
  methodName: 'PostNL Standard 0-23kg',
  weight: '1.200',
  orderNumber: `webshop:W-${parcelId}`,
  recipient: ['Sanne de Vries', 'Damrak 1', '1012LG Amsterdam', 'NL'],
  sender: ['Voorbeeld Webwinkel B.V.', 'Insulindelaan 115', '5642CV Eindhoven'],
  servicePointId: null,
  isReturn: false,
});
const A = { id: 11, trackingNumber: '3SYZXG0000011' };
const B = { id: 12, trackingNumber: '3SYZXG0000012' };
const C = { id: 13, trackingNumber: '3SYZXG0000013' };
const labelOf = (p: { id: number; trackingNumber: string }) => label(p.id, p.trackingNumber);

describe('matchPages', () => {
  it('gives each parcel the one page that shows its tracking number, whatever the page order', () => {
    const pages = [`Parcel 13\n${C.trackingNumber}`, `x ${A.trackingNumber} y`, B.trackingNumber];
    expect(matchPages(pages, [A, B, C])).toEqual(
      new Map([
        [A.id, 1],
        [B.id, 2],
        [C.id, 0],
      ]),
    );
  });

  it('matches a tracking number as a whole token, not inside a longer one', () => {
    const short = { id: 1, trackingNumber: 'JVGL0001' };
    const long = { id: 2, trackingNumber: 'JVGL00011' };
    expect(matchPages(['JVGL00011', 'JVGL0001'], [short, long])).toEqual(
      new Map([
        [long.id, 0],
        [short.id, 1],
      ]),
    );
  });

  it('a page without any requested tracking number matches nothing: it could belong to any label', () => {
    expect(matchPages([A.trackingNumber, 'no text here', C.trackingNumber], [A, B, C]).size).toBe(0);
  });

  it('two pages for one parcel: that parcel and the one without a page fall back, the others match', () => {
    const matched = matchPages([A.trackingNumber, A.trackingNumber, C.trackingNumber], [A, B, C]);
    expect(matched).toEqual(new Map([[C.id, 2]]));
  });

  it('a page showing two requested tracking numbers, or a page count unlike the parcel count, matches nothing', () => {
    expect(matchPages([`${A.trackingNumber} ${B.trackingNumber}`, B.trackingNumber], [A, B]).size).toBe(0);
    expect(matchPages([A.trackingNumber, B.trackingNumber], [A, B, C]).size).toBe(0);
    expect(matchPages([A.trackingNumber], [A, B]).size).toBe(0);
  });
});

describe('splitBulkLabels', () => {
  it('cuts a merged A6 PDF in reversed order into one-page PDFs, each showing its own parcel', async () => {
    const merged = await renderLabelPrinterPdf([C, B, A].map(labelOf));
    const cut = await splitBulkLabels(merged, { format: 'a6', parcels: [A, B, C] });
    expect([...cut.keys()].sort()).toEqual([A.id, B.id, C.id]);
    // the page of the merged file each came from: C, B, A
    expect([A, B, C].map((p) => cut.get(p.id)?.page)).toEqual([2, 1, 0]);
    for (const parcel of [A, B, C]) {
      const { pages, text } = await pdfText(cut.get(parcel.id)?.bytes ?? new Uint8Array());
      expect(pages).toBe(1);
      expect(text).toContain(parcel.trackingNumber);
      for (const other of [A, B, C].filter((p) => p !== parcel))
        expect(text).not.toContain(other.trackingNumber);
    }
  });

  it('a merged PDF with a page that shows no tracking number cuts nothing (every parcel falls back)', async () => {
    const merged = await PDFDocument.load(await renderLabelPrinterPdf([A, B].map(labelOf)));
    const blank = merged.addPage([297.64, 419.53]);
    blank.drawText('continued', { font: await merged.embedFont(StandardFonts.Helvetica) });
    const bytes = await merged.save();
    expect((await splitBulkLabels(bytes, { format: 'a6', parcels: [A, B, C] })).size).toBe(0);
  });

  it('a file that is not a PDF cuts nothing rather than failing the batch', async () => {
    const bytes = new TextEncoder().encode('%PDF-1.7 broken');
    expect((await splitBulkLabels(bytes, { format: 'a6', parcels: [A] })).size).toBe(0);
  });

  it('splits merged ZPL on ^XA…^XZ and matches each label by the tracking number in its ^FD fields', async () => {
    const merged = new TextEncoder().encode(renderZpl([B, C, A].map(labelOf)));
    const cut = await splitBulkLabels(merged, { format: 'zpl', parcels: [A, B, C] });
    for (const parcel of [A, B, C]) {
      const zpl = Buffer.from(cut.get(parcel.id)?.bytes ?? new Uint8Array()).toString();
      expect(zpl).toBe(renderZpl([labelOf(parcel)]));
    }
  });

  it('ZPL with two labels for one parcel cuts only the parcels it proves; content outside labels cuts nothing', async () => {
    const doubled = new TextEncoder().encode(renderZpl([A, A, C].map(labelOf)));
    const cut = await splitBulkLabels(doubled, { format: 'zpl', parcels: [A, B, C] });
    expect([...cut.keys()]).toEqual([C.id]);
    const withGraphic = new TextEncoder().encode(`~DGR:LOGO.GRF,4,1,FF00\n${renderZpl([A, B].map(labelOf))}`);
    expect((await splitBulkLabels(withGraphic, { format: 'zpl', parcels: [A, B] })).size).toBe(0);
  });
});

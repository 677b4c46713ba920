import { PDFDocument, type PDFFont, type PDFPage, StandardFonts } from 'pdf-lib';

/** The three `paper_size` values of the v3 documents endpoints, in PDF points (portrait). */
export const PAPER_SIZES = { A4: [595.28, 841.89], A5: [419.53, 595.28], A6: [297.64, 419.53] } as const;
export type PaperSize = keyof typeof PAPER_SIZES;

/** Every page of `pdf` scaled (aspect kept, centred) onto a page of `size`: an A6 label on A5, a customs form on A6. */
export async function fitToPaper(pdf: Uint8Array, size: PaperSize): Promise<Uint8Array> {
  const source = await PDFDocument.load(pdf);
  const out = await PDFDocument.create();
  out.setProducer('sendcloud-bridge simulator');
  const [width, height] = PAPER_SIZES[size];
  for (const embedded of await out.embedPages(source.getPages())) {
    const scale = Math.min(width / embedded.width, height / embedded.height);
    const page = out.addPage([width, height]);
    page.drawPage(embedded, {
      x: (width - embedded.width * scale) / 2,
      y: (height - embedded.height * scale) / 2,
      xScale: scale,
      yScale: scale,
    });
  }
  return out.save();
}

export interface CustomsItem {
  readonly description: string;
  readonly quantity: number;
  readonly weightKg: string;
  readonly value: string;
  readonly hsCode: string;
  readonly originCountry: string;
}

export interface CustomsDeclaration {
  readonly parcelId: number;
  readonly trackingNumber: string;
  readonly invoiceNumber: string;
  readonly exportReason: string;
  readonly currency: string;
  readonly sender: readonly string[];
  readonly recipient: readonly string[];
  readonly items: readonly CustomsItem[];
}

/** The customs forms SendCloud makes; each is the same declaration under its own title. */
export const CUSTOMS_FORM_TITLES = {
  cn23: 'CUSTOMS DECLARATION CN23',
  'commercial-invoice': 'COMMERCIAL INVOICE',
  cp71: 'DISPATCH NOTE CP71',
} as const;
export type CustomsForm = keyof typeof CUSTOMS_FORM_TITLES;

interface Fonts {
  readonly regular: PDFFont;
  readonly bold: PDFFont;
}

/**
 * A customs form (default the CN23-style declaration), A4, one declaration after the other, each starting
 * on a new page; item lines that do not fit continue on the next page.
 */
export async function renderCustomsDeclaration(
  declarations: readonly CustomsDeclaration[],
  form: CustomsForm = 'cn23',
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setProducer('sendcloud-bridge simulator');
  doc.setTitle(CUSTOMS_FORM_TITLES[form]);
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  for (const declaration of declarations) drawDeclaration(doc, declaration, fonts, CUSTOMS_FORM_TITLES[form]);
  return doc.save();
}

const printable = (value: string) => value.replace(/[^\x20-\x7e]/g, '?');
const COLUMNS = [40, 260, 310, 380, 450, 520];
/** Below this, an item line goes to the next page (room for the total and the signature on the last). */
const BOTTOM = 60;

function drawDeclaration(doc: PDFDocument, d: CustomsDeclaration, fonts: Fonts, title: string): void {
  let page: PDFPage = doc.addPage([...PAPER_SIZES.A4]);
  let y = 790;
  const line = (value: string, x = 40, size = 10, font = fonts.regular) =>
    page.drawText(printable(value), { x, y, size, font });
  const headings = () =>
    ['Description', 'Qty', 'Weight kg', `Value ${d.currency}`, 'HS code', 'Origin'].forEach((heading, i) => {
      line(heading, COLUMNS[i], 9, fonts.bold);
    });
  line(title, 40, 18, fonts.bold);
  y -= 28;
  line(`Parcel ${d.parcelId}   Tracking ${d.trackingNumber}`);
  y -= 14;
  line(`Invoice ${d.invoiceNumber}   Category: ${d.exportReason}`);
  for (const [heading, lines] of [
    ['FROM', d.sender],
    ['TO', d.recipient],
  ] as const) {
    y -= 26;
    line(heading, 40, 9, fonts.bold);
    for (const text of lines) {
      y -= 13;
      line(text);
    }
  }
  y -= 30;
  headings();
  for (const item of d.items) {
    if (y - 14 < BOTTOM) {
      page = doc.addPage([...PAPER_SIZES.A4]);
      y = 790;
      line(`${title} (continued)   Parcel ${d.parcelId}   Tracking ${d.trackingNumber}`, 40, 10, fonts.bold);
      y -= 28;
      headings();
    }
    y -= 14;
    [
      item.description.slice(0, 40),
      String(item.quantity),
      item.weightKg,
      item.value,
      item.hsCode,
      item.originCountry,
    ].forEach((cell, i) => {
      line(cell, COLUMNS[i], 9);
    });
  }
  if (y < BOTTOM + 110) {
    page = doc.addPage([...PAPER_SIZES.A4]);
    y = 790;
  }
  const total = d.items.reduce((sum, item) => sum + Number(item.value) * item.quantity, 0);
  y -= 24;
  line(`Total value ${total.toFixed(2)} ${d.currency}`, 40, 10, fonts.bold);
  y -= 40;
  line('I certify that the particulars given in this declaration are correct.', 40, 9);
  y -= 30;
  line('Signature ______________________', 40, 9);
}

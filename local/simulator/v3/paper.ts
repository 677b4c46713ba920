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

/** A CN23-style customs declaration, one A4 page per parcel. */
export async function renderCustomsDeclaration(
  declarations: readonly CustomsDeclaration[],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setProducer('sendcloud-bridge simulator');
  doc.setTitle('Customs declaration CN23');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (const declaration of declarations)
    drawDeclaration(doc.addPage([...PAPER_SIZES.A4]), declaration, regular, bold);
  return doc.save();
}

const printable = (value: string) => value.replace(/[^\x20-\x7e]/g, '?');

function drawDeclaration(page: PDFPage, d: CustomsDeclaration, regular: PDFFont, bold: PDFFont): void {
  let y = 790;
  const line = (value: string, x = 40, size = 10, font = regular) =>
    page.drawText(printable(value), { x, y, size, font });
  line('CUSTOMS DECLARATION CN23', 40, 18, bold);
  y -= 28;
  line(`Parcel ${d.parcelId}   Tracking ${d.trackingNumber}`);
  y -= 14;
  line(`Invoice ${d.invoiceNumber}   Category: ${d.exportReason}`);
  for (const [title, lines] of [
    ['FROM', d.sender],
    ['TO', d.recipient],
  ] as const) {
    y -= 26;
    line(title, 40, 9, bold);
    for (const text of lines) {
      y -= 13;
      line(text);
    }
  }
  y -= 30;
  const columns = [40, 260, 310, 380, 450, 520];
  ['Description', 'Qty', 'Weight kg', `Value ${d.currency}`, 'HS code', 'Origin'].forEach((heading, i) => {
    line(heading, columns[i], 9, bold);
  });
  for (const item of d.items) {
    y -= 14;
    [
      item.description.slice(0, 40),
      String(item.quantity),
      item.weightKg,
      item.value,
      item.hsCode,
      item.originCountry,
    ].forEach((cell, i) => {
      line(cell, columns[i], 9);
    });
  }
  const total = d.items.reduce((sum, item) => sum + Number(item.value) * item.quantity, 0);
  y -= 24;
  line(`Total value ${total.toFixed(2)} ${d.currency}`, 40, 10, bold);
  y -= 40;
  line('I certify that the particulars given in this declaration are correct.', 40, 9);
  y -= 30;
  line('Signature ______________________', 40, 9);
}

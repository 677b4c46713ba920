import bwipjs from 'bwip-js/node';
import {
  concatTransformationMatrix,
  degrees,
  fill,
  PDFDocument,
  type PDFFont,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  StandardFonts,
  setFillingGrayscaleColor,
} from 'pdf-lib';

/**
 * Real label documents: an A6 label-printer PDF (one page per parcel), an A4 sheet with four labels per
 * page starting at a position, ZPL for thermal printers and a PNG — each with recipient, carrier,
 * tracking number and a Code 128 barcode of it.
 */
export interface LabelData {
  readonly parcelId: number;
  readonly trackingNumber: string;
  readonly carrier: string;
  readonly methodName: string;
  readonly weight: string;
  readonly orderNumber: string;
  readonly recipient: readonly string[];
  readonly sender: readonly string[];
  readonly servicePointId: number | null;
  readonly isReturn: boolean;
  /** `Collo 2/3` on a collo of a multicollo shipment; absent on a single parcel. */
  readonly collo?: string;
}

/**
 * A label-printer page as SendCloud's v2 labels are recorded: `%PDF-1.3`, MediaBox 419.53×297.64 (landscape)
 * with `/Rotate 90`, so it shows as portrait A6 (BloomAndWild printer_label_request/valid_request.json,
 * REFERENCE §3.1). `portrait` is a plain 297.64×419.53 page (the v3 documents, which nothing recorded).
 */
export type LabelGeometry = 'recorded' | 'portrait';

const A6: readonly [number, number] = [297.64, 419.53];
const A4: readonly [number, number] = [595.28, 841.89];

/** Helvetica encodes WinAnsi only: strip accents that it cannot draw, replace anything else. */
function drawable(text: string): string {
  return [...text]
    .map((ch) => (ch.charCodeAt(0) < 256 ? ch : ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')))
    .map((ch) => (ch.length === 1 && ch.charCodeAt(0) < 256 ? ch : '?'))
    .join('');
}

/**
 * A Code 128 barcode of `text` as vector bars (bwip-js encodes it; each bar a filled rectangle), centred in
 * `width` and at most 2 pt a module — as carriers' own PDFs draw theirs. An image would cost a PNG encode,
 * decode and deflate per label, which made the simulator's renderer the slowest part of a bulk label call.
 */
function drawBarcode(
  page: PDFPage,
  text: string,
  box: { x: number; y: number; width: number; height: number },
) {
  const [symbol] = bwipjs.raw('code128', text, {}) as unknown as Array<{ sbs: number[] }>;
  const widths = symbol?.sbs ?? [];
  const modules = widths.reduce((sum, w) => sum + w, 0);
  // 10 modules of quiet zone each side, as Code 128 wants for a scanner to find it
  const unit = Math.min(2, box.width / (modules + 20));
  let cursor = box.x + (box.width - modules * unit) / 2;
  const bars = widths.flatMap((w, i) => {
    const bar = i % 2 === 0 ? [rectangle(cursor, box.y, w * unit, box.height)] : [];
    cursor += w * unit;
    return bar;
  });
  page.pushOperators(pushGraphicsState(), setFillingGrayscaleColor(0), ...bars, fill(), popGraphicsState());
}

interface Fonts {
  readonly regular: PDFFont;
  readonly bold: PDFFont;
}

async function drawLabel(page: PDFPage, fonts: Fonts, label: LabelData, x: number, y: number): Promise<void> {
  const [w, h] = A6;
  const m = 14;
  page.drawRectangle({
    x: x + 6,
    y: y + 6,
    width: w - 12,
    height: h - 12,
    borderColor: rgb(0, 0, 0),
    borderWidth: 1,
  });
  page.drawText(drawable(label.carrier.toUpperCase()), {
    x: x + m,
    y: y + h - 38,
    size: 20,
    font: fonts.bold,
  });
  page.drawText(drawable(label.methodName), { x: x + m, y: y + h - 54, size: 8, font: fonts.regular });
  if (label.isReturn) page.drawText('RETURN', { x: x + w - 80, y: y + h - 38, size: 14, font: fonts.bold });
  page.drawText('FROM', { x: x + m, y: y + h - 76, size: 7, font: fonts.bold });
  label.sender.slice(0, 3).forEach((line, i) => {
    page.drawText(drawable(line), { x: x + m, y: y + h - 88 - i * 10, size: 8, font: fonts.regular });
  });
  page.drawText('TO', { x: x + m, y: y + h - 130, size: 7, font: fonts.bold });
  label.recipient.slice(0, 5).forEach((line, i) => {
    page.drawText(drawable(line), {
      x: x + m,
      y: y + h - 146 - i * 15,
      size: i === 0 ? 13 : 12,
      font: i === 0 ? fonts.bold : fonts.regular,
    });
  });
  const details = [
    `Parcel ${label.parcelId}`,
    `Weight ${label.weight} kg`,
    label.orderNumber ? `Order ${label.orderNumber}` : '',
  ];
  if (label.servicePointId) details.push(`Service point ${label.servicePointId}`);
  if (label.collo) details.push(label.collo);
  details.filter(Boolean).forEach((line, i) => {
    page.drawText(drawable(line), { x: x + m, y: y + 150 - i * 11, size: 8, font: fonts.regular });
  });
  drawBarcode(page, label.trackingNumber, { x: x + m, y: y + 42, width: w - 2 * m, height: 56 });
  page.drawText(label.trackingNumber, {
    x: x + (w - fonts.bold.widthOfTextAtSize(label.trackingNumber, 12)) / 2,
    y: y + 24,
    size: 12,
    font: fonts.bold,
  });
}

async function newDocument(): Promise<[PDFDocument, Fonts]> {
  const doc = await PDFDocument.create();
  doc.setProducer('sendcloud-bridge simulator');
  doc.setTitle('Shipping labels');
  return [
    doc,
    {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
    },
  ];
}

/**
 * Saved as PDF 1.3, as SendCloud's labels are: no object streams (a 1.5 feature), and the header version
 * pdf-lib's writer fixes at 1.7 rewritten in place (same length, so no offset moves).
 */
async function save(doc: PDFDocument): Promise<Uint8Array> {
  const bytes = await doc.save({ useObjectStreams: false });
  bytes.set(new TextEncoder().encode(PDF_1_3), 0);
  return bytes;
}
const PDF_1_3 = '%PDF-1.3';

/** Label printer: one A6 page per parcel. */
export async function renderLabelPrinterPdf(
  labels: readonly LabelData[],
  options: { readonly geometry?: LabelGeometry } = {},
): Promise<Uint8Array> {
  const [doc, fonts] = await newDocument();
  const [width, height] = A6;
  for (const label of labels) {
    if (options.geometry === 'recorded') {
      const page = doc.addPage([height, width]);
      page.setRotation(degrees(90));
      // Drawn in the portrait space the viewer shows after turning the page 90° clockwise.
      page.pushOperators(concatTransformationMatrix(0, 1, -1, 0, height, 0));
      await drawLabel(page, fonts, label, 0, 0);
    } else {
      await drawLabel(doc.addPage([width, height]), fonts, label, 0, 0);
    }
  }
  return save(doc);
}

/** Normal printer: A4 sheets, four labels each (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right). */
export async function renderNormalPrinterPdf(
  labels: readonly LabelData[],
  startFrom: number,
): Promise<Uint8Array> {
  const [doc, fonts] = await newDocument();
  const positions: ReadonlyArray<readonly [number, number]> = [
    [0, A4[1] / 2],
    [A4[0] / 2, A4[1] / 2],
    [0, 0],
    [A4[0] / 2, 0],
  ];
  let page: PDFPage | undefined;
  let slot = startFrom;
  for (const label of labels) {
    if (!page || slot > 3) {
      page = doc.addPage([...A4]);
      if (slot > 3) slot = 0;
    }
    const [x, y] = positions[slot] ?? [0, 0];
    await drawLabel(page, fonts, label, x, y + (A4[1] / 2 - A6[1]) / 2);
    slot++;
  }
  return save(doc);
}

/** ZPL II for a 4×6 inch label at 203 dpi, one ^XA…^XZ block per parcel. */
export function renderZpl(labels: readonly LabelData[]): string {
  const field = (text: string) => drawable(text).replace(/[\^~]/g, ' ');
  return labels
    .map((label) =>
      [
        '^XA',
        '^CI28',
        `^FO40,40^A0N,60,60^FD${field(label.carrier.toUpperCase())}^FS`,
        `^FO40,110^A0N,24,24^FD${field(label.methodName)}^FS`,
        ...label.recipient
          .slice(0, 5)
          .map((line, i) => `^FO40,${200 + i * 40}^A0N,34,34^FD${field(line)}^FS`),
        `^FO40,460^A0N,24,24^FDParcel ${label.parcelId}  Weight ${label.weight} kg^FS`,
        `^FO60,860^BY3^BCN,200,Y,N,N^FD${field(label.trackingNumber)}^FS`,
        '^XZ',
      ].join('\n'),
    )
    .join('\n');
}

/** PNG: the tracking barcode with its human-readable text. */
export function renderPng(label: LabelData): Promise<Buffer> {
  return bwipjs.toBuffer({
    bcid: 'code128',
    text: label.trackingNumber,
    scale: 3,
    height: 20,
    includetext: true,
    textxalign: 'center',
  });
}

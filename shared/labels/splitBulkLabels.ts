import { PDFDocument } from 'pdf-lib';
import { type BulkParcel, matchPages } from './matchPages';
import { LOAD_AT_ONCE, SAVE_CUT_LABEL } from './pdfOptions';
import { pdfPageTexts } from './pdfPageTexts';

/** A parcel's label cut from a merged file, and which page (or ZPL label) of that file it was. */
export interface CutLabel {
  readonly bytes: Uint8Array;
  readonly page: number;
}

/**
 * Cuts a merged label file into one file per parcel: a one-page PDF copied from the A6 file, or one
 * `^XA…^XZ` label from the ZPL stream. Only parcels `matchPages` proves are returned (parcel id → cut);
 * a file that cannot be read or cut returns none, so every parcel is fetched on its own.
 */
export async function splitBulkLabels(
  bytes: Uint8Array,
  options: { readonly format: 'a6' | 'zpl'; readonly parcels: readonly BulkParcel[] },
): Promise<Map<number, CutLabel>> {
  return options.format === 'a6' ? splitPdf(bytes, options.parcels) : splitZpl(bytes, options.parcels);
}

async function splitPdf(bytes: Uint8Array, parcels: readonly BulkParcel[]): Promise<Map<number, CutLabel>> {
  const cut = new Map<number, CutLabel>();
  try {
    const source = await PDFDocument.load(bytes, LOAD_AT_ONCE);
    for (const [parcelId, index] of matchPages(pdfPageTexts(source), parcels)) {
      const single = await PDFDocument.create();
      const [page] = await single.copyPages(source, [index]);
      if (!page) continue;
      single.addPage(page);
      cut.set(parcelId, { bytes: await single.save(SAVE_CUT_LABEL), page: index });
    }
  } catch {
    // pdf-lib cannot read or copy it: SendCloud's merged file is no use, each parcel is fetched alone.
    return new Map();
  }
  return cut;
}

/** One label per `^XA…^XZ`; anything else outside them (a `~DG` graphic, say) belongs to no one label. */
function splitZpl(bytes: Uint8Array, parcels: readonly BulkParcel[]): Map<number, CutLabel> {
  const text = Buffer.from(bytes).toString('latin1');
  const labels = text.match(/\^XA[\s\S]*?\^XZ/g) ?? [];
  if (labels.reduce((rest, label) => rest.replace(label, ''), text).trim() !== '') return new Map();
  // What a ZPL label shows: its field data (`^FD…^FS`), one line each.
  const shown = labels.map((label) =>
    [...label.matchAll(/\^FD([\s\S]*?)(?=\^FS|\^XZ)/g)].map((m) => m[1] ?? '').join('\n'),
  );
  const cut = new Map<number, CutLabel>();
  for (const [parcelId, index] of matchPages(shown, parcels)) {
    const label = labels[index];
    if (label !== undefined) cut.set(parcelId, { bytes: Buffer.from(label, 'latin1'), page: index });
  }
  return cut;
}

import { LOAD_AT_ONCE, SAVE_AT_ONCE } from './pdfOptions';

/**
 * One file for the labels of an order's boxes, in box order — the colli of a multicollo shipment, or the
 * shipments of an order shipped one per box: a PDF with a page per box, or the ZPL labels one after the other
 * (each stays its own `^XA…^XZ`). A single label is returned as it is.
 */
export async function joinLabels(files: readonly Uint8Array[], format: 'a6' | 'zpl'): Promise<Uint8Array> {
  if (files.length === 1 && files[0]) return files[0];
  if (format === 'zpl')
    return Buffer.concat(files.map((file) => Buffer.from(file.buffer, file.byteOffset, file.byteLength)));
  // pdf-lib (≈ 420 KiB bundled) is loaded by the first join, not at a function's cold start
  const { PDFDocument } = await import('pdf-lib');
  const joined = await PDFDocument.create();
  for (const file of files) {
    const source = await PDFDocument.load(file, LOAD_AT_ONCE);
    for (const page of await joined.copyPages(source, source.getPageIndices())) joined.addPage(page);
  }
  return joined.save(SAVE_AT_ONCE);
}

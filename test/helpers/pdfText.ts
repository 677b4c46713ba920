import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream, type PDFRef } from 'pdf-lib';

/**
 * The pages of a PDF and the text it draws, read from its decoded content streams: pdf-lib writes each line
 * as a hex string shown with `Tj` (standard fonts, WinAnsi), other producers as a literal `(…) Tj`.
 */
export async function pdfText(bytes: ArrayBuffer | Uint8Array): Promise<{ pages: number; text: string }> {
  const doc = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    for (const ref of refs) {
      const stream = doc.context.lookup(ref as PDFRef);
      if (!(stream instanceof PDFRawStream)) continue;
      const content = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
      for (const m of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g))
        lines.push(Buffer.from(m[1] ?? '', 'hex').toString('latin1'));
      for (const m of content.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)) lines.push(m[1] ?? '');
    }
  }
  return { pages: doc.getPageCount(), text: lines.join('\n') };
}

import { LOAD_AT_ONCE, SAVE_AT_ONCE } from '../../labels/pdfOptions';
import type { A4Position } from './DocumentsApi';

export type { A4Position };

/**
 * One label on an A4 sheet at quadrant `position` (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right,
 * as v2's `start_from`), for v3 which has no positional A4 labels. The label's first page is drawn as it is
 * displayed (its `/Rotate` applied), scaled to fit the quadrant and centred in it.
 */
export async function labelOnA4(labelPdf: Uint8Array, position: A4Position): Promise<Uint8Array> {
  // pdf-lib (≈ 420 KiB bundled) is loaded by the first A4 request, not at the function's cold start
  const { degrees, PageSizes, PDFDocument } = await import('pdf-lib');
  const source = await PDFDocument.load(labelPdf, LOAD_AT_ONCE);
  const sheet = await PDFDocument.create();
  const [sheetWidth, sheetHeight] = PageSizes.A4;
  const page = sheet.addPage([sheetWidth, sheetHeight]);
  const label = await sheet.embedPage(source.getPage(0));
  const angle = (((source.getPage(0).getRotation().angle % 360) + 360) % 360) as 0 | 90 | 180 | 270;
  const turned = angle === 90 || angle === 270;
  const shownWidth = turned ? label.height : label.width;
  const shownHeight = turned ? label.width : label.height;
  const cellWidth = sheetWidth / 2;
  const cellHeight = sheetHeight / 2;
  const scale = Math.min(cellWidth / shownWidth, cellHeight / shownHeight);
  const left = (position % 2) * cellWidth + (cellWidth - shownWidth * scale) / 2;
  const bottom = (position < 2 ? cellHeight : 0) + (cellHeight - shownHeight * scale) / 2;
  // Rotating by -angle about the drawing origin moves the page out of its box; shift it back in.
  const w = label.width * scale;
  const h = label.height * scale;
  const origin = { 0: [0, 0], 90: [0, w], 180: [w, h], 270: [h, 0] }[angle];
  page.drawPage(label, {
    x: left + (origin[0] ?? 0),
    y: bottom + (origin[1] ?? 0),
    xScale: scale,
    yScale: scale,
    rotate: degrees(-angle),
  });
  return sheet.save(SAVE_AT_ONCE);
}

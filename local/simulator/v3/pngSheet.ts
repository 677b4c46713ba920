import { crc32, deflateSync } from 'node:zlib';
import bwipjs from 'bwip-js/node';

/**
 * Several parcels' labels as one PNG (the bulk documents endpoint answers "one merged file"): each tracking
 * number's Code 128 bars, stacked, drawn from bwip-js's bar widths into an 8-bit greyscale image.
 */
const MODULE = 3;
const BAR_HEIGHT = 90;
const GAP = 40;
const QUIET = 10 * MODULE;

function barWidths(trackingNumber: string): number[] {
  const [symbol] = bwipjs.raw('code128', trackingNumber, {});
  return symbol && 'sbs' in symbol ? symbol.sbs : [];
}

export function renderPngSheet(trackingNumbers: readonly string[]): Buffer {
  const symbols = trackingNumbers.map(barWidths);
  const width = 2 * QUIET + Math.max(...symbols.map((s) => s.reduce((a, b) => a + b, 0))) * MODULE;
  const height = GAP + symbols.length * (BAR_HEIGHT + GAP);
  const pixels = Buffer.alloc((width + 1) * height, 0xff);
  for (let row = 0; row < height; row++) pixels[row * (width + 1)] = 0; // filter type "none"
  symbols.forEach((widths, n) => {
    let x = QUIET;
    widths.forEach((modules, i) => {
      const span = modules * MODULE;
      if (i % 2 === 0)
        for (let y = GAP + n * (BAR_HEIGHT + GAP); y < GAP + n * (BAR_HEIGHT + GAP) + BAR_HEIGHT; y++)
          pixels.fill(0, y * (width + 1) + 1 + x, y * (width + 1) + 1 + x + span);
      x += span;
    });
  });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  type PDFDocument,
  PDFName,
  type PDFObject,
  PDFRawStream,
} from 'pdf-lib';

/** Form XObjects nested deeper than this are not read (a label is a page, perhaps wrapped once or twice). */
const MAX_FORM_DEPTH = 3;

/**
 * The text each page of a PDF shows, from its content streams and the form XObjects they draw: the strings
 * of `Tj`, `TJ`, `'` and `"`, one line per operator. Enough to find a tracking number where the font encodes
 * text as bytes (standard fonts, WinAnsi — the simulator's labels and many carriers'); a font with its own
 * glyph encoding yields no match, never a wrong one. A page whose stream cannot be decoded reads as empty.
 */
export function pdfPageTexts(doc: PDFDocument): string[] {
  return doc.getPages().map((page) => {
    try {
      return streamsText(doc, page.node.Contents(), page.node.Resources(), 0);
    } catch {
      return '';
    }
  });
}

function streamsText(
  doc: PDFDocument,
  contents: PDFObject | undefined,
  resources: PDFDict | undefined,
  depth: number,
): string {
  const target = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  const lines: string[] = [];
  for (const item of target) {
    const stream = doc.context.lookup(item);
    if (!(stream instanceof PDFRawStream)) continue;
    const content = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    lines.push(...shownText(content));
    if (depth >= MAX_FORM_DEPTH) continue;
    const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    for (const [, name] of content.matchAll(/\/([^\s/[\]()<>{}%]+)\s+Do\b/g)) {
      const form = xobjects?.lookup(PDFName.of(name ?? ''));
      if (!(form instanceof PDFRawStream)) continue;
      if (form.dict.get(PDFName.of('Subtype')) !== PDFName.of('Form')) continue;
      lines.push(streamsText(doc, form, form.dict.lookupMaybe(PDFName.of('Resources'), PDFDict), depth + 1));
    }
  }
  return lines.join('\n');
}

const STRING = String.raw`<[0-9A-Fa-f\s]*>|\((?:\\[\s\S]|[^\\)])*\)`;
const SHOW = new RegExp(
  String.raw`(${STRING})\s*(?:Tj|'|")|\[((?:\s*(?:${STRING}|-?[\d.]+))*)\s*\]\s*TJ`,
  'g',
);

function shownText(content: string): string[] {
  const lines: string[] = [];
  for (const [, single, array] of content.matchAll(SHOW)) {
    if (single) lines.push(decodeString(single));
    else if (array)
      lines.push([...array.matchAll(new RegExp(STRING, 'g'))].map((m) => decodeString(m[0])).join(''));
  }
  return lines;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** A PDF string operand, hex `<…>` or literal `(…)` with its escapes, as Latin-1 text. */
function decodeString(token: string): string {
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1).replace(/\s/g, '');
    return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex').toString('latin1');
  }
  return token
    .slice(1, -1)
    .replace(/\\([0-7]{1,3}|[\s\S])/g, (_, escaped: string) =>
      /^[0-7]/.test(escaped)
        ? String.fromCharCode(Number.parseInt(escaped, 8))
        : escaped === '\n' || escaped === '\r'
          ? ''
          : (ESCAPES[escaped] ?? escaped),
    );
}

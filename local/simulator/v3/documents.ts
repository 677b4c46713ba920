import type { SimAccount } from '../accounts';
import { inBulkPageOrder } from '../bulkPageOrder';
import { renderLabelPrinterPdf, renderNormalPrinterPdf, renderPng, renderZpl } from '../labels';
import type { SimParcel } from '../parcels';
import type { SimResponse } from '../Simulator';
import type { V3Context, V3Handler } from './context';
import { renderCustomsDeclarations } from './customsDeclaration';
import { jsonApiError, notFound } from './errors';
import { hasLabel, labelFor } from './labelData';
import { fitToPaper, PAPER_SIZES, type PaperSize } from './paper';
import { renderPngSheet } from './pngSheet';
import { isOutsideEu } from './shipmentJson';

/**
 * `GET /parcels/{id}/documents/{type}` and `GET /parcel-documents/{type}?parcels=…` (S-v3docs): label,
 * customs declaration or air waybill as PDF, ZPL or PNG by `Accept`, on A4/A5/A6 by `paper_size`. The bulk
 * `parcels` parameter is an integer array without `style`/`explode`, so OpenAPI's default applies: the key
 * repeated (`?parcels=1&parcels=2`); a comma list is not an integer and is refused.
 */
const TYPES = ['label', 'customs-declaration', 'air-waybill'];
type Format = 'application/pdf' | 'application/zpl' | 'image/png';
const VALID_DPI: Readonly<Record<Format, readonly number[] | undefined>> = {
  'application/pdf': [72],
  'image/png': [150, 300],
  'application/zpl': undefined, // carrier-native resolution; dpi is ignored
};
const NO_PARCEL = 'No Parcel matches the given query.';
const MAX_BULK = 20;

const formatOf = (accept: string | string[] | undefined): Format => {
  const value = String(accept ?? '');
  if (value.includes('application/zpl')) return 'application/zpl';
  if (value.includes('image/png')) return 'image/png';
  return 'application/pdf';
};

interface DocumentQuery {
  readonly type: string;
  readonly format: Format;
  readonly paper: PaperSize | undefined;
}

/** The type, format, paper size and dpi checks both endpoints share; a 400 when one fails. */
function readQuery(
  req: Parameters<V3Handler>[1],
  type: string,
  withDpi: boolean,
): DocumentQuery | SimResponse {
  if (!TYPES.includes(type)) return jsonApiError(400, 'invalid', 'Invalid document type.');
  const format = formatOf(req.headers.accept);
  // The documents' own links use lowercase (`?paper_size=a4`, returns example), so case is not significant.
  const paperText = req.query.get('paper_size')?.toUpperCase();
  if (paperText !== undefined && !(paperText in PAPER_SIZES))
    return jsonApiError(400, 'invalid_choice', `"${req.query.get('paper_size')}" is not a valid choice.`, {
      parameter: 'paper_size',
    });
  const dpi = req.query.get('dpi');
  const allowed = VALID_DPI[format];
  if (withDpi && dpi !== null && allowed && !allowed.includes(Number(dpi)))
    return jsonApiError(
      400,
      'invalid',
      `dpi ${dpi} is not valid for ${format}; valid: ${allowed.join(', ')}.`,
      {
        parameter: 'dpi',
      },
    );
  if (type === 'customs-declaration' && format !== 'application/pdf')
    return jsonApiError(400, 'invalid', 'A customs declaration is available as application/pdf only.', {
      header: 'Accept',
    });
  return { type, format, paper: paperText as PaperSize | undefined };
}

const hasDocument = (parcel: SimParcel, type: string): boolean =>
  hasLabel(parcel) && (type === 'label' || (type === 'customs-declaration' && isOutsideEu(parcel)));

export const parcelDocument: V3Handler = (ctx, req) => {
  const [id = '', type = ''] = req.params;
  const query = readQuery(req, type, true);
  if ('status' in query) return query;
  const parcel = ctx.sim.parcels.get(Number(id));
  if (!parcel || parcel.accountId !== req.account.id) return notFound(NO_PARCEL);
  if (!hasDocument(parcel, type)) return notFound('Document type requested is not available for the parcel.');
  return render(ctx, req.account, [parcel], query);
};

export const bulkDocuments: V3Handler = (ctx, req) => {
  const [type = ''] = req.params;
  const query = readQuery(req, type, false);
  if ('status' in query) return query;
  const values = req.query.getAll('parcels');
  const parameter = { parameter: 'parcels' };
  if (values.length === 0) return jsonApiError(400, 'required', 'This field is required.', parameter);
  if (values.some((v) => !/^\d+$/.test(v)))
    return jsonApiError(
      400,
      'invalid',
      'A valid integer is required; repeat the parameter per parcel (?parcels=1&parcels=2).',
      parameter,
    );
  if (values.length > MAX_BULK)
    return jsonApiError(
      400,
      'invalid',
      `Ensure this field has no more than ${MAX_BULK} elements.`,
      parameter,
    );
  // As v2's bulk labels do: parcels without the document are left out; only when none is left is it a 404.
  const parcels = values
    .map((v) => ctx.sim.parcels.get(Number(v)))
    .filter((p): p is SimParcel => p?.accountId === req.account.id && hasDocument(p, type));
  if (parcels.length === 0) return notFound(NO_PARCEL);
  return render(ctx, req.account, inBulkPageOrder(parcels, req.account.bulkPageOrder), query);
};

async function render(
  ctx: V3Context,
  account: SimAccount,
  parcels: readonly SimParcel[],
  query: DocumentQuery,
): Promise<SimResponse> {
  const file = (body: string | Uint8Array, contentType: Format): SimResponse => ({
    status: 200,
    body,
    headers: { 'content-type': contentType },
  });
  if (query.type === 'customs-declaration') {
    const pdf = await renderCustomsDeclarations(ctx, account, parcels);
    return file(
      query.paper && query.paper !== 'A4' ? await fitToPaper(pdf, query.paper) : pdf,
      'application/pdf',
    );
  }
  const labels = parcels.map((p) => labelFor(ctx, account, p));
  // A label the carrier made as native ZPL (asked for at announce) cannot be converted (S-v3docs, Accept).
  const nativeZpl = parcels.some(
    (p) => ctx.store.shipments.get(p.shipmentUuid)?.request.label_details?.mime_type === 'application/zpl',
  );
  if (nativeZpl || query.format === 'application/zpl') return file(renderZpl(labels), 'application/zpl');
  if (query.format === 'image/png') {
    const [only] = labels;
    return file(
      only && labels.length === 1
        ? await renderPng(only)
        : renderPngSheet(labels.map((l) => l.trackingNumber)),
      'image/png',
    );
  }
  if (query.paper === 'A4') return file(await renderNormalPrinterPdf(labels, 0), 'application/pdf');
  const a6 = await renderLabelPrinterPdf(labels);
  return file(query.paper === 'A5' ? await fitToPaper(a6, 'A5') : a6, 'application/pdf');
}

import type { SimAccount } from '../accounts';
import { senderAsV3 } from './addresses';
import type { V3Handler } from './context';
import { jsonApiError } from './errors';
import { decodeCursor, linkHeader, pageOf } from './pagination';
import { V3_STATUSES } from './statusCodes';

/** `GET /addresses/sender-addresses` (cursor, `page_size` ≤100, `Link` header), `/{id}`, and `GET /parcels/statuses`. */
type SenderAddress = SimAccount['senderAddresses'][number];

function senderJson(sender: SenderAddress) {
  const { state_province_code, ...address } = senderAsV3(sender);
  const vat = typeof sender.vat_number === 'string' ? sender.vat_number : '';
  const eori = typeof sender.eori_number === 'string' ? sender.eori_number : '';
  return {
    id: sender.id,
    ...address,
    ...(state_province_code ? { state_province_code } : {}),
    ...(typeof sender.postal_box === 'string' && sender.postal_box ? { po_box: sender.postal_box } : {}),
    signature: {
      full_name: typeof sender.signature_full_name === 'string' ? sender.signature_full_name : '',
      initials: typeof sender.signature_initials === 'string' ? sender.signature_initials : '',
    },
    tax_numbers: [
      ...(vat ? [{ name: 'VAT', country_code: sender.country, value: vat }] : []),
      ...(eori ? [{ name: 'EORI', country_code: sender.country, value: eori }] : []),
    ],
  };
}

export const listSenderAddresses: V3Handler = (ctx, req) => {
  const size = Number(req.query.get('page_size') ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    return jsonApiError(400, 'invalid', 'Ensure this value is less than or equal to 100.', {
      parameter: 'page_size',
    });
  const cursor = decodeCursor(req.query.get('cursor'));
  if (cursor === null) return jsonApiError(404, 'not_found', 'Invalid cursor', { parameter: 'cursor' });
  const all = [...req.account.senderAddresses].sort((a, b) => b.id - a.id);
  const page = pageOf(all, (a) => a.id, cursor, size);
  const link = linkHeader(`${ctx.baseUrl}/addresses/sender-addresses/`, req.query, page);
  return { status: 200, json: { data: page.items.map(senderJson) }, ...(link ? { headers: { link } } : {}) };
};

export const getSenderAddress: V3Handler = (_ctx, req) => {
  const found = req.account.senderAddresses.find((a) => String(a.id) === req.params[0]);
  return found
    ? { status: 200, json: { data: senderJson(found) } }
    : jsonApiError(404, 'not_found', 'No sender address found.');
};

export const parcelStatuses: V3Handler = () => ({ status: 200, json: { data: V3_STATUSES } });

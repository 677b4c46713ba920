import { CANCELLATION_REQUESTED } from '../statuses';
import type { V3Context, V3Handler, V3Request } from './context';
import { jsonApiError, notFound } from './errors';
import { decodeCursor, pageOf, pageUrl } from './pagination';
import { isCancellable, type ReturnEntry, returnJson, returnParcels } from './returnJson';
import { slugOf, v3Code } from './statusCodes';

/** `from_date` / `to_date` as the document writes them (`2022-04-06 00:00:00`, UTC) or ISO 8601. */
function parseDate(value: string): number {
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
}

const PARENT_STATUSES = new Set([
  ...[
    'ready-to-send',
    'announced',
    'to-sorting',
    'delayed',
    'sorted',
    'unsorted',
    'sorting',
    'delivery-failed',
  ],
  ...['delivery-forced', 'delivered', 'awaiting-customer-pickup', 'announced-uncollected', 'collect-error'],
  ...['unsorted2', 'undeliverable', 'shipment-on-route', 'driver-on-route', 'picked-up-by-driver'],
  ...['collected-by-customer', 'no-label', 'announcing', 'cancelling-upstream', 'cancelling', 'cancelled'],
  ...['cancelled-upstream', 'unknown', 'announcement-failed', 'at-customs', 'at-sorting-centre'],
  ...['refused-by-recipient', 'returned-to-sender', 'delivery-method-changed', 'delivery-date-changed'],
  ...['delivery-address-changed', 'exception', 'address-invalid'],
]);

/**
 * `GET /returns?from_date=&to_date=` (both required), `parent_parcel_status`, `page_size` ≤40, a cursor, the
 * links in `next`/`previous`. v2-created returns are listed too: both versions share `Simulator.returns`.
 */
export const listReturns: V3Handler = (ctx, req) => {
  const q = req.query;
  const window: number[] = [];
  for (const name of ['from_date', 'to_date']) {
    const value = q.get(name);
    if (value === null) return jsonApiError(400, 'required', 'This field is required.', { parameter: name });
    const at = parseDate(value);
    if (Number.isNaN(at))
      return jsonApiError(400, 'invalid', 'Enter a valid date/time.', { parameter: name });
    window.push(at);
  }
  const [from = 0, to = 0] = window;
  if (from > to)
    return jsonApiError(400, 'invalid', 'from_date must not be after to_date.', { parameter: 'from_date' });
  const size = Number(q.get('page_size') ?? 40);
  if (!Number.isInteger(size) || size < 1 || size > 40)
    return jsonApiError(400, 'invalid', 'Ensure this value is less than or equal to 40.', {
      parameter: 'page_size',
    });
  const status = q.get('parent_parcel_status');
  if (status !== null && !PARENT_STATUSES.has(status))
    return jsonApiError(400, 'invalid_choice', `"${status}" is not a valid choice.`, {
      parameter: 'parent_parcel_status',
    });
  const cursor = decodeCursor(q.get('cursor'));
  if (cursor === null) return jsonApiError(404, 'not_found', 'Invalid cursor', { parameter: 'cursor' });
  const all = ctx.sim.returns
    .filter((r) => r.accountId === req.account.id)
    .filter((r) => r.createdAt.getTime() >= from && r.createdAt.getTime() <= to)
    .map((entry) => ({ entry, parcels: returnParcels(ctx, entry) }))
    .filter(
      ({ parcels }) => parcels[0] && (status === null || slugOf(v3Code(parcels[0].status.id)) === status),
    )
    .sort((a, b) => b.entry.id - a.entry.id);
  const page = pageOf(all, (r) => r.entry.id, cursor, size);
  const base = `${ctx.baseUrl}/returns`;
  return {
    status: 200,
    json: {
      ...(page.next ? { next: pageUrl(base, q, page.next) } : {}),
      ...(page.previous ? { previous: pageUrl(base, q, page.previous) } : {}),
      data: page.items.map(({ entry, parcels }) => returnJson(ctx, entry, parcels)),
    },
  };
};

function ownReturn(ctx: V3Context, req: V3Request): ReturnEntry | undefined {
  const id = Number(req.params[0]);
  return ctx.sim.returns.find((r) => r.id === id && r.accountId === req.account.id);
}

export const getReturn: V3Handler = (ctx, req) => {
  const entry = ownReturn(ctx, req);
  const json = entry ? returnJson(ctx, entry, returnParcels(ctx, entry)) : undefined;
  return json ? { status: 200, json } : notFound();
};

/** `PATCH /returns/{id}/cancel`: a request (202) the carrier timeline completes, or 409 in the document's own shape. */
export const cancelReturn: V3Handler = (ctx, req) => {
  const entry = ownReturn(ctx, req);
  const parcels = entry ? returnParcels(ctx, entry) : [];
  if (!entry || parcels.length === 0) return notFound();
  if (!parcels.every((p) => isCancellable(p, ctx.sim.now())))
    return {
      status: 409,
      json: { errors: [{ field: 'returns', code: 409, message: 'Return is not cancellable.' }] },
    };
  for (const parcel of parcels) ctx.sim.setStatus(parcel, CANCELLATION_REQUESTED);
  return { status: 202, json: { message: 'Cancellation requested successfully' } };
};

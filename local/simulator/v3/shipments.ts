import type { SimParcel } from '../parcels';
import type { SimResponse } from '../Simulator';
import type { V3Handler } from './context';
import { jsonApiError, notFound } from './errors';
import { decodeCursor, linkHeader, pageOf } from './pagination';
import { shipmentJson } from './shipmentJson';
import { statusIdOf } from './statusCodes';
import { isShipment, type Shipment, shipmentById, shipmentsOf } from './store';

/**
 * `GET /shipments` (the documented filters; `updated_after` lists what changed since a time), `GET
 * /shipments/{id}` and `POST /shipments/{id}/cancel`. Return parcels are the Returns API's, not shipments.
 * Pages follow the `Link` header; the 200 of the list declares `minItems: 1`, so no match is the documented
 * 404, not an empty list.
 */
const key = (s: Shipment) => s.parcels[0]?.id ?? 0;
const latest = (parcels: readonly SimParcel[], pick: (p: SimParcel) => Date | null) =>
  Math.max(...parcels.map((p) => pick(p)?.getTime() ?? Number.NEGATIVE_INFINITY));
const badParameter = (parameter: string, detail: string) =>
  jsonApiError(400, 'validation_error', detail, { parameter });

type Filter = (s: Shipment) => boolean;

function filtersOf(query: URLSearchParams, integrationId: number): Filter[] | SimResponse {
  const filters: Filter[] = [];
  const equals = (name: string, match: (s: Shipment, value: string) => boolean) => {
    const value = query.get(name);
    if (value !== null) filters.push((s) => match(s, value));
  };
  equals('tracking_number', (s, v) => s.parcels.some((p) => p.trackingNumber === v));
  equals('external_reference_id', (s, v) => s.parcels[0]?.externalReference === v);
  equals('order_number', (s, v) => String(s.parcels[0]?.fields.order_number ?? '') === v);
  equals('integration_id', (_, v) => v === String(integrationId));
  const status = query.get('parcel_status');
  if (status !== null) {
    const id = statusIdOf(status);
    if (id === undefined)
      return badParameter('parcel_status', `Validation failed, "${status}" is not a parcel status`);
    filters.push((s) => s.parcels.some((p) => p.status.id === id));
  }
  const times: Array<[string, (p: SimParcel) => Date | null, 'before' | 'after']> = [
    ['updated_before', (p) => p.dateUpdated, 'before'],
    ['updated_after', (p) => p.dateUpdated, 'after'],
    ['announced_before', (p) => p.dateAnnounced, 'before'],
    ['announced_after', (p) => p.dateAnnounced, 'after'],
  ];
  for (const [name, pick, side] of times) {
    const value = query.get(name);
    if (value === null) continue;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return badParameter(name, `Validation failed, ${name} is not a datetime`);
    filters.push((s) => (side === 'after' ? latest(s.parcels, pick) > at : latest(s.parcels, pick) < at));
  }
  for (const [name, match] of [
    ['ids', (s: Shipment, wanted: Set<string>) => s.parcels.some((p) => wanted.has(String(p.id)))],
    ['shipment_uuids', (s: Shipment, wanted: Set<string>) => wanted.has(s.id)],
  ] as const) {
    const value = query.get(name);
    if (value === null) continue;
    const wanted = new Set(value.split(',').filter(Boolean));
    if (wanted.size > 100)
      return badParameter(name, `Validation failed, ${name} may not contain more than 100 IDs`);
    if (name === 'ids' && [...wanted].some((id) => !/^\d+$/.test(id)))
      return badParameter(name, 'Validation failed, ids must be parcel ids');
    filters.push((s) => match(s, wanted));
  }
  return filters;
}

export const listShipments: V3Handler = (ctx, req) => {
  const size = Number(req.query.get('page_size') ?? 40);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    return badParameter('page_size', 'Validation failed, page_size must be an integer from 1 to 100');
  const filters = filtersOf(req.query, req.account.integrationId);
  if (!Array.isArray(filters)) return filters;
  const cursor = decodeCursor(req.query.get('cursor'));
  if (cursor === null) return jsonApiError(404, 'not_found', 'Invalid cursor', { pointer: '/data' });
  const all = shipmentsOf(ctx.sim, req.account.id)
    .filter((s) => isShipment(s) && filters.every((f) => f(s)))
    .sort((a, b) => key(b) - key(a));
  const page = pageOf(all, key, cursor, size);
  if (page.items.length === 0) return notFound('No shipments match the given query.');
  const link = linkHeader(`${ctx.baseUrl}/shipments/`, req.query, page);
  return {
    status: 200,
    json: { data: page.items.map((s) => shipmentJson(ctx, req.account, s)) },
    ...(link ? { headers: { link } } : {}),
  };
};

export const getShipment: V3Handler = (ctx, req) => {
  const shipment = shipmentById(ctx.sim, req.account.id, req.params[0] ?? '');
  return shipment && isShipment(shipment)
    ? { status: 200, json: { data: shipmentJson(ctx, req.account, shipment) } }
    : notFound();
};

/**
 * `GET /shipments/{id}/return-portal-url`: the v2 link of the shipment's first parcel (the account's brand
 * portal), in v3's envelope; no brand is the documented 404.
 */
export const shipmentReturnPortalUrl: V3Handler = (ctx, req) => {
  const shipment = shipmentById(ctx.sim, req.account.id, req.params[0] ?? '');
  const parcel = shipment && isShipment(shipment) ? shipment.parcels[0] : undefined;
  if (!parcel) return notFound();
  const v2 = ctx.sim.returnPortalUrl(req.account, parcel.id);
  const url = (v2.json as { url?: string | null } | undefined)?.url;
  return v2.status === 200 && url
    ? { status: 200, json: { data: { url } } }
    : notFound('No return portal is configured for this shipment.');
};

/**
 * The v2 cancel rules (`Simulator.cancelParcel`, REFERENCE.md §2.7) applied to every parcel, answered in v3's
 * terms: queued → 202, cancelled → 200, rejected → 409. An unannounced or refused shipment is deleted (v2's
 * 410): v3 documents no 410, so that is a 200 saying so.
 */
export const cancelShipment: V3Handler = (ctx, req) => {
  const shipment = shipmentById(ctx.sim, req.account.id, req.params[0] ?? '');
  if (!shipment || !isShipment(shipment)) return notFound();
  const [first] = shipment.parcels.map((p) => ctx.sim.cancelParcel(req.account, p.id));
  const outcome = first?.json as { status?: string; message?: string } | undefined;
  switch (first?.status) {
    case 202:
      return {
        status: 202,
        json: { data: { status: 'queued', message: 'Shipment cancellation has been queued' } },
      };
    case 200:
      return { status: 200, json: { data: { status: 'cancelled', message: 'Shipment has been cancelled' } } };
    case 410:
      ctx.store.shipments.delete(shipment.id);
      return { status: 200, json: { data: { status: 'deleted', message: 'Shipment has been deleted' } } };
    default:
      return jsonApiError(409, 'invalid', outcome?.message ?? 'This shipment can not be cancelled.');
  }
};

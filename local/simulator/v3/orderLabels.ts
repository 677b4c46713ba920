import type { SimAccount } from '../accounts';
import { ANNOUNCEMENT_FAILED, CANCELLATION_REQUESTED, CANCELLED } from '../statuses';
import { queueAnnouncement } from './asyncAnnouncements';
import type { V3Context, V3Handler } from './context';
import { commitShipment } from './createShipment';
import { type ErrorObject, errorObject, errorsResponse, jsonApiError } from './errors';
import { type LabelsBody, type OrderSelector, parseLabelsBody } from './labelsRequest';
import { shipmentBodyFor } from './orderShipment';
import { orderByOrderId, ordersOf } from './orders';
import { planShipment } from './shipmentPlan';
import { isShipment, type Shipment, shipmentById } from './store';

/**
 * `POST /orders/create-labels-async`: a shipment per order, answered 202 with what was queued (`data`) and,
 * per order that could not be, an error pointing at it (`/data/attributes/orders/[i]`, the document's
 * `SomeLabelsContainErrors`). A body that breaks the document, another integration or an unknown sender
 * address fails the whole call. Each shipment is an ordinary simulator shipment (reads, documents, cancel,
 * timelines, webhooks, counts under the order's `order_id`) with a null `external_reference_id`; it stays
 * `ANNOUNCING` until the carrier answers (`asyncAnnouncements.ts`).
 *
 * Whether SendCloud refuses a second label request for an order is not documented, so the account's
 * `duplicateExternalReference` mode plays each case: `accept` ships it again, `reject` is an error for the
 * order, `return-existing` answers the shipment already there. A cancelled or refused shipment never counts.
 */
const DEAD = new Set([ANNOUNCEMENT_FAILED, CANCELLED, CANCELLATION_REQUESTED, 2001, 1998]);

const orderFailure = (index: number, detail: string, status = 400): ErrorObject =>
  errorObject(status, status === 404 ? 'not_found' : 'validation_error', detail, {
    pointer: `/data/attributes/orders/[${index}]`,
  });

export const createLabelsAsync: V3Handler = (ctx, req) => {
  const parsed = parseLabelsBody(req.body);
  if ('errors' in parsed) return errorsResponse(400, parsed.errors);
  const { body } = parsed;
  const { account } = req;
  if (body.integration_id !== account.integrationId)
    return jsonApiError(404, 'invalid', `Integration with id ${body.integration_id} does not exist.`, {
      pointer: '/data/attributes/integration_id',
    });
  const senderAddressId = body.sender_address_id ?? account.senderAddresses[0]?.id ?? 0;
  if (!account.senderAddresses.some((a) => a.id === senderAddressId))
    return jsonApiError(404, 'invalid', 'Does not exist.', { pointer: '/data/attributes/sender_address_id' });

  const refusal = req.carrierReject ? `Service error: ${req.carrierReject}` : null;
  const data: Array<Record<string, unknown>> = [];
  const errors: ErrorObject[] = [];
  const chosen = new Set<number>();
  for (const [i, selector] of body.orders.entries()) {
    const found = findOrder(ctx, account, body.integration_id, selector);
    if (typeof found === 'string') {
      errors.push(orderFailure(i, found, 404));
      continue;
    }
    if (chosen.has(found.id)) {
      errors.push(orderFailure(i, 'This order is chosen more than once in this request.'));
      continue;
    }
    chosen.add(found.id);
    const order = found.order;
    const answer = (shipment: Shipment) => data.push(labelJson(shipment, order, body));
    const [earlier] = liveShipmentsOf(ctx, account, found.id);
    if (earlier && account.duplicateExternalReference === 'reject') {
      errors.push(orderFailure(i, 'A label was already requested for this order.', 409));
      continue;
    }
    if (earlier && account.duplicateExternalReference === 'return-existing') {
      answer(earlier);
      continue;
    }
    const request = shipmentBodyFor(order, { labels: body, selector, senderAddressId });
    if ('problems' in request) {
      errors.push(...request.problems.map((problem) => orderFailure(i, problem)));
      continue;
    }
    const planned = planShipment(account, request.body);
    if ('errors' in planned) {
      errors.push(...planned.errors.map((e) => orderFailure(i, planProblem(e))));
      continue;
    }
    const record = commitShipment(ctx, {
      account,
      body: request.body,
      plan: planned.plan,
      order: { id: found.id, orderId: order.order_id, integrationId: body.integration_id },
    });
    queueAnnouncement(ctx, { account, record, refusal });
    const shipment = shipmentById(ctx.sim, account.id, record.id);
    if (shipment) answer(shipment);
  }
  return { status: 202, json: { data, ...(errors.length > 0 ? { errors } : {}) } };
};

/** The order a selector names in the integration, or why there is none. */
function findOrder(ctx: V3Context, account: SimAccount, integrationId: number, selector: OrderSelector) {
  if (selector.order_id !== undefined)
    return (
      orderByOrderId(ctx, account, { integrationId, orderId: selector.order_id }) ??
      `No order with order_id "${selector.order_id}" in integration ${integrationId}.`
    );
  const number = selector.order_number ?? '';
  const matches = ordersOf(ctx, account).filter(
    (o) => o.order.order_details.integration.id === integrationId && o.order.order_number === number,
  );
  if (matches.length > 1)
    return `More than one order has order_number "${number}": choose the order by order_id.`;
  return matches[0] ?? `No order with order_number "${number}" in integration ${integrationId}.`;
}

/** Shipments made for the order that still stand (not cancelled, not refused by the carrier), oldest first. */
function liveShipmentsOf(ctx: V3Context, account: SimAccount, orderRecordId: number): Shipment[] {
  return [...ctx.store.shipments.values()]
    .filter((r) => r.accountId === account.id && r.order?.id === orderRecordId)
    .map((r) => shipmentById(ctx.sim, account.id, r.id))
    .filter((s): s is Shipment => s !== undefined && isShipment(s))
    .filter((s) => s.parcels.some((p) => !DEAD.has(p.status.id)))
    .sort((a, b) => (a.parcels[0]?.id ?? 0) - (b.parcels[0]?.id ?? 0));
}

/** The planner's problem in the order's terms: its pointer names the shipment request, not the order. */
function planProblem(error: ErrorObject): string {
  const at = error.source?.pointer ?? '';
  if (at.startsWith('/to_address')) return 'The order has no valid shipping address.';
  if (at.startsWith('/from_address')) return `Sender address: ${error.detail}`;
  return error.detail;
}

/** `label-async`: the shipment made (or found) for the order. */
function labelJson(
  shipment: Shipment,
  order: { readonly order_id: string; readonly order_number: string },
  body: LabelsBody,
): Record<string, unknown> {
  const ids = shipment.parcels.map((p) => p.id);
  return {
    shipment_id: shipment.id,
    ...(ids[0] === undefined ? {} : { parcel_id: ids[0] }),
    parcels_ids: ids,
    order_id: order.order_id,
    order_number: order.order_number,
    ...(body.ship_with ? { ship_with: body.ship_with } : {}),
  };
}

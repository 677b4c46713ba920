import type { SimAccount } from '../accounts';
import type { V3Context, V3Handler } from './context';
import { type ErrorObject, errorsResponse, jsonApiError, notFound } from './errors';
import { orderError, parseOrders } from './orderRequest';
import { decodeCursor, linkHeader, pageOf } from './pagination';
import type { OrderRecord } from './store';

/**
 * The Orders API: `POST /orders` upserts 1–100 orders on `order_id` + `integration.id`, all or nothing (any
 * problem → 400 with every problem, nothing stored), answering 201 `{data: [{id, order_id, order_number}]}`;
 * `GET /orders` and `GET|DELETE /orders/{id}`. An account has one integration: orders naming another are the
 * documented `IntegrationNotFound`. Saving is synchronous here (SendCloud says it may not be at once).
 */
export const ordersOf = (ctx: V3Context, account: SimAccount): OrderRecord[] =>
  [...ctx.store.orders.values()].filter((o) => o.accountId === account.id);

const sameIntegration = (record: OrderRecord, integrationId: number) =>
  record.order.order_details.integration.id === integrationId;

export function orderByOrderId(
  ctx: V3Context,
  account: SimAccount,
  selector: { readonly integrationId: number; readonly orderId: string },
): OrderRecord | undefined {
  return ordersOf(ctx, account).find(
    (o) => sameIntegration(o, selector.integrationId) && o.order.order_id === selector.orderId,
  );
}

const ownOrder = (ctx: V3Context, account: SimAccount, id: string): OrderRecord | undefined => {
  const record = /^\d+$/.test(id) ? ctx.store.orders.get(Number(id)) : undefined;
  return record?.accountId === account.id ? record : undefined;
};

export const upsertOrders: V3Handler = (ctx, req) => {
  const parsed = parseOrders(req.body);
  if ('errors' in parsed) return errorsResponse(400, parsed.errors);
  const { account } = req;
  const errors: ErrorObject[] = [];
  const firstIndex = new Map<string, number>();
  const targets = parsed.orders.map((order, i) => {
    const integrationId = order.order_details.integration.id;
    if (integrationId !== account.integrationId)
      errors.push(
        orderError(i, 'order_details/integration/id', `Integration with id ${integrationId} does not exist`),
      );
    const key = `${integrationId}|${order.order_id}`;
    if (firstIndex.has(key))
      errors.push(orderError(i, 'order_id', `Order id ${order.order_id} is in this batch more than once`));
    else firstIndex.set(key, i);
    if (order.id === undefined)
      return orderByOrderId(ctx, account, { integrationId, orderId: order.order_id });
    const named = ownOrder(ctx, account, order.id);
    if (!named) errors.push(orderError(i, 'id', `Order with id ${order.id} does not exist`));
    else if (named.order.order_id !== order.order_id)
      errors.push(orderError(i, 'order_id', `Order id ${named.order.order_id} cannot be changed`));
    return named;
  });
  if (errors.length > 0) return errorsResponse(400, errors);

  const now = ctx.sim.now().toISOString();
  const data = parsed.orders.map(({ id: _, ...order }, i) => {
    const existing = targets[i];
    const record: OrderRecord = existing ?? {
      id: ctx.store.nextOrderId(),
      accountId: account.id,
      order,
      createdAt: now,
      modifiedAt: now,
    };
    record.order = order;
    record.modifiedAt = now;
    ctx.store.orders.set(record.id, record);
    return { id: record.id, order_id: order.order_id, order_number: order.order_number };
  });
  return { status: 201, json: { data } };
};

/** An order as `orders-order` renders it (its `id` a string, as the document's example shows). */
const orderJson = (record: OrderRecord) => {
  const { order_id, order_number, ...rest } = record.order;
  return {
    id: String(record.id),
    order_id,
    order_number,
    created_at: record.createdAt,
    modified_at: record.modifiedAt,
    ...rest,
  };
};

export const getOrder: V3Handler = (ctx, req) => {
  const record = ownOrder(ctx, req.account, req.params[0] ?? '');
  return record ? { status: 200, json: { data: orderJson(record) } } : notFound();
};

export const deleteOrder: V3Handler = (ctx, req) => {
  const record = ownOrder(ctx, req.account, req.params[0] ?? '');
  if (!record) return notFound();
  ctx.store.orders.delete(record.id);
  return { status: 204 };
};

const MAX_PAGE = 200;
const badParameter = (parameter: string, detail: string) =>
  jsonApiError(400, 'validation_error', detail, { parameter });
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** `GET /orders`: newest first, filtered by integration, order number, order id and status (case-insensitive). */
export const listOrders: V3Handler = (ctx, req) => {
  const { query } = req;
  const size = Number(query.get('page_size') ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
    return badParameter('page_size', `Validation failed, page_size must be an integer from 1 to ${MAX_PAGE}`);
  const cursor = decodeCursor(query.get('cursor'));
  if (cursor === null) return jsonApiError(404, 'not_found', 'Invalid cursor');
  const integrations = query.get('integration')?.split(',').filter(Boolean).map(Number);
  const filters: Array<(o: OrderRecord) => boolean> = [];
  if (integrations) filters.push((o) => integrations.includes(o.order.order_details.integration.id));
  const equals = (name: string, pick: (o: OrderRecord) => string) => {
    const value = query.get(name);
    if (value !== null) filters.push((o) => same(pick(o), value));
  };
  equals('order_number', (o) => o.order.order_number);
  equals('order_id', (o) => o.order.order_id);
  equals('status', (o) => o.order.order_details.status.code);
  const all = ordersOf(ctx, req.account)
    .filter((o) => filters.every((f) => f(o)))
    .sort((a, b) => b.id - a.id);
  const page = pageOf(all, (o) => o.id, cursor, size);
  const link = linkHeader(`${ctx.baseUrl}/orders`, query, page);
  return {
    status: 200,
    json: { data: page.items.map(orderJson) },
    ...(link ? { headers: { link } } : {}),
  };
};

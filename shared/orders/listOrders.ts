import { HttpError } from '../http/errors';
import type { OrderStore } from '../store';
import * as z from '../validation/zod';
import { ORDER_STATUSES, type OrderRecord } from './Order';

/** `GET /orders`: what operations filter by. Days are UTC calendar days of acceptance. */
export const ListOrdersQuery = z.strictObject({
  account: z._default(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a configured SendCloud account id')),
    'default',
  ),
  from: z.optional(z.iso.date('a day as YYYY-MM-DD')),
  to: z.optional(z.iso.date('a day as YYYY-MM-DD')),
  status: z.optional(z.enum(ORDER_STATUSES)),
  channel: z.optional(z.string().check(z.regex(/^[a-z0-9_-]{1,30}$/, 'a channel such as "webshop"'))),
  limit: z._default(
    z.coerce.number().check(z.int('a whole number'), z.gte(1, 'at least 1'), z.lte(100, 'at most 100')),
    50,
  ),
  cursor: z.optional(z.string().check(z.maxLength(2_000))),
});
export type ListOrdersQuery = z.infer<typeof ListOrdersQuery>;

/** At most this many days in one listing (each day is one index partition). */
const MAX_DAYS = 31;
const DAY_MS = 86_400_000;

/** An order as a list shows it: no personal data. */
export interface ListedOrder {
  readonly orderId: string;
  readonly channel: string;
  readonly account: string;
  readonly status: OrderRecord['status'];
  readonly generation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly failure: { readonly code: string; readonly reason: string } | null;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly links: { readonly self: string };
}

const Cursor = z.object({ d: z.iso.date(), k: z.optional(z.record(z.string(), z.unknown())) });

/**
 * An account's orders, newest first, a page at a time across the days from `from` to `to` (default: the
 * last 7 days up to today). `status` and `channel` filter each page, so a page may hold fewer than `limit`:
 * follow `next` until it is null.
 */
export async function listOrders(
  query: ListOrdersQuery,
  deps: { readonly store: Pick<OrderStore, 'createdOnPage' | 'get'>; readonly clock: () => Date },
): Promise<{ readonly orders: ListedOrder[]; readonly next: string | null }> {
  const today = deps.clock().toISOString().slice(0, 10);
  const to = query.to ?? today;
  const from = query.from ?? dayOf(Date.parse(to) - 6 * DAY_MS);
  if (from > to) throw new HttpError(400, 'INVALID_REQUEST', '`from` is after `to`.');
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS >= MAX_DAYS)
    throw new HttpError(400, 'INVALID_REQUEST', `List at most ${MAX_DAYS} days at a time (from … to).`);
  const start = query.cursor === undefined ? { d: to } : decode(query.cursor);
  if (start.d > to || start.d < from)
    throw new HttpError(400, 'INVALID_REQUEST', 'This cursor belongs to another listing.');

  const orders: ListedOrder[] = [];
  let day = start.d;
  let after = start.k;
  for (;;) {
    const page = await deps.store.createdOnPage(query.account, day, {
      limit: query.limit - orders.length,
      ...(after ? { after } : {}),
    });
    for (const key of page.keys) {
      const order = await deps.store.get(key);
      if (order && !order.isReturn && matches(order, query)) orders.push(listed(order));
    }
    after = page.next;
    if (!after) {
      if (day <= from) return { orders, next: null };
      day = dayOf(Date.parse(day) - DAY_MS);
    }
    if (orders.length >= query.limit)
      return { orders, next: encode({ d: day, ...(after ? { k: after } : {}) }) };
  }
}

const matches = (order: OrderRecord, query: ListOrdersQuery): boolean =>
  (!query.status || order.status === query.status) && (!query.channel || order.channel === query.channel);

function listed(order: OrderRecord): ListedOrder {
  const q = `?channel=${encodeURIComponent(order.channel)}`;
  return {
    orderId: order.orderId,
    channel: order.channel,
    account: order.account,
    status: order.status,
    generation: order.generation ?? 1,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    failure: order.failure ? { code: order.failure.code, reason: order.failure.reason } : null,
    carrier: order.parcel?.carrier ?? null,
    trackingNumber: order.parcel?.trackingNumber || null,
    links: { self: `/orders/${encodeURIComponent(order.orderId)}${q}` },
  };
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function encode(cursor: z.infer<typeof Cursor>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decode(cursor: string): z.infer<typeof Cursor> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = Cursor.safeParse(json);
  if (!parsed.success) throw new HttpError(400, 'INVALID_REQUEST', 'Not a cursor of this listing.');
  return parsed.data;
}

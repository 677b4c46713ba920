import { HttpError } from '../http/errors';
import type { OrderStore } from '../store';
import type { OrderRecord } from './Order';

/** The order for `/orders/{orderId}[?channel=]`; ambiguous ids need the channel. */
export async function findOrder(
  store: Pick<OrderStore, 'get' | 'findByOrderId'>,
  orderId: string,
  channel: string | undefined,
): Promise<OrderRecord> {
  if (channel) {
    const order = await store.get({ channel, orderId });
    if (!order) throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${orderId} in channel ${channel}.`);
    return order;
  }
  const found = await store.findByOrderId(orderId);
  if (found.length === 0) throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${orderId}.`);
  if (found.length > 1) {
    throw new HttpError(
      400,
      'AMBIGUOUS_ORDER_ID',
      `Order id ${orderId} exists in channels ${found.map((o) => o.channel).join(', ')}; add ?channel=… to say which.`,
    );
  }
  return found[0] as OrderRecord;
}

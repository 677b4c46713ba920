import type * as z from 'zod';
import type { EventPublisher } from '../events';
import { fieldProblems } from './OrderRequest';

/** Publishes `Order Rejected` for an invalid order that still names itself (so subscribers can match it). */
export async function rejectOrder(
  body: unknown,
  error: z.ZodError,
  deps: { readonly events: EventPublisher; readonly clock: () => Date },
): Promise<void> {
  if (typeof body !== 'object' || body === null) return;
  const fields = body as Record<string, unknown>;
  if (typeof fields.orderId !== 'string') return;
  await deps.events.publish('Order Rejected', {
    orderId: fields.orderId,
    channel: typeof fields.channel === 'string' ? fields.channel : 'webshop',
    account: typeof fields.account === 'string' ? fields.account : 'default',
    reason: 'invalid order',
    problems: fieldProblems(error),
    rejectedAt: deps.clock().toISOString(),
  });
}

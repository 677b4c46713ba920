import { type EventPublisher, REJECTED_LIMITS } from '../events';
import type * as z from '../validation/zod';
import { fieldProblems } from './OrderRequest';

export interface RejectDeps {
  readonly events: EventPublisher;
  readonly clock: () => Date;
  /** Told when the event could not be published; the caller answers 400 all the same. */
  readonly onUnpublished?: (error: unknown) => void;
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

const idOr = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value !== '' ? cut(value, REJECTED_LIMITS.id) : fallback;

/**
 * Publishes `Order Rejected` for an invalid order that still names itself (so subscribers can match it).
 * Whatever was sent, the event stays small: ids cut to 100 characters, the first 50 problems, nothing else
 * of the body. It never fails the request: the caller's answer is the 400 either way.
 */
export async function rejectOrder(body: unknown, error: z.ZodError, deps: RejectDeps): Promise<void> {
  if (typeof body !== 'object' || body === null || !('orderId' in body)) return;
  if (typeof body.orderId !== 'string' || body.orderId === '') return;
  try {
    await deps.events.publish('Order Rejected', {
      orderId: cut(body.orderId, REJECTED_LIMITS.id),
      channel: idOr('channel' in body ? body.channel : undefined, 'webshop'),
      account: idOr('account' in body ? body.account : undefined, 'default'),
      reason: 'invalid order',
      problems: fieldProblems(error)
        .slice(0, REJECTED_LIMITS.problems)
        .map((p) => ({
          path: cut(p.path, REJECTED_LIMITS.path),
          message: cut(p.message, REJECTED_LIMITS.message),
        })),
      rejectedAt: deps.clock().toISOString(),
    });
  } catch (failure) {
    deps.onUnpublished?.(failure);
  }
}

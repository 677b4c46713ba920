import type { OrderRequest } from '../orders/OrderRequest';
import type { RuleSet } from '../routing';
import * as z from '../validation/zod';
import type { CheckoutSource } from './CheckoutSource';
import type { LookupCache } from './LookupCache';

export interface ServicePointCheckDeps {
  readonly client: (account: string) => Promise<CheckoutSource>;
  readonly cache: LookupCache;
  readonly rules: (account: string) => Promise<RuleSet | undefined>;
}

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Before a service-point order is accepted: the point exists and is active, and a method of its carrier can
 * carry the order (the order's own method, or what routing would choose). When SendCloud cannot be asked and
 * nothing is cached, the order is accepted and the worker checks again: an outage never loses an order.
 * The check itself (routing, the catalogue, the lookup cache) loads with the first service-point order, so
 * intake of home deliveries does not carry it.
 */
export async function checkServicePoint(
  order: OrderRequest,
  deps: ServicePointCheckDeps,
): Promise<FieldProblem[]> {
  if (order.delivery.type !== 'service_point') return [];
  const { checkServicePointOrder } = await import('./servicePointOrder');
  return checkServicePointOrder(order, deps);
}

/** Problems as the validation error every 400 answer is made from (and `Order Rejected` reports). */
export const problemsError = (problems: readonly FieldProblem[]): z.ZodError =>
  new z.ZodError(
    problems.map((p) => ({
      code: 'custom' as const,
      path: p.path.split('.'),
      message: p.message,
      input: undefined,
    })),
  );

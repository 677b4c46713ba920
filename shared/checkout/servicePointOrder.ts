import { orderSpecOf } from '../orders/acceptOrder';
import type { OrderRequest } from '../orders/OrderRequest';
import { defaultRules, route } from '../routing';
import { catalogOf } from './catalog';
import { UpstreamUnavailableError } from './LookupCache';
import type { FieldProblem, ServicePointCheckDeps } from './servicePointCheck';
import { getServicePoint } from './servicePoints';

/**
 * Before a service-point order is accepted: the point exists and is active, and a method of its carrier can
 * carry the order (the order's own method, or what routing would choose). When SendCloud cannot be asked and
 * nothing is cached, the order is accepted and the worker checks again: an outage never loses an order.
 */
export async function checkServicePointOrder(
  order: OrderRequest,
  deps: ServicePointCheckDeps,
): Promise<FieldProblem[]> {
  if (order.delivery.type !== 'service_point') return [];
  const path = 'delivery.servicePointId';
  const id = order.delivery.servicePointId;
  try {
    const client = await deps.client(order.account);
    const point = await getServicePoint(id, { client, cache: deps.cache, account: order.account });
    if (!point) return [{ path, message: `service point ${id} does not exist` }];
    if (!point.value.is_active) return [{ path, message: `service point ${id} is no longer active` }];
    if (point.value.country !== order.recipient.country)
      return [
        {
          path,
          message: `service point ${id} is in ${point.value.country}, the recipient's country is ${order.recipient.country}`,
        },
      ];
    const carrier = point.value.carrier;
    const { methods, fromCountry } = (
      await catalogOf(
        order.account,
        { client, cache: deps.cache },
        { toCountry: order.recipient.country, weightGrams: orderSpecOf(order).weightGrams },
      )
    ).value;
    if (order.shippingMethodId) {
      const method = methods.find((m) => m.legacyId === order.shippingMethodId);
      if (method && method.carrier !== carrier)
        return [
          {
            path: 'shippingMethodId',
            message: `method ${method.ref} (${method.name}) is ${method.carrier}; service point ${id} is served by ${carrier}`,
          },
        ];
      if (method && !method.servicePoint)
        return [
          {
            path: 'shippingMethodId',
            message: `method ${method.ref} (${method.name}) does not deliver to service points`,
          },
        ];
      return [];
    }
    const rules = (await deps.rules(order.account)) ?? defaultRules();
    const decision = route(
      {
        toCountry: order.recipient.country,
        fromCountry,
        weightGrams: orderSpecOf(order).weightGrams,
        dimensionsCm: orderSpecOf(order).dimensionsCm,
        colli: orderSpecOf(order).colli,
        serviceLevel: order.serviceLevel,
        orderValue: Number(order.orderValue.amount),
        channel: order.channel,
        deliveryType: 'service_point',
        servicePointCarrier: carrier,
      },
      { methods, rules },
    );
    return decision.choice
      ? []
      : [
          {
            path,
            message: `no ${carrier} shipping method of this account can carry this parcel to service point ${id}`,
          },
        ];
  } catch (error) {
    if (error instanceof UpstreamUnavailableError) return [];
    throw error;
  }
}

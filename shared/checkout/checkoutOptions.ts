import type { ServiceLevel } from '../orders/OrderRequest';
import type { DeliveryOption } from '../sendcloud';
import { carrierName, catalogOf } from './catalog';
import { deliveryDates } from './deliveryDates';
import type {
  DeliveryChoice,
  DeliveryOptionsAnswer,
  DeliveryOptionsDeps,
  DeliveryOptionsParams,
} from './deliveryOptions';
import { type Looked, LookupCache } from './LookupCache';

/** SendCloud Dynamic Checkout's delivery method types, as our choices. */
const CHECKOUT_TYPES: Record<string, { type: 'home' | 'service_point'; level: ServiceLevel }> = {
  standard_delivery: { type: 'home', level: 'standard' },
  nominated_day_delivery: { type: 'home', level: 'evening' },
  express_delivery: { type: 'home', level: 'express' },
  same_day_delivery: { type: 'home', level: 'express' },
  service_point_delivery: { type: 'service_point', level: 'standard' },
};

/** Delivery options from the account's Dynamic Checkout configuration, mapped to its method ids. */
export async function fromCheckout(
  configuration: string,
  query: DeliveryOptionsParams,
  deps: DeliveryOptionsDeps,
): Promise<DeliveryOptionsAnswer> {
  const catalog = await catalogOf(query.account, deps, {
    toCountry: query.country,
    weightGrams: query.weightGrams,
  });
  const ask = {
    fromCountry: catalog.value.fromCountry,
    toCountry: query.country,
    ...(query.postalCode ? { toPostalCode: query.postalCode } : {}),
    weightGrams: query.weightGrams,
    totalOrderValue: query.orderValue,
  };
  const looked: Looked<{ delivery_options: DeliveryOption[] }> = await deps.cache.get(
    LookupCache.keyOf('checkout', [query.account, configuration, ask]),
    () => deps.client.checkout.deliveryOptions(configuration, ask),
  );
  const options = looked.value.delivery_options.flatMap((option): DeliveryChoice[] => {
    const kind = CHECKOUT_TYPES[option.delivery_method_type];
    if (!kind) return [];
    const methodId =
      typeof option.id === 'number' ? option.id : Number(option.checkout_identifier?.value.split(':').pop());
    const method = catalog.value.methods.find((m) => m.legacyId === methodId);
    const dates = option.delivery_dates?.[0];
    const fallback = deliveryDates(
      kind.level,
      query.country,
      catalog.value.fromCountry,
      deps.schedule,
      deps.clock(),
    );
    return [
      {
        id: `${kind.type}:${kind.level}:${String(option.id)}`,
        type: kind.type,
        serviceLevel: kind.level,
        title: option.title,
        carrier: option.carrier.code,
        carrierName: option.carrier.name ?? carrierName(option.carrier.code),
        shippingMethod: method ? { id: methodId, ref: method.ref, name: method.name } : null,
        price: option.shipping_rate ? { amount: option.shipping_rate.value, currency: 'EUR' } : null,
        cutOff: option.cut_off_time ?? deps.schedule.cutOff,
        timeZone: deps.schedule.timeZone,
        handoverDate: dates?.parcel_handover_date ?? fallback.handoverDate,
        expectedDeliveryDate: dates?.delivery_date ?? fallback.expectedDeliveryDate,
        order: {
          serviceLevel: kind.level,
          delivery: { type: kind.type },
          ...(method ? { shippingMethodId: methodId } : {}),
        },
      },
    ];
  });
  return {
    country: query.country,
    source: 'sendcloud_checkout',
    options,
    stale: looked.stale || catalog.stale,
    fetchedAt: looked.fetchedAt,
    ...(looked.degradedReason || catalog.degradedReason
      ? { degradedReason: looked.degradedReason ?? catalog.degradedReason }
      : {}),
  };
}

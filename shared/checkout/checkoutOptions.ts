import type { ServiceLevel } from '../orders/OrderRequest';
import type { DeliveryOption } from '../sendcloud';
import { type CatalogMethod, isV2MethodRef, v3Option } from '../sendcloud/port';
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
    const method = methodOf(option, catalog.value.methods);
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
        shippingMethod: method ? { id: method.legacyId ?? null, ref: method.ref, name: method.name } : null,
        price: option.shipping_rate ? { amount: option.shipping_rate.value, currency: 'EUR' } : null,
        cutOff: cutOffOf(option.cut_off_time, deps.schedule) ?? deps.schedule.cutOff,
        timeZone: deps.schedule.timeZone,
        handoverDate: dateOf(dates?.parcel_handover_date, deps.schedule) ?? fallback.handoverDate,
        expectedDeliveryDate: dateOf(dates?.delivery_date, deps.schedule) ?? fallback.expectedDeliveryDate,
        order: {
          serviceLevel: kind.level,
          delivery: { type: kind.type },
          ...(method
            ? method.legacyId !== undefined && isV2MethodRef(method.ref)
              ? { shippingMethodId: method.legacyId }
              : { shippingMethod: method.ref }
            : {}),
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

/**
 * The catalogue method behind a delivery option: v3 names it by shipping option code (any contract of the
 * account's that carries the shipment), v2 by its method id.
 */
function methodOf(option: DeliveryOption, methods: readonly CatalogMethod[]): CatalogMethod | undefined {
  const identifier = option.checkout_identifier;
  const byCode =
    identifier?.type === 'shipping_option_code'
      ? methods.find((m) => v3Option(m.ref)?.code === identifier.value)
      : undefined;
  if (byCode) return byCode;
  const methodId = typeof option.id === 'number' ? option.id : Number(identifier?.value.split(':').pop());
  return methods.find((m) => m.legacyId === methodId);
}

/** v3 gives the cut-off as a date-time (`2024-11-27T15:00:00+01:00`): the shop's clock time of it. */
function cutOffOf(
  value: string | null | undefined,
  schedule: { readonly timeZone: string },
): string | undefined {
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return undefined;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: schedule.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** v2 gives dates (`2030-01-02`), v3 date-times: the shop's calendar day of either. */
function dateOf(
  value: string | null | undefined,
  schedule: { readonly timeZone: string },
): string | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return undefined;
  return new Intl.DateTimeFormat('en-CA', { timeZone: schedule.timeZone }).format(at);
}

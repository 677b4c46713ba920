import type { CatalogMethod } from '../sendcloud/port';
import { catalogMethodFromV2 } from '../sendcloud/v2Catalog';
import type { CheckoutSource } from './CheckoutSource';
import { LookupCache, type Lookups } from './LookupCache';

export interface Catalog {
  readonly methods: CatalogMethod[];
  readonly fromCountry: string;
}

/**
 * The account's outgoing methods and sender country, cached like every checkout lookup. A v3 account's
 * catalogue is per shipment (shipping-option quotes), so it is asked for `shipment`'s destination and weight.
 */
export function catalogOf(
  account: string,
  deps: { readonly client: CheckoutSource; readonly cache: Lookups },
  shipment: { readonly toCountry: string; readonly weightGrams: number },
) {
  const { catalogFor } = deps.client;
  if (catalogFor)
    return deps.cache.get<Catalog>(
      LookupCache.keyOf('options', [account, shipment.toCountry, String(shipment.weightGrams)]),
      async () => {
        const { methods, fromCountry } = await catalogFor(shipment);
        return { methods: [...methods], fromCountry };
      },
    );
  // `methods`, not the former `catalog` key: entries cached before v3 hold v2 wire shapes
  return deps.cache.get<Catalog>(LookupCache.keyOf('methods', [account]), async () => {
    const [methods, senders] = await Promise.all([
      deps.client.catalog.shippingMethods(),
      deps.client.catalog.senderAddresses(),
    ]);
    return { methods: methods.map(catalogMethodFromV2), fromCountry: senders[0]?.country ?? 'NL' };
  });
}

/** How customers know the carriers (SendCloud's codes otherwise). */
const CARRIER_NAMES: Readonly<Record<string, string>> = {
  postnl: 'PostNL',
  bpost: 'bpost',
  dhl: 'DHL',
  dhl_express: 'DHL Express',
  dpd: 'DPD',
  gls_nl: 'GLS',
  ups: 'UPS',
  colissimo: 'Colissimo',
  mondial_relay: 'Mondial Relay',
};
export const carrierName = (code: string): string => CARRIER_NAMES[code] ?? code.toUpperCase();

import type { CatalogMethod } from './port';
import type { ShippingMethod } from './schemas/shipping';
import { kgToGrams } from './units';

// Apart from V2Port so checkout maps v2 methods without loading the v2 adapter (V2Port is imported lazily).

/** The delivery extras a v2 method's name states; what it does not state is unknown, never assumed. */
function extrasInName(name: string): Pick<CatalogMethod, 'signature' | 'ageCheck' | 'neighbourDelivery'> {
  const age = /age check\s*(\d{2})\+|(\d{2})\+ age|leeftijdscheck\s*(\d{2})/i.exec(name);
  const ageCheck = age ? Number(age[1] ?? age[2] ?? age[3]) : undefined;
  return {
    ...(/signature|handtekening/i.test(name) || ageCheck ? { signature: true } : {}),
    ...(ageCheck ? { ageCheck } : {}),
    ...(/home address only|no neighbou?r|niet bij de buren/i.test(name) || ageCheck
      ? { neighbourDelivery: false }
      : {}),
  };
}

/** Letters and mailbox parcels: one item each, never several colli. */
const LETTER_METHOD = /letter|brief|mailbox|unstamped/i;

/** A v2 shipping method as routing sees it. */
export function catalogMethodFromV2(method: ShippingMethod): CatalogMethod {
  return {
    ref: String(method.id),
    legacyId: method.id,
    name: method.name,
    carrier: method.carrier,
    minWeightGrams: kgToGrams(method.min_weight),
    maxWeightGrams: kgToGrams(method.max_weight),
    servicePoint: method.service_point_input === 'required',
    // v2 lists no multicollo flag: assumed for home-delivery parcel methods; a carrier that refuses several
    // colli answers with a refusal, and routing falls back to the next method.
    multicollo: method.service_point_input !== 'required' && !LETTER_METHOD.test(method.name),
    // v2 names a product's delivery extras only in its name ("+ Signature", "Age Check 18+", "Home Address Only")
    ...extrasInName(method.name),
    countries: method.countries.map((c) => ({ country: c.iso_2, priceEur: c.price ?? null })),
  };
}

import { EU } from './OrderRequest';

/**
 * Whether goods sent from the EU to this address cross a customs border — decided by country *and* postal
 * code, because the EU customs territory is not its member states (Council Regulation (EU) No 952/2013,
 * art. 4; the VAT territories of Directive 2006/112/EC, art. 6). Outside it although in a member state:
 * the Canary Islands, Ceuta and Melilla, the French overseas departments and collectivities, Heligoland,
 * Büsingen, Livigno, Campione d'Italia, Mount Athos and the Åland Islands (outside the VAT area: customs
 * papers travel with the goods). Inside it although not a member state: Monaco. Northern Ireland (GB, `BT`
 * postcodes) follows the EU's rules for goods under the Windsor Framework: no customs declaration from the
 * EU. Jersey, Guernsey and the Isle of Man have ISO codes of their own (JE, GG, IM) and are outside.
 */
const SPECIAL_TERRITORIES: ReadonlyArray<{
  readonly country: string;
  readonly postalCode: RegExp;
  readonly name: string;
  readonly customs: boolean;
}> = [
  { country: 'ES', postalCode: /^(35|38)/, name: 'the Canary Islands', customs: true },
  { country: 'ES', postalCode: /^51/, name: 'Ceuta', customs: true },
  { country: 'ES', postalCode: /^52/, name: 'Melilla', customs: true },
  { country: 'FR', postalCode: /^9[78]/, name: 'French overseas territory', customs: true },
  { country: 'DE', postalCode: /^27498/, name: 'Heligoland', customs: true },
  { country: 'DE', postalCode: /^78266/, name: 'Büsingen am Hochrhein', customs: true },
  { country: 'IT', postalCode: /^23041/, name: 'Livigno', customs: true },
  { country: 'IT', postalCode: /^22061/, name: "Campione d'Italia", customs: true },
  { country: 'GR', postalCode: /^63086/, name: 'Mount Athos', customs: true },
  { country: 'FI', postalCode: /^22[1-9]/, name: 'the Åland Islands', customs: true },
  { country: 'GB', postalCode: /^BT/i, name: 'Northern Ireland', customs: false },
];

/** In the EU customs territory without being a member state. */
const CUSTOMS_UNION = new Set(['MC']);

export interface CustomsTerritory {
  /** Goods from the EU need customs papers (a CN23 or commercial invoice) and item lines. */
  readonly customs: boolean;
  /** The special territory the postal code names, if any. */
  readonly territory?: string;
}

export function customsTerritory(country: string, postalCode: string): CustomsTerritory {
  const code = postalCode.replace(/\s+/g, '').toUpperCase();
  const special = SPECIAL_TERRITORIES.find((t) => t.country === country && t.postalCode.test(code));
  if (special) return { customs: special.customs, territory: special.name };
  return { customs: !(EU.has(country) || CUSTOMS_UNION.has(country)) };
}

/** Two sender countries decide customs alike: both in the EU customs territory, or the same country. */
export const sameCustomsSide = (a: string, b: string): boolean =>
  a === b || ((EU.has(a) || CUSTOMS_UNION.has(a)) && (EU.has(b) || CUSTOMS_UNION.has(b)));

/** A customs crossing between the account's sender country and an address. */
export interface CustomsBorder {
  /** Customs papers and item lines are needed. */
  readonly customs: boolean;
  /** The goods enter the EU customs territory from outside it (IOSS applies). */
  readonly intoEu: boolean;
  /** The sender is inside the EU customs territory. */
  readonly fromEu: boolean;
  /** The special territory the postal code names, if any. */
  readonly territory?: string;
}

/**
 * Whether goods from the sender's country (a mainland address: the account's SendCloud sender) to this
 * address cross a customs border. From the EU this is `customsTerritory`; from outside it, a destination in
 * the EU customs territory needs customs papers too, and only the sender's own country (outside its special
 * territories) is domestic. Northern Ireland is inside both the EU's rules for goods and the UK: no papers
 * from either side.
 */
export function customsBorder(from: string, country: string, postalCode: string): CustomsBorder {
  const to = customsTerritory(country, postalCode);
  const fromEu = EU.has(from) || CUSTOMS_UNION.has(from);
  const territory = to.territory ? { territory: to.territory } : {};
  if (fromEu) return { customs: to.customs, intoEu: false, fromEu, ...territory };
  const northernIreland = to.territory === 'Northern Ireland';
  const intoEu = !to.customs && !(northernIreland && from === 'GB');
  const domestic = country === from && !(to.customs && to.territory);
  return { customs: intoEu || !domestic, intoEu, fromEu, ...territory };
}

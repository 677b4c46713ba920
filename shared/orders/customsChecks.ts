import type { FieldProblem } from '../validation/fieldProblems';
import { customsBorder } from './customsTerritory';
import type { OrderRequest, TaxNumber } from './OrderRequest';

/** Goods of at most this much (EUR, intrinsic value) entering the EU go under IOSS (Directive 2017/2455). */
export const IOSS_MAX_EUR = 150;

type Party = 'sender' | 'receiver' | 'importerOfRecord';

/** What a number of each kind looks like; a carrier or customs refuses one that does not. */
function numberProblem(number: TaxNumber): string | undefined {
  const value = number.value.replace(/[\s.-]/g, '').toUpperCase();
  if (number.kind === 'IOSS' && !/^IM\d{10}$/.test(value))
    return 'an IOSS number is IM and 10 digits, e.g. "IM5280000123"';
  if (number.kind === 'EORI') {
    const prefixes = number.country === 'GB' ? ['GB', 'XI'] : [number.country];
    if (!/^[A-Z]{2}[A-Z0-9]{1,15}$/.test(value) || !prefixes.includes(value.slice(0, 2)))
      return `an EORI number is ${prefixes.join(' or ')} and up to 15 letters or digits, e.g. "${prefixes[0]}123456789"`;
  }
  if (
    number.kind === 'VAT' &&
    number.country === 'NO' &&
    value.startsWith('VOEC') &&
    !/^VOEC\d{7}$/.test(value)
  )
    return 'a VOEC number is VOEC and 7 digits, e.g. "VOEC1234567"';
  if (number.kind === 'VAT' && number.country === 'GB' && !/^(GB)?(\d{9}|\d{12})$/.test(value))
    return 'a UK VAT number is GB and 9 digits, e.g. "GB123456789"';
  return undefined;
}

/**
 * The customs rules an order must meet, from the account's sender country (`from`) to its recipient: item
 * lines with HS code, origin and value where a customs border is crossed; no customs block where none is;
 * tax numbers in the form their kind has; an IOSS number where EU-bound low-value goods come from outside
 * the EU (carriers refuse them without one), and only there. Paths are the order's fields.
 */
export function customsProblems(order: OrderRequest, from: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: (string | number)[], message: string) =>
    problems.push({ path: path.join('.'), message });
  const { country, postalCode } = order.recipient;
  const border = customsBorder(from, country, postalCode);
  const where = border.territory ? `${border.territory} (${country} ${postalCode})` : country;
  const crossing = border.fromEu
    ? `${where}, outside the EU customs territory`
    : `${where}: goods from ${from} cross a customs border`;
  const customs = order.customs;
  if (!border.customs) {
    if (customs)
      add(
        ['customs'],
        border.fromEu
          ? `${where} is inside the EU customs territory: there are no customs papers; leave customs out`
          : `${where} is in ${from}'s own customs territory: there are no customs papers; leave customs out`,
      );
    return problems;
  }
  const goods = customs?.shipmentType !== 'documents';
  if (order.items.length === 0 && goods) add(['items'], `customs need the items for ${crossing}`);
  order.items.forEach((item, i) => {
    if (!item.hsCode) add(['items', i, 'hsCode'], `required for ${crossing}`);
    if (!item.originCountry) add(['items', i, 'originCountry'], `required for ${crossing}`);
    if (goods && Number(item.unitPrice) <= 0 && customs?.shipmentType !== 'gift')
      add(
        ['items', i, 'unitPrice'],
        `carriers refuse goods declared at 0.00 for ${where}: give each item's value (or shipmentType "gift")`,
      );
  });
  if (customs?.shipmentType === 'returned_goods')
    add(['customs', 'shipmentType'], 'returned_goods is for returns (POST /returns), not for orders');

  const parties: Party[] = ['sender', 'receiver', 'importerOfRecord'];
  for (const party of parties)
    (customs?.taxNumbers?.[party] ?? []).forEach((number, i) => {
      const path = ['customs', 'taxNumbers', party, i];
      const problem = numberProblem(number);
      if (problem) add([...path, 'value'], problem);
      if (number.kind !== 'IOSS') return;
      if (party === 'receiver')
        add([...path, 'kind'], 'an IOSS number is the seller’s: give it under customs.taxNumbers.sender');
      else if (!border.intoEu)
        add(
          [...path, 'kind'],
          `IOSS is for goods sent into the EU from outside it; this order goes from ${from} to ${where}`,
        );
    });

  // Low-value consumer goods into the EU: VAT is collected at sale under the seller's IOSS number.
  const value = order.items.reduce((sum, item) => sum + Number(item.unitPrice) * item.quantity, 0);
  const consumer = customs?.exportType !== 'commercial_b2b';
  const commercial = (customs?.shipmentType ?? 'commercial_goods') === 'commercial_goods';
  const ioss = (customs?.taxNumbers?.sender ?? []).some((n) => n.kind === 'IOSS');
  if (
    border.intoEu &&
    consumer &&
    commercial &&
    order.orderValue.currency === 'EUR' &&
    value <= IOSS_MAX_EUR &&
    !ioss
  )
    add(
      ['customs', 'taxNumbers', 'sender'],
      `goods of €${IOSS_MAX_EUR} or less sent from ${from} into the EU (${where}) need the seller's IOSS number: add {"kind": "IOSS", "country": "…", "value": "IM…"}; carriers refuse them without one`,
    );
  return problems;
}

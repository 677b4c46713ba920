import { describe, expect, it } from 'vitest';
import {
  cmToString,
  formatSendcloudDate,
  gramsToKgString,
  kgToGrams,
  parseSendcloudDate,
  toParcelCreation,
} from '../../../shared/sendcloud';

describe('units at the SendCloud edge', () => {
  it('turns grams into kilogram strings with three decimals, exactly', () => {
    expect(gramsToKgString(1200)).toBe('1.200');
    expect(gramsToKgString(1)).toBe('0.001');
    expect(gramsToKgString(23001)).toBe('23.001');
    expect(gramsToKgString(0)).toBe('0.000');
    expect(() => gramsToKgString(1.5)).toThrow(RangeError);
    expect(() => gramsToKgString(-1)).toThrow(RangeError);
  });

  it('reads kilograms as strings or numbers back into grams', () => {
    expect(kgToGrams('1.200')).toBe(1200);
    expect(kgToGrams('0.143')).toBe(143);
    expect(kgToGrams(2.486)).toBe(2486);
    expect(() => kgToGrams('heavy')).toThrow(RangeError);
  });

  it('round-trips every gram value up to 70 kg', () => {
    for (let grams = 0; grams <= 70_000; grams += 7) expect(kgToGrams(gramsToKgString(grams))).toBe(grams);
  });

  it('formats centimetres and SendCloud dates', () => {
    expect(cmToString(30)).toBe('30');
    expect(cmToString(12.5)).toBe('12.5');
    expect(() => cmToString(0)).toThrow(RangeError);
    const date = new Date('2024-01-23T09:49:03Z');
    expect(formatSendcloudDate(date)).toBe('23-01-2024 09:49:03');
    expect(parseSendcloudDate('23-01-2024 09:49:03')).toEqual(date);
  });

  it('builds the wire parcel in kilograms and centimetres from a domain draft', () => {
    const wire = toParcelCreation({
      externalReference: 'webshop:WEB-10001:1',
      orderNumber: 'WEB-10001',
      recipient: {
        name: 'J. de Vries',
        street: 'Damrak',
        houseNumber: '1',
        postalCode: '1012AB',
        city: 'Amsterdam',
        country: 'NL',
      },
      weightGrams: 1200,
      dimensionsCm: { length: 30, width: 20, height: 10 },
      shippingMethodId: 8,
      items: [
        {
          description: 'Mug',
          quantity: 2,
          unitPrice: '12.50',
          hsCode: '691200',
          originCountry: 'NL',
          weightGrams: 500,
        },
      ],
      orderValue: { amount: '25.00', currency: 'EUR' },
    });
    expect(wire).toEqual({
      name: 'J. de Vries',
      address: 'Damrak',
      house_number: '1',
      city: 'Amsterdam',
      postal_code: '1012AB',
      country: 'NL',
      external_reference: 'webshop:WEB-10001:1',
      order_number: 'WEB-10001',
      request_label: true,
      weight: '1.200',
      length: '30',
      width: '20',
      height: '10',
      shipment: { id: 8 },
      total_order_value: '25.00',
      total_order_value_currency: 'EUR',
      parcel_items: [
        {
          description: 'Mug',
          quantity: 2,
          weight: '0.500',
          value: 12.5,
          hs_code: '691200',
          origin_country: 'NL',
        },
      ],
    });
  });
});

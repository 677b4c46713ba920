import { describe, expect, it } from 'vitest';
import { customsTerritory } from '../../../shared/orders/customsTerritory';

describe('the EU customs territory, by country and postal code', () => {
  it.each([
    ['NL', '1012 AB', false, undefined],
    ['ES', '28001', false, undefined],
    ['ES', '35001', true, 'the Canary Islands'],
    ['ES', '38 001', true, 'the Canary Islands'],
    ['ES', '51001', true, 'Ceuta'],
    ['FR', '75001', false, undefined],
    ['FR', '97400', true, 'French overseas territory'],
    ['DE', '27498', true, 'Heligoland'],
    ['IT', '23041', true, 'Livigno'],
    ['GR', '63086', true, 'Mount Athos'],
    ['FI', '22100', true, 'the Åland Islands'],
    ['FI', '00100', false, undefined],
    ['GB', 'SW1A 1AA', true, undefined],
    ['GB', 'bt1 1aa', false, 'Northern Ireland'],
    ['JE', 'JE2 3AB', true, undefined],
    ['MC', '98000', false, undefined],
    ['CH', '8001', true, undefined],
    ['NO', '0150', true, undefined],
  ])('%s %s: customs %s (%s)', (country, postalCode, customs, territory) => {
    expect(customsTerritory(country, postalCode)).toEqual({ customs, ...(territory ? { territory } : {}) });
  });
});

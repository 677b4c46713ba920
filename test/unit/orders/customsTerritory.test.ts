import { describe, expect, it } from 'vitest';
import { customsBorder, customsTerritory } from '../../../shared/orders/customsTerritory';

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

describe('a customs border between the sender’s country and the address', () => {
  it.each([
    ['NL', 'DE', '10115', false, false],
    ['NL', 'ES', '35001', true, false],
    ['NL', 'GB', 'BT1 1AA', false, false],
    ['CH', 'DE', '10115', true, true],
    ['CH', 'ES', '35001', true, false],
    ['CH', 'CH', '8001', false, false],
    ['CH', 'GB', 'SW1A 1AA', true, false],
    ['GB', 'GB', 'SW1A 1AA', false, false],
    ['GB', 'GB', 'BT1 1AA', false, false],
    ['GB', 'IE', 'D02 X285', true, true],
    ['NO', 'MC', '98000', true, true],
  ])('%s → %s %s: customs %s, into the EU %s', (from, country, postalCode, customs, intoEu) => {
    expect(customsBorder(from, country, postalCode)).toMatchObject({ customs, intoEu });
  });
});

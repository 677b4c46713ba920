import { describe, expect, it } from 'vitest';
import { Parcel, ShippingMethod } from '../../../shared/sendcloud';
import { toParcelCreation } from '../../../shared/sendcloud/draft';
import { isV2MethodRef, v3MethodRef, v3Option } from '../../../shared/sendcloud/port';
import { catalogMethodFromV2, shipmentFromV2, toV2Draft } from '../../../shared/sendcloud/V2Port';
import { parcelJson } from '../../helpers/factories';

/** The v2 adapter's translations: a recorded parcel and method in, the port's neutral shapes out. */
const parcel = (overrides: Record<string, unknown> = {}) => Parcel.parse(parcelJson(overrides));

describe('V2Port translations', () => {
  it('reads a recorded parcel as an announced shipment with both status vocabularies', () => {
    const recorded = parcel({
      external_reference: 'webshop:WEB-1',
      status: { id: 1000, message: 'Ready to send' },
    });
    const shipment = shipmentFromV2([recorded]);
    expect(shipment).toMatchObject({
      id: String(recorded.id),
      externalReference: 'webshop:WEB-1',
      state: 'announced',
      parcels: [{ id: recorded.id, status: { id: 1000, code: 'READY_TO_SEND', message: 'Ready to send' } }],
    });
    expect(shipment.method).toMatch(/^\d+$/);
  });

  it('tells refused (1002, with the carrier’s errors), unannounced (999) and cancelled (2000) apart', () => {
    const refused = shipmentFromV2([
      parcel({
        status: { id: 1002, message: 'Announcement failed' },
        errors: { non_field_errors: ['Service error: postal code unknown'] },
      }),
    ]);
    expect(refused).toMatchObject({
      state: 'refused',
      refusal: expect.stringContaining('postal code unknown'),
    });
    expect(shipmentFromV2([parcel({ status: { id: 999, message: 'No label' } })]).state).toBe('unannounced');
    expect(shipmentFromV2([parcel({ status: { id: 2000, message: 'Cancelled' } })]).state).toBe('cancelled');
  });

  it('turns a v2 method into a catalogue method in grams, with its id as the reference', () => {
    const method = ShippingMethod.parse({
      id: 1010,
      name: 'PostNL Standard 0-23kg',
      carrier: 'postnl',
      min_weight: '0.001',
      max_weight: '23.001',
      service_point_input: 'none',
      price: 0,
      countries: [{ id: 1, name: 'Netherlands', iso_2: 'NL', iso_3: 'NLD', price: 6.95 }],
    });
    expect(catalogMethodFromV2(method)).toEqual({
      ref: '1010',
      legacyId: 1010,
      name: 'PostNL Standard 0-23kg',
      carrier: 'postnl',
      minWeightGrams: 1,
      maxWeightGrams: 23_001,
      servicePoint: false,
      multicollo: true,
      countries: [{ country: 'NL', priceEur: 6.95 }],
    });
  });

  it('sends several colli as quantity with the heaviest box for each (v2 has one weight a request)', () => {
    const draft = {
      externalReference: 'webshop:WEB-2',
      recipient: {
        name: 'Sanne de Vries',
        company: null,
        street: 'Damrak',
        houseNumber: '1',
        addressLine2: null,
        postalCode: '1012 LG',
        city: 'Amsterdam',
        country: 'NL',
        state: null,
        email: null,
        phone: null,
      },
      weightGrams: 4800,
      colli: [{ weightGrams: 1200 }, { weightGrams: 4800 }, { weightGrams: 300 }],
      method: '1010',
    };
    const v2 = toV2Draft(draft);
    expect(v2).toMatchObject({ quantity: 3, weightGrams: 4800 });
    expect(toParcelCreation(v2)).toMatchObject({ quantity: 3, weight: '4.800' });
    const { colli: _several, ...oneBox } = draft;
    const one = toParcelCreation(toV2Draft(oneBox));
    expect(one).not.toHaveProperty('quantity');
  });

  it('refuses to send a v3 option code to v2, saying what it got', () => {
    const draft = {
      externalReference: 'webshop:WEB-2',
      recipient: { name: 'A', street: 'B', postalCode: '1012AB', city: 'C', country: 'NL' },
      weightGrams: 1200,
    };
    expect(toV2Draft({ ...draft, method: '1010' })).toMatchObject({
      shippingMethodId: 1010,
      requestLabel: true,
    });
    expect(() => toV2Draft({ ...draft, method: 'postnl:standard@517' })).toThrow(
      'postnl:standard@517 is not a SendCloud v2 shipping method id',
    );
  });
});

describe('method references', () => {
  it('hold a v2 id or a v3 option code with its contract, and read back', () => {
    expect(isV2MethodRef('1010')).toBe(true);
    expect(isV2MethodRef('postnl:standard')).toBe(false);
    expect(v3Option('postnl:standard@517')).toEqual({ code: 'postnl:standard', contractId: 517 });
    expect(v3Option('dpd:return/return')).toEqual({ code: 'dpd:return/return' });
    expect(v3Option('1010')).toBeUndefined();
    expect(v3MethodRef('postnl:standard', 517)).toBe('postnl:standard@517');
    expect(v3MethodRef('postnl:standard', null)).toBe('postnl:standard');
  });
});

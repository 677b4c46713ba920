import { describe, expect, it } from 'vitest';
import { simAccount } from '../../../local/simulator/accounts';
import { customsDocumentsListed, hasCustomsDocument } from '../../../local/simulator/customs';
import { createParcel } from '../../../local/simulator/parcels';

const account = simAccount({ id: 'default', publicKey: 'pk', secretKey: 'sk' }, { position: 0 });
const parcelTo = (country: string) =>
  createParcel({ name: 'A', address: 'B 1', city: 'C', postal_code: '1', country }, account, 1, new Date(0));

/** What the simulator lists per carrier kind, as OCA-delivery-carrier/parcels.json (2022) shows it. */
describe('simulator customs documents', () => {
  it('a postal carrier’s parcel to GB has a CP71 and a commercial invoice on A6, and serves its CN23', () => {
    const parcel = parcelTo('GB');
    expect(customsDocumentsListed(parcel, 'postnl')).toEqual([
      { type: 'cp71', size: 'a6' },
      { type: 'commercial-invoice', size: 'a6' },
    ]);
    expect(hasCustomsDocument(parcel, 'postnl', 'cn23')).toBe(true);
    expect(hasCustomsDocument(parcel, 'postnl', 'cn23-default')).toBe(true);
  });

  it('a courier’s parcel to the US has a commercial invoice on A4 only', () => {
    const parcel = parcelTo('US');
    expect(customsDocumentsListed(parcel, 'ups')).toEqual([{ type: 'commercial-invoice', size: 'a4' }]);
    expect(hasCustomsDocument(parcel, 'ups', 'cp71')).toBe(false);
    expect(hasCustomsDocument(parcel, 'ups', 'cn23')).toBe(false);
  });

  it('a parcel within the EU has none, whatever the carrier', () => {
    for (const carrier of ['postnl', 'ups'])
      expect(customsDocumentsListed(parcelTo('DE'), carrier)).toEqual([]);
  });
});

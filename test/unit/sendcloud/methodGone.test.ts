import { describe, expect, it } from 'vitest';
import { methodGoneReason } from '../../../shared/sendcloud/port';
import { namesMissingMethod } from '../../../shared/sendcloud/V2Port';
import { namesMissingOption } from '../../../shared/sendcloud/v3/errors';

/** A create naming a method the account no longer has is told from SendCloud refusing the data itself. */
describe('a method gone from the account', () => {
  it('v2: the unknown-key message on the method field, not on another field', () => {
    const gone = 'Invalid pk "1030" - object does not exist.';
    expect(namesMissingMethod({ shipping_method: [gone] })).toBe(true);
    expect(namesMissingMethod({ 'shipment.id': gone })).toBe(true);
    expect(namesMissingMethod({ sender_address: ['Invalid pk "9" - object does not exist.'] })).toBe(false);
    expect(namesMissingMethod({ shipping_method: ['This field is required.'] })).toBe(false);
  });

  it('v3: the documented 400 on the shipping option code, not a carrier refusal or another field', () => {
    const pointer = '/ship_with/properties/shipping_option_code';
    expect(
      namesMissingOption([
        {
          pointer,
          code: 'invalid',
          detail: 'Shipping option "dhl:parcel_connect" does not exist or is not enabled for this account.',
        },
      ]),
    ).toBe(true);
    expect(
      namesMissingOption([
        { pointer, code: 'invalid', detail: 'Shipping option "x" is not available for country GB.' },
      ]),
    ).toBe(false);
    expect(
      namesMissingOption([{ pointer: '/to_address/name', code: 'required', detail: 'does not exist' }]),
    ).toBe(false);
  });

  it('says which method, in words an operator reads in the order’s refused methods', () => {
    expect(methodGoneReason('1030')).toBe(
      "shipping method 1030 no longer exists in the account's SendCloud catalogue",
    );
  });
});

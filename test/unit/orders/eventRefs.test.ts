import { describe, expect, it } from 'vitest';
import { parcelRef, trackingUrlForEvents } from '../../../shared/orders/eventRefs';
import type { OrderRecord } from '../../../shared/orders/Order';

/** What parcel events say about where a parcel goes: the tracking page, not the recipient's postal code. */
const SENDCLOUD_URL =
  'https://tracking.eu-central-1-0.sendcloud.sc/forward?carrier=postnl&code=3SCLDB325446337&destination=NL&lang=en-us&source=NL&type=parcel&verification=1012+AB&servicepoint_verification=5642CV&created_at=2030-01-01';

const shipped: OrderRecord = {
  channel: 'webshop',
  orderId: 'WEB-10001',
  account: 'default',
  status: 'label_stored',
  bodyHash: '',
  spec: {
    toCountry: 'NL',
    weightGrams: 1200,
    serviceLevel: 'standard',
    orderValue: { amount: '25.00', currency: 'EUR' },
    delivery: { type: 'home' },
  },
  attempt: 1,
  parcel: {
    id: 1,
    externalReference: 'webshop:WEB-10001',
    trackingNumber: '3SCLDB325446337',
    trackingUrl: SENDCLOUD_URL,
    carrier: 'postnl',
    shippingMethodId: 1010,
    shippingMethodName: 'PostNL Standard 0-23kg',
    statusId: 1000,
    statusMessage: 'Ready to send',
    announcedAt: '2030-01-01T00:00:00.000Z',
  },
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

describe('tracking URLs in events', () => {
  it('drop the verification parameters and keep the rest of the link', () => {
    const url = trackingUrlForEvents(SENDCLOUD_URL);
    expect(url).not.toMatch(/verification|1012|5642/);
    expect(new URL(url ?? '').searchParams.get('code')).toBe('3SCLDB325446337');
  });

  it('are left out rather than passed on when they cannot be read', () => {
    expect(trackingUrlForEvents('not a url 1012 AB')).toBeNull();
    expect(trackingUrlForEvents(null)).toBeNull();
  });

  it('keep the postal code only for an account that opted in', () => {
    expect(parcelRef(shipped)?.trackingUrl).not.toMatch(/verification/);
    expect(parcelRef(shipped, { trackingVerification: true })?.trackingUrl).toBe(SENDCLOUD_URL);
  });
});

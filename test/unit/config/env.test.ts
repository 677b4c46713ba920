import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../shared/config';

const base = {
  TABLE_NAME: 'bridge',
  IDEMPOTENCY_TABLE_NAME: 'bridge-idem',
  ORDERS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/orders',
  LABEL_BUCKET: 'labels',
  EVENT_BUS_NAME: 'bus',
  SENDCLOUD_CREDENTIALS_FILE: '/tmp/credentials.json',
};

describe('the functions’ environment', () => {
  it('reads per-account checkout settings', () => {
    const env = loadEnv({
      ...base,
      CHECKOUT_ORIGINS: 'https://shop.example, https://www.shop.example',
      CHECKOUT_CONFIGURATIONS: 'shop-be=4f2a-checkout',
      CHECKOUT_CUTOFFS: 'default=16:00@Europe/Amsterdam,shop-be=17:30@Europe/Brussels',
    });
    expect(env.CHECKOUT_ORIGINS).toEqual(['https://shop.example', 'https://www.shop.example']);
    expect(env.CHECKOUT_CONFIGURATIONS.get('shop-be')).toBe('4f2a-checkout');
    expect(env.CHECKOUT_CUTOFFS.get('shop-be')).toEqual({ cutOff: '17:30', timeZone: 'Europe/Brussels' });
    expect(env.CHECKOUT_CUTOFFS.get('other')).toBeUndefined();
    expect(env.CHECKOUT_CUTOFF).toBe('16:00');
  });

  it('refuses a malformed setting at cold start, naming it', () => {
    expect(() => loadEnv({ ...base, CHECKOUT_CUTOFFS: 'default=25:00@Europe/Amsterdam' })).toThrow(
      /CHECKOUT_CUTOFFS: "default=25:00@Europe\/Amsterdam" is not account=HH:MM@Time\/Zone/,
    );
    expect(() => loadEnv({ ...base, CHECKOUT_CONFIGURATIONS: 'no-equals-sign' })).toThrow(
      /CHECKOUT_CONFIGURATIONS/,
    );
    expect(() => loadEnv({ ...base, SENDCLOUD_CREDENTIALS_FILE: undefined })).toThrow(
      /SENDCLOUD_CREDENTIALS_SECRET_ARN/,
    );
  });
});

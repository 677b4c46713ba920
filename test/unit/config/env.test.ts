import { describe, expect, it } from 'vitest';
import {
  CREDENTIALS_PLACEHOLDER,
  CredentialsConfigError,
  loadEnv,
  parseCredentials,
} from '../../../shared/config';
import { createServices, UnboundResourceError } from '../../../shared/runtime/services';

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
    expect(() => loadEnv({ ...base, STUCK_AFTER_HOURS: 'two days' })).toThrow(/STUCK_AFTER_HOURS/);
  });

  it('names the missing binding when a function uses a resource its declaration does not give it', () => {
    const services = createServices(loadEnv({ TABLE_NAME: 'bridge' }));
    expect(() => services.queue).toThrow(UnboundResourceError);
    expect(() => services.directory).toThrow(/SENDCLOUD_CREDENTIALS_SECRET_ARN is not set/);
    expect(() => services.processDeps.events).toThrow(/EVENT_BUS_NAME is not set/);
    expect(services.store).toBeDefined();
    expect(() => services.requireAccount('default')).toThrow(/default/);
    expect(() => createServices(loadEnv({ ACCOUNTS: 'default' })).requireAccount('default')).not.toThrow();
  });
});

describe('the credentials document', () => {
  it('refuses the deployed placeholder and says which account and key to fill in', () => {
    expect(() =>
      parseCredentials({ shop: { publicKey: CREDENTIALS_PLACEHOLDER, secretKey: 's' } }, 'the secret'),
    ).toThrow(/shop.publicKey: publicKey still holds the placeholder REPLACE_ME/);
    expect(() => parseCredentials('not json at all', 'the secret')).toThrow(CredentialsConfigError);
    expect(() => parseCredentials({ shop: { publicKey: 'p', secretKey: 's', secret: 'x' } }, 'f')).toThrow(
      /shop: Unrecognized key/,
    );
    expect(parseCredentials({ shop: { publicKey: 'p', secretKey: 's' } }, 'f').shop?.publicKey).toBe('p');
  });
});

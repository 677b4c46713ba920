import { SendcloudHttpError } from '../sendcloud/errors';
import type { CheckoutSource } from './CheckoutSource';

/**
 * SendCloud as it answers an account with no methods and a point id it does not know, without a request:
 * what the public routes use for an account this stage does not serve, so that from outside an unknown
 * account looks exactly like a known one with nothing to offer.
 */
export const NOTHING_TO_OFFER: CheckoutSource = {
  servicePoints: {
    search: async () => [],
    get: async () => {
      throw new SendcloudHttpError({ method: 'GET', path: '/service-points/{id}', status: 404 });
    },
  },
  catalog: { shippingMethods: async () => [], senderAddresses: async () => [] },
  checkout: { deliveryOptions: async () => ({ delivery_options: [] }) },
};

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceEnv } from '../config';
import { clientShareRule } from '../governor/ClientShare';
import { DynamoClientShare } from '../governor/DynamoClientShare';
import { MemoryClientShare } from '../governor/MemoryClientShare';
import { type CheckoutClients, checkoutSourceFor } from './CheckoutSource';
import type { LookupCache } from './LookupCache';
import { PublicCheckout } from './PublicCheckout';
import { loadPublicCheckoutEnv } from './PublicCheckoutEnv';

/** The services a public checkout route is built from (`createServices` gives them all). */
export interface PublicCheckoutServices {
  readonly env: ServiceEnv;
  readonly checkoutCache: LookupCache;
  readonly sendcloudClients: CheckoutClients;
  readonly directory: { document(): Promise<Readonly<Record<string, { readonly secretKey: string }>>> };
}

/**
 * PublicCheckout as the checkout functions run it, from their services and PublicCheckoutEnv: client shares
 * in the service table shared by every Lambda (RATE_GOVERNOR=dynamodb), or in this process (`local`).
 */
export function createPublicCheckout(
  services: PublicCheckoutServices,
  options: {
    readonly db: () => DynamoDBDocumentClient;
    readonly env?: NodeJS.ProcessEnv;
    readonly onUnconfigured?: (account: string) => void;
  },
): PublicCheckout {
  const env = loadPublicCheckoutEnv(options.env);
  const rule = clientShareRule(env.CHECKOUT_CLIENT_LOOKUPS_PER_MINUTE);
  // The cache binds the table first: a declaration without it fails there, with UnboundResourceError.
  const cache = services.checkoutCache;
  const tableName = services.env.TABLE_NAME;
  if (!tableName) throw new RangeError('TABLE_NAME is not set: the checkout functions need the table');
  return new PublicCheckout({
    accounts: services.env.ACCOUNTS,
    client: (account) => checkoutSourceFor(services.sendcloudClients, account, 'checkout'),
    cache,
    share:
      services.env.RATE_GOVERNOR === 'dynamodb'
        ? new DynamoClientShare(options.db(), { tableName, rule })
        : new MemoryClientShare({ rule }),
    credentials: () => services.directory.document(),
    edgeToken: env.CHECKOUT_EDGE_TOKEN,
    ...(options.onUnconfigured ? { onUnconfigured: options.onUnconfigured } : {}),
  });
}

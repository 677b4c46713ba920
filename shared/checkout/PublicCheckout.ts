import type { ClientShare } from '../governor/ClientShare';
import { UnknownAccountError } from '../sendcloud/UnknownAccountError';
import type { CheckoutSource } from './CheckoutSource';
import { type ClientRequest, clientAddress } from './clientAddress';
import { clientIdOf, clientKeyOf } from './clientId';
import type { LookupCache, Lookups } from './LookupCache';
import { NOTHING_TO_OFFER } from './nothingToOffer';

export interface PublicCheckoutDeps {
  /** The accounts this stage serves (ACCOUNTS); every other id is answered from NOTHING_TO_OFFER. */
  readonly accounts: ReadonlySet<string>;
  /** The account's client for checkout: its capped share of the SendCloud budget. */
  readonly client: (account: string) => Promise<CheckoutSource>;
  readonly cache: LookupCache;
  readonly share: ClientShare;
  /** The credentials document (account → keys): client ids are keyed from it. */
  readonly credentials: () => Promise<Readonly<Record<string, { readonly secretKey: string }>>>;
  /** See `clientAddress`. */
  readonly edgeToken?: string | undefined;
  /** A served account whose keys are missing from the credentials: an operations problem, never the caller's. */
  readonly onUnconfigured?: (account: string) => void;
}

/** What one public checkout request may use: the `client` and `cache` its lookups go through. */
export interface CheckoutAccess {
  readonly client: CheckoutSource;
  readonly cache: Lookups;
}

/**
 * The public checkout routes' view of SendCloud. Any caller can reach them, so two things hold for every
 * request: an account id this stage does not serve is answered as a served account with nothing to offer
 * (same status, shape and headers, and SendCloud is not asked), so the routes do not tell which ids exist;
 * and each client (its address, keyed-hashed) may spend only its own small share of the account's checkout
 * lookups — answers from the cache cost it nothing — so one client cannot empty checkout for everyone.
 */
export class PublicCheckout {
  readonly #deps: PublicCheckoutDeps;

  constructor(deps: PublicCheckoutDeps) {
    this.#deps = deps;
  }

  async forRequest(request: ClientRequest & { readonly account: string }): Promise<CheckoutAccess> {
    const { account } = request;
    const [client, key] = await Promise.all([
      this.#clientFor(account),
      this.#deps.credentials().then(clientKeyOf),
    ]);
    const clientId = clientIdOf(clientAddress(request, { edgeToken: this.#deps.edgeToken }), key);
    return { client, cache: this.#deps.cache.admitting(() => this.#deps.share.admit({ account, clientId })) };
  }

  async #clientFor(account: string): Promise<CheckoutSource> {
    if (!this.#deps.accounts.has(account)) return NOTHING_TO_OFFER;
    try {
      return await this.#deps.client(account);
    } catch (error) {
      if (!(error instanceof UnknownAccountError)) throw error;
      this.#deps.onUnconfigured?.(account);
      return NOTHING_TO_OFFER;
    }
  }
}

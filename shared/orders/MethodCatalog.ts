import type { SendcloudClient, ShippingMethod } from '../sendcloud';

/**
 * The account's outgoing shipping methods and sender country, cached briefly: method ids are volatile at
 * SendCloud (never cache for more than an hour), and every order needs them.
 */
export class MethodCatalog {
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #cache = new Map<string, { at: number; methods: ShippingMethod[]; fromCountry: string }>();

  constructor(options: { readonly ttlMs?: number; readonly clock?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#clock = options.clock ?? Date.now;
  }

  async forAccount(
    account: string,
    client: SendcloudClient,
  ): Promise<{ methods: ShippingMethod[]; fromCountry: string }> {
    const cached = this.#cache.get(account);
    if (cached && this.#clock() - cached.at < this.#ttlMs) return cached;
    const [methods, senders] = await Promise.all([
      client.catalog.shippingMethods(),
      client.catalog.senderAddresses(),
    ]);
    const entry = { at: this.#clock(), methods, fromCountry: senders[0]?.country ?? 'NL' };
    this.#cache.set(account, entry);
    return entry;
  }
}

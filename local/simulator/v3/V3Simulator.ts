import type { SimAccount } from '../accounts';
import type { SimResponse, Simulator } from '../Simulator';
import { settleAnnouncement, settleDue } from './asyncAnnouncements';
import type { V3Context } from './context';
import { OAuthTokens } from './oauth';
import { allowFor, type RouteRequest, routeV3 } from './routes';
import { shipmentsOf, V3Store } from './store';

/**
 * SendCloud API v3 on top of the v2 simulator's state: the server hands it every `/api/v3` request that
 * passed authentication, rate limits and faults, exactly as it does for v2.
 */
export class V3Simulator {
  readonly store = new V3Store();
  readonly tokens: OAuthTokens;
  /** Public base of `/api/v3` as clients see it (set once the server listens). */
  baseUrl = 'http://127.0.0.1/api/v3';
  readonly #sim: Simulator;

  constructor(sim: Simulator) {
    this.#sim = sim;
    this.tokens = new OAuthTokens(() => sim.now());
    sim.settleAnnouncing = (parcel) => settleAnnouncement({ sim, store: this.store }, parcel);
  }

  /** Applies the carrier answers to order label requests that are due on the simulator's clock. */
  settleDue(): void {
    settleDue({ sim: this.#sim, store: this.store });
  }

  get #context(): V3Context {
    return { sim: this.#sim, store: this.store, tokens: this.tokens, baseUrl: this.baseUrl };
  }

  handle(request: RouteRequest): Promise<SimResponse> {
    return routeV3(this.#context, request);
  }

  allow(path: string): readonly string[] | undefined {
    return allowFor(path);
  }

  /** The account of a valid (issued, unexpired) bearer token. */
  bearerAccount(token: string): SimAccount | undefined {
    const id = this.tokens.accountIdOf(token);
    return id === undefined ? undefined : this.#sim.accounts.get(id);
  }

  /**
   * What `/__sim/counts` reports: creations with the reference (v2 parcels and v3 shipments, each counted
   * once, deleted ones included) and the shipments that exist with it now (a v2 parcel is a shipment of one).
   * A shipment an order's label request made counts under the order's `order_id`, its external reference
   * being null. `colli` counts the parcels those creations made (a multicollo create counts once in `created`
   * and once per collo here).
   */
  counts(accountId: string, reference: string): { created: number; colli: number; existing: number } {
    const existing = shipmentsOf(this.#sim, accountId).filter(
      (s) =>
        s.parcels.some((p) => p.externalReference === reference) ||
        this.store.shipments.get(s.id)?.order?.orderId === reference,
    ).length;
    return {
      created: this.#sim.createdCount(accountId, reference),
      colli: this.#sim.colliCount(accountId, reference),
      existing,
    };
  }

  reset(): void {
    this.store.reset();
    this.tokens.clear();
  }
}

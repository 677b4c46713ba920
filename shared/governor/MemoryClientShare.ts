import { type ClientRef, type ClientShare, ClientShareExhaustedError, clientShareRule } from './ClientShare';
import { type BucketRule, type BucketState, secondsToFill, tokensAt } from './tokenBucket';

/**
 * The client share in this process (RATE_GOVERNOR=local, tools and tests): the same buckets as
 * DynamoClientShare. Buckets that are full again carry nothing and are dropped once many are held.
 */
export class MemoryClientShare implements ClientShare {
  readonly #rule: BucketRule;
  readonly #clock: () => number;
  readonly #buckets = new Map<string, BucketState>();

  constructor(options: { readonly rule?: BucketRule; readonly clock?: () => number } = {}) {
    this.#rule = options.rule ?? clientShareRule();
    this.#clock = options.clock ?? Date.now;
  }

  async admit(client: ClientRef): Promise<void> {
    const now = this.#clock();
    const key = `${client.account}#${client.clientId}`;
    const available = tokensAt(this.#rule, this.#buckets.get(key), now);
    if (available < 1) throw new ClientShareExhaustedError(client.account);
    this.#buckets.set(key, { tokens: available - 1, at: now });
    if (this.#buckets.size > 1_000) this.#forgetFull(now);
  }

  #forgetFull(now: number): void {
    for (const [key, state] of this.#buckets)
      if (now - state.at >= secondsToFill(this.#rule, state.tokens) * 1000) this.#buckets.delete(key);
  }
}

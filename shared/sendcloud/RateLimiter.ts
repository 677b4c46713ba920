/**
 * Client-side limiter that keeps one SendCloud account under its documented budget instead of
 * discovering it through 429s: GET 1000/min; POST/PUT/PATCH/DELETE 100/min with at most 15/s.
 * Sliding windows are exact (no burst at a window edge) and waiters are served first come, first served.
 */
export type RequestKind = 'read' | 'write';

export interface RateLimiter {
  /** Resolves when one request of this kind may be sent now; the slot is taken on resolve. */
  acquire(kind: RequestKind): Promise<void>;
  /**
   * SendCloud answered 429 to a request of this kind: the budget is smaller than configured (it differs by
   * account and page), so a limiter that can adapt slows down. Called once per 429, before any retry.
   */
  onThrottled?(kind: RequestKind): Promise<void>;
  /**
   * The caller is about to send `count` requests of this kind (a bulk label run, a batch's downloads): a
   * limiter that leases may take them in one step. Only a hint: each request still calls `acquire`.
   */
  reserve?(kind: RequestKind, count: number): void;
}

/**
 * A caller with a capped share of the budget (checkout lookups) has used it: nothing was sent, and waiting
 * is not the answer — the caller serves what it has (the last good answer) instead.
 */
export class RateBudgetExhaustedError extends Error {
  override readonly name = 'RateBudgetExhaustedError' as const;
  readonly code = 'RATE_BUDGET_EXHAUSTED' as const;
  readonly retryable = true;
  constructor(account: string, kind: RequestKind) {
    super(`The checkout share of account ${account}'s SendCloud ${kind} budget is used up for now`);
  }
}

/**
 * This message would wait for the account's budget longer than a worker should hold its slot: nothing was
 * sent or recorded, and the message should come back after `retryAfterMs` instead (a deferral, not a failure).
 */
export class RateBudgetDeferredError extends Error {
  override readonly name = 'RateBudgetDeferredError' as const;
  readonly code = 'RATE_BUDGET_DEFERRED' as const;
  readonly retryable = true;
  readonly retryAfterMs: number;
  constructor(account: string, kind: RequestKind, retryAfterMs: number) {
    super(
      `Account ${account}'s SendCloud ${kind} budget is taken for the next ${Math.ceil(retryAfterMs / 1000)} s; come back then`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** Checkout lookups' share per account: a fifth of the GETs, so public traffic can never starve labels. */
export const CHECKOUT_SHARE_PER_MINUTE = 200;

export interface WindowRule {
  readonly limit: number;
  readonly windowMs: number;
}

export type RateLimitRules = Readonly<Record<RequestKind, readonly WindowRule[]>>;

export const SENDCLOUD_RATE_LIMITS: RateLimitRules = {
  read: [{ limit: 1000, windowMs: 60_000 }],
  write: [
    { limit: 100, windowMs: 60_000 },
    { limit: 15, windowMs: 1_000 },
  ],
};

export interface SlidingWindowRateLimiterOptions {
  readonly rules?: RateLimitRules;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SlidingWindowRateLimiter implements RateLimiter {
  readonly #rules: RateLimitRules;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #sent: Record<RequestKind, number[]> = { read: [], write: [] };
  readonly #queue: Record<RequestKind, Promise<void>> = { read: Promise.resolve(), write: Promise.resolve() };

  constructor(options: SlidingWindowRateLimiterOptions = {}) {
    this.#rules = options.rules ?? SENDCLOUD_RATE_LIMITS;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
    for (const rule of [...this.#rules.read, ...this.#rules.write]) {
      if (!(rule.limit > 0 && rule.windowMs > 0))
        throw new RangeError('rate limit rules need a positive limit and window');
    }
  }

  acquire(kind: RequestKind): Promise<void> {
    const turn = this.#queue[kind].then(() => this.#take(kind));
    this.#queue[kind] = turn.catch(() => undefined);
    return turn;
  }

  /** Takes a slot only if one is free now (no waiting); how a server enforces the same limits. */
  tryAcquire(kind: RequestKind): boolean {
    const now = this.#clock();
    if (this.#waitMs(kind, now) > 0) return false;
    this.#sent[kind].push(now);
    return true;
  }

  async #take(kind: RequestKind): Promise<void> {
    for (;;) {
      const now = this.#clock();
      const wait = this.#waitMs(kind, now);
      if (wait <= 0) {
        this.#sent[kind].push(now);
        return;
      }
      await this.#sleep(wait);
    }
  }

  #waitMs(kind: RequestKind, now: number): number {
    const rules = this.#rules[kind];
    const sent = this.#sent[kind];
    const horizon = now - Math.max(...rules.map((rule) => rule.windowMs));
    while (sent.length > 0 && (sent[0] ?? 0) <= horizon) sent.shift();
    let wait = 0;
    for (const rule of rules) {
      const start = now - rule.windowMs;
      const inWindow = sent.filter((at) => at > start);
      if (inWindow.length >= rule.limit) {
        // The slot frees when the oldest request that keeps us at the limit leaves the window.
        const blocking = inWindow[inWindow.length - rule.limit] ?? now;
        wait = Math.max(wait, blocking + rule.windowMs - now + 1);
      }
    }
    return wait;
  }
}

/** For tests that exercise something else, and for the simulator's own admin calls. */
export const unlimited: RateLimiter = { acquire: () => Promise.resolve() };

import type { AimdPolicy } from './aimd';
import {
  type BucketKey,
  type BucketReading,
  type DynamoTokenBuckets,
  msUntil,
  type StoredBucket,
} from './DynamoTokenBuckets';
import type { BucketRule } from './tokenBucket';

export interface BucketLaneOptions {
  readonly buckets: DynamoTokenBuckets;
  readonly key: BucketKey;
  readonly rule: BucketRule;
  /** Tokens this lane leaves in the bucket (a batch lane leaves the real-time reserve). */
  readonly floor: number;
  readonly aimd: AimdPolicy;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/** A take waits for at least this much refill when its process wants that many: fewer, larger takes. */
const MIN_TAKE_MS = 500;
/** After losing a race, read before taking for this long instead of predicting from our own last write. */
const CONTENDED_MS = 5_000;
/** A caller's announced demand (`reserve`) counts for this long. */
const HINT_MS = 30_000;
/**
 * Tokens due within this long are taken ahead (the bucket goes below the floor) and spent when due, instead
 * of polling the item until they are there: the takers after them see the debt and queue behind it.
 */
const AHEAD_MS = 2_000;

/**
 * One bucket and priority as one process uses it. Concurrent callers share one take: the lane takes as many
 * tokens as are waiting — plus, where the rule allows a lease, what the process is about to spend (what it
 * announced with `reserve`, else what it spent in the last lease) — in one conditional write, and spends the
 * surplus locally until `rule.leaseMs` after the take. When the bucket is short it takes ahead what is due
 * within AHEAD_MS and sleeps until then, rather than polling the item. After its own write it predicts the
 * item instead of reading it, until a lost race shows another process is taking too.
 */
export class BucketLane {
  readonly #o: BucketLaneOptions;
  readonly #waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #pumping = false;
  #lease = { tokens: 0, until: 0 };
  #known: StoredBucket | undefined;
  #contendedUntil = 0;
  #spent: number[] = [];
  #hint = { count: 0, until: 0 };

  constructor(options: BucketLaneOptions) {
    this.#o = options;
  }

  /** Resolves when one request may be sent now. */
  acquire(): Promise<void> {
    if (this.#waiters.length === 0 && this.#spendLease()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (!this.#pumping) void this.#pump();
    });
  }

  /** `count` more requests are coming soon: the next take may lease them at once. */
  reserve(count: number): void {
    const now = this.#o.clock();
    const current = now < this.#hint.until ? this.#hint.count : 0;
    this.#hint = { count: current + Math.max(0, Math.floor(count)), until: now + HINT_MS };
  }

  /**
   * Milliseconds until a request queued now would go (0: now), from the item as known or read; with `tokens`,
   * until the bucket holds that many above the floor for it, behind the callers already waiting.
   */
  async waitMs(tokens = 1): Promise<number> {
    if (this.#waiters.length === 0 && this.#leaseTokens() >= tokens) return 0;
    const reading = await this.#reading();
    return msUntil(reading, this.#o.floor + tokens + this.#waiters.length);
  }

  /** The bucket was emptied elsewhere (a 429): what this process holds or knows no longer counts. */
  forget(): void {
    this.#lease = { tokens: 0, until: 0 };
    this.#known = undefined;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0) {
        if (this.#serveFromLease()) continue;
        const reading = await this.#reading();
        const whole = Math.floor(reading.available - this.#o.floor + 1e-9);
        const demand = this.#demand(reading.now);
        if (whole >= 1) {
          const k = Math.min(whole, demand);
          const stored = await this.#o.buckets.take(this.#o.key, reading, reading.available - k);
          if (stored) {
            this.#known = stored;
            this.#grant(k, reading.now);
            continue;
          }
          // Another process took first: read from now on, and step back a little so takers do not spin.
          this.#lostRace();
          await this.#o.sleep(Math.ceil(5 + this.#o.random() * 25));
          continue;
        }
        if (reading.ledger && this.#o.floor > 0) {
          // A ledger's batch lane takes nothing ahead: a grant dated ahead counts against every window from
          // the moment it is written, and real-time callers would queue behind it. It sleeps until a token is
          // there above its floor, and takes then.
          const waitMs = msUntil(reading, this.#o.floor + 1);
          await this.#o.sleep(Math.max(1, Math.ceil(waitMs + this.#o.random() * Math.min(waitMs, 50))));
          continue;
        }
        // Take what this process wants (at least one token, at most half a second of refill) ahead when it is
        // due soon: one write, then sleep until it is due. An ordinary bucket would have granted the same
        // tokens at that instant, so spending them then keeps every window.
        // (Never more than the bucket could hold above its floor: a full bucket would have granted them.)
        const wanted = Math.min(
          demand,
          Math.max(1, Math.floor((reading.ratePerSecond * MIN_TAKE_MS) / 1000)),
          Math.max(1, Math.floor(this.#o.rule.capacity - this.#o.floor)),
        );
        const dueMs = msUntil(reading, this.#o.floor + wanted);
        if (dueMs <= AHEAD_MS) {
          const due = reading.now + Math.ceil(dueMs);
          const stored = await this.#o.buckets.take(this.#o.key, reading, reading.available - wanted, {
            at: due,
          });
          if (stored) {
            this.#known = stored;
            await this.#o.sleep(Math.max(0, due - this.#o.clock()));
            this.#grant(wanted, due);
            continue;
          }
          this.#lostRace();
          await this.#o.sleep(Math.ceil(5 + this.#o.random() * 25));
          continue;
        }
        // Further off: come back when it is due soon, the wake-ups spread so waiters do not return together.
        const waitMs = dueMs - AHEAD_MS;
        await this.#o.sleep(Math.ceil(waitMs + this.#o.random() * Math.min(waitMs, 50)));
      }
    } catch (error) {
      for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    } finally {
      this.#pumping = false;
    }
  }

  #lostRace(): void {
    this.#known = undefined;
    this.#contendedUntil = this.#o.clock() + CONTENDED_MS;
  }

  /** The item as this process last wrote it while nobody else seems to take, else as DynamoDB has it now. */
  async #reading(): Promise<BucketReading> {
    const { buckets, key, rule, aimd } = this.#o;
    if (this.#known && this.#o.clock() >= this.#contendedUntil)
      return buckets.predict(this.#known, rule, aimd);
    return buckets.read(key, rule, aimd);
  }

  /** Tokens for the callers waiting now, and — with a lease — for what the process is about to spend. */
  #demand(now: number): number {
    const waiting = this.#waiters.length;
    const leaseMs = this.#o.rule.leaseMs ?? 0;
    if (leaseMs <= 0) return waiting;
    const hinted = now < this.#hint.until ? this.#hint.count : 0;
    this.#spent = this.#spent.filter((at) => at > now - leaseMs);
    const soon = Math.max(hinted, this.#spent.length);
    const most = Math.max(1, Math.floor(this.#o.rule.capacity / 2));
    return Math.max(waiting, Math.min(most, waiting + soon));
  }

  /** `k` tokens taken at `at`: the waiting callers go now, the rest is leased until `at + leaseMs`. */
  #grant(k: number, at: number): void {
    const served = Math.min(k, this.#waiters.length);
    for (const waiter of this.#waiters.splice(0, served)) this.#spend(waiter.resolve);
    const surplus = k - served;
    const leaseMs = this.#o.rule.leaseMs ?? 0;
    // Only taken once the last lease is spent or expired, so no older token outlives its own expiry here.
    if (surplus > 0 && leaseMs > 0) this.#lease = { tokens: surplus, until: at + leaseMs };
  }

  #serveFromLease(): boolean {
    let served = false;
    while (this.#waiters.length > 0 && this.#leaseTokens() >= 1) {
      this.#lease = { ...this.#lease, tokens: this.#lease.tokens - 1 };
      const waiter = this.#waiters.shift();
      if (waiter) this.#spend(waiter.resolve);
      served = true;
    }
    return served;
  }

  #spendLease(): boolean {
    if (this.#leaseTokens() < 1) return false;
    this.#lease = { ...this.#lease, tokens: this.#lease.tokens - 1 };
    this.#spend();
    return true;
  }

  #spend(resolve?: () => void): void {
    const now = this.#o.clock();
    this.#spent.push(now);
    if (this.#hint.count > 0) this.#hint = { ...this.#hint, count: this.#hint.count - 1 };
    resolve?.();
  }

  /** Tokens of the lease still spendable: none once it expired (an expired token was simply not used). */
  #leaseTokens(): number {
    return this.#o.clock() < this.#lease.until ? this.#lease.tokens : 0;
  }
}

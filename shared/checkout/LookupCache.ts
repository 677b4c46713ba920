import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../orders/canonical';
import { RateBudgetExhaustedError, SendcloudError } from '../sendcloud';

/** A cached answer: `stale` when SendCloud could not be asked and this is the last good one. */
export interface Looked<T> {
  readonly value: T;
  /** When SendCloud gave this answer (ISO). */
  readonly fetchedAt: string;
  readonly stale: boolean;
  /** Why it is stale (no SendCloud detail beyond the error kind). */
  readonly degradedReason?: string;
}

interface Entry {
  readonly value: unknown;
  readonly fetchedAt: number;
}

export interface CacheStore {
  get(key: string): Promise<Entry | undefined>;
  put(key: string, entry: Entry, keepSeconds: number): Promise<void>;
}

/** Cache entries in the service table: one item per query, kept a week as the degraded-mode fallback. */
export class DynamoCacheStore implements CacheStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async get(key: string): Promise<Entry | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: { pk: `CACHE#${key}`, sk: 'CACHE' } }),
    );
    if (!Item || typeof Item.fetchedAt !== 'number' || typeof Item.value !== 'string') return undefined;
    return { value: JSON.parse(Item.value), fetchedAt: Item.fetchedAt };
  }

  async put(key: string, entry: Entry, keepSeconds: number): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `CACHE#${key}`,
          sk: 'CACHE',
          value: JSON.stringify(entry.value),
          fetchedAt: entry.fetchedAt,
          expiresAt: Math.floor(entry.fetchedAt / 1000) + keepSeconds,
        },
      }),
    );
  }
}

export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError' as const;
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  readonly retryable = true;
  readonly reason: string;
  constructor(reason: string, options: { readonly cause?: unknown } = {}) {
    super(
      `SendCloud is unavailable (${reason}) and nothing is cached for this query`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.reason = reason;
  }
}

export interface LookupCacheOptions {
  readonly clock?: () => number;
  /** How long the answer to a query is served without asking SendCloud again. */
  readonly freshMs: number;
  /** How long SendCloud may take before the last good answer is served instead. */
  readonly deadlineMs?: number;
  /** How long an answer is kept as the fallback for when SendCloud fails. */
  readonly keepSeconds?: number;
  /** Entries held in this process in front of the table. */
  readonly memoryEntries?: number;
}

/**
 * Read-through cache for checkout lookups. Fresh answers come from memory or the table without spending
 * the SendCloud budget; on a SendCloud failure (5xx, 429, timeout, network) or a slow answer the last good
 * one is served, flagged stale. SendCloud's 4xx (a bad query) is the caller's to see, never masked.
 */
export class LookupCache {
  readonly #store: CacheStore;
  readonly #clock: () => number;
  readonly #freshMs: number;
  readonly #deadlineMs: number;
  readonly #keepSeconds: number;
  readonly #memoryEntries: number;
  readonly #memory = new Map<string, Entry>();
  /** Loads under way in this process: a burst of the same query asks SendCloud once. */
  readonly #inFlight = new Map<string, { readonly promise: Promise<unknown>; readonly since: number }>();

  constructor(store: CacheStore, options: LookupCacheOptions) {
    this.#store = store;
    this.#clock = options.clock ?? Date.now;
    this.#freshMs = options.freshMs;
    this.#deadlineMs = options.deadlineMs ?? 2_500;
    this.#keepSeconds = options.keepSeconds ?? 7 * 86_400;
    this.#memoryEntries = options.memoryEntries ?? 500;
  }

  static keyOf(kind: string, parts: unknown): string {
    return `${kind}#${sha256(JSON.stringify(parts)).slice(0, 32)}`;
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<Looked<T>> {
    const now = this.#clock();
    const remembered = this.#memory.get(key);
    if (remembered && now - remembered.fetchedAt < this.#freshMs) return this.#answer<T>(remembered, false);
    const stored = await this.#store.get(key).catch(() => undefined);
    if (stored && now - stored.fetchedAt < this.#freshMs) {
      this.#remember(key, stored);
      return this.#answer<T>(stored, false);
    }
    let value: T;
    try {
      // Join a load under way unless it has outlived the deadline (a hung request is not waited on twice).
      const running = this.#inFlight.get(key);
      let loading =
        running && now - running.since < this.#deadlineMs ? (running.promise as Promise<T>) : undefined;
      if (!loading) {
        const started = load();
        loading = started;
        this.#inFlight.set(key, { promise: started, since: now });
        const done = () => {
          if (this.#inFlight.get(key)?.promise === started) this.#inFlight.delete(key);
        };
        started.then(done, done);
      }
      value = await this.#withDeadline(loading);
    } catch (error) {
      const reason = degradedReason(error);
      if (!reason) throw error;
      const fallback = stored ?? remembered;
      if (!fallback) throw new UpstreamUnavailableError(reason, { cause: error });
      return { ...this.#answer<T>(fallback, true), degradedReason: reason };
    }
    const entry = { value, fetchedAt: this.#clock() };
    this.#remember(key, entry);
    await this.#store.put(key, entry, this.#keepSeconds).catch(() => undefined);
    return this.#answer<T>(entry, false);
  }

  #answer<T>(entry: Entry, stale: boolean): Looked<T> {
    return { value: entry.value as T, fetchedAt: new Date(entry.fetchedAt).toISOString(), stale };
  }

  #remember(key: string, entry: Entry): void {
    this.#memory.delete(key);
    this.#memory.set(key, entry);
    while (this.#memory.size > this.#memoryEntries) {
      const oldest = this.#memory.keys().next().value;
      if (oldest === undefined) break;
      this.#memory.delete(oldest);
    }
  }

  #withDeadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError()), this.#deadlineMs);
    });
    work.catch(() => undefined); // a late failure after the deadline is nobody's to handle
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }
}

class DeadlineError extends Error {
  override readonly name = 'DeadlineError' as const;
  readonly code = 'CHECKOUT_DEADLINE' as const;
  readonly retryable = true;
}

/** Why an error means "SendCloud cannot answer now" (serve stale), or undefined for the caller's own 4xx. */
function degradedReason(error: unknown): string | undefined {
  if (error instanceof DeadlineError) return 'timeout';
  if (error instanceof RateBudgetExhaustedError) return 'budget';
  if (error instanceof SendcloudError && error.retryable)
    return error.name.replace(/^Sendcloud|Error$/g, '').toLowerCase();
  return undefined;
}

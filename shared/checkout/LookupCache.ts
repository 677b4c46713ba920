import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ClientShareExhaustedError } from '../governor/ClientShare';
import { sha256 } from '../orders/canonical';
import { SendcloudError } from '../sendcloud/errors';
import { RateBudgetExhaustedError } from '../sendcloud/RateLimiter';

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

/** Cached lookups as one caller sees them (the cache itself, or the cache as one client may use it). */
export interface Lookups {
  get<T>(key: string, load: () => Promise<T>): Promise<Looked<T>>;
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
      `No answer from SendCloud (${reason}) and nothing is cached for this query`,
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
export class LookupCache implements Lookups {
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

  get<T>(key: string, load: () => Promise<T>): Promise<Looked<T>> {
    return this.#lookup(key, load, undefined);
  }

  /**
   * The cache as one caller may use it: before this caller's lookup asks SendCloud, `admit` must let it
   * (and may reject with ClientShareExhaustedError, answered like a spent budget). Fresh answers, and loads
   * already under way for someone else, cost it nothing — so a client over its share still gets what is
   * cached, and never makes another caller's load fail.
   */
  admitting(admit: () => Promise<void>): Lookups {
    return { get: (key, load) => this.#lookup(key, load, admit) };
  }

  async #lookup<T>(
    key: string,
    load: () => Promise<T>,
    admit: (() => Promise<void>) | undefined,
  ): Promise<Looked<T>> {
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
      // One deadline for both: a slow admission is as much "no answer in time" as a slow SendCloud.
      value = await this.#withDeadline(
        (async () => {
          let loading = this.#running<T>(key, now);
          if (!loading && admit) {
            await admit();
            // Someone may have started the same load while this caller was admitted: join it.
            loading = this.#running<T>(key, now);
          }
          return loading ?? this.#start(key, load, now);
        })(),
      );
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

  /** A load of this key under way here, unless past the deadline (a hung request is not waited on twice). */
  #running<T>(key: string, now: number): Promise<T> | undefined {
    const running = this.#inFlight.get(key);
    return running && now - running.since < this.#deadlineMs ? (running.promise as Promise<T>) : undefined;
  }

  #start<T>(key: string, load: () => Promise<T>, now: number): Promise<T> {
    const started = load();
    this.#inFlight.set(key, { promise: started, since: now });
    const done = () => {
      if (this.#inFlight.get(key)?.promise === started) this.#inFlight.delete(key);
    };
    started.then(done, done);
    return started;
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
  if (error instanceof ClientShareExhaustedError) return 'client-limit';
  if (error instanceof SendcloudError && error.retryable)
    return error.name.replace(/^Sendcloud|Error$/g, '').toLowerCase();
  return undefined;
}

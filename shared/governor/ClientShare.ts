import { type BucketRule, bucketWithin } from './tokenBucket';

/**
 * Uncached checkout lookups one client (one address) may make per account and minute. A checkout session
 * needs a handful (delivery options, the points near one or two addresses); twenty leave room for a map
 * being panned or a few shoppers behind one office NAT, while one client alone can take at most a tenth of
 * the account's checkout share (200 a minute) — and half its burst of 20, so a flood leaves real shoppers
 * the rest. Answers from the cache cost nothing.
 */
export const CLIENT_LOOKUPS_PER_MINUTE = 20;

/** `perMinute` as a bucket: a burst of half, then refill that never exceeds `perMinute` in any minute. */
export function clientShareRule(perMinute: number = CLIENT_LOOKUPS_PER_MINUTE): BucketRule {
  if (!Number.isInteger(perMinute) || perMinute < 2)
    throw new RangeError('a client share needs at least 2 lookups a minute');
  return bucketWithin([{ limit: perMinute, windowMs: 60_000 }], Math.floor(perMinute / 2), 0);
}

/** Who is asking, as the share counts them: the account asked about and the client's hashed address. */
export interface ClientRef {
  readonly account: string;
  /** A keyed hash of the client's network (see `clientIdOf`), never the address itself. */
  readonly clientId: string;
}

/**
 * Per-client fairness for public checkout: each (account, client) pair has its own small bucket, taken
 * before a lookup may spend the account's checkout share. Never waits: a client over its share is answered
 * from the cache (`degradedReason: "client-limit"`).
 */
export interface ClientShare {
  /** Resolves when this client may make one more uncached lookup; rejects with ClientShareExhaustedError. */
  admit(client: ClientRef): Promise<void>;
}

/** This client used its share of the account's checkout lookups for now: answer it from the cache. */
export class ClientShareExhaustedError extends Error {
  override readonly name = 'ClientShareExhaustedError' as const;
  readonly code = 'CLIENT_SHARE_EXHAUSTED' as const;
  readonly retryable = true;
  constructor(account: string, options: { readonly cause?: unknown } = {}) {
    super(
      `One client used its share of account ${account}'s checkout lookups for now; it is answered from the cache`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
  }
}

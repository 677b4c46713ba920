import type { OrderKey, OrderRecipient, OrderRecord, OrderStatus } from '../orders/Order';
import type { RuleSet } from '../routing';

export type CreateResult =
  | { readonly created: true; readonly order: OrderRecord }
  | { readonly created: false; readonly existing: OrderRecord };

export type ClaimResult =
  | { readonly outcome: 'claimed'; readonly order: OrderRecord }
  /** Another worker holds it (its lock has not expired). */
  | { readonly outcome: 'busy'; readonly order: OrderRecord }
  /** Past the point where claiming matters: announced, stored, failed or cancelled. */
  | { readonly outcome: 'settled'; readonly order: OrderRecord }
  | { readonly outcome: 'missing' };

export type OrderChanges = Partial<
  Omit<OrderRecord, 'channel' | 'orderId' | 'account' | 'bodyHash' | 'createdAt'>
>;

/** What a conditional `update` requires of the stored order. */
export interface UpdateFence {
  /** Still held by this processing attempt. */
  readonly attempt?: number;
  /** Still in one of these statuses. */
  readonly status?: readonly OrderStatus[];
}

/**
 * One write of an order's step: its `changes` under `fence`, and what the step starts in the same write (so a
 * step costs one write, transactional-outbox style).
 */
export interface OrderStep {
  readonly changes: OrderChanges;
  readonly fence?: UpdateFence;
  /**
   * The order's parcel now waits for its first carrier scan (the stuck-parcel index), since this ISO time.
   * Only for a first recording, before any pointer leads a webhook to the order (a scan cannot be there yet).
   */
  readonly awaitScanSince?: string;
  /**
   * Takes the right to publish these events, as `beginEmit` would for each: the write is refused (false) when
   * another publisher holds one of them or one is sent.
   */
  readonly beginEmit?: {
    readonly events: readonly string[];
    readonly now: Date;
    readonly leaseMs: number;
  };
}

/** Orders, their personal data, and what routing learns — behind conditional writes. */
export interface OrderStore {
  create(order: OrderRecord, recipient: OrderRecipient): Promise<CreateResult>;
  /**
   * Replaces an order that ended (cancelled, or failed) with its next generation — indexes and personal data
   * as for a new order — if it is still as it was read (`status` and `generation`); false otherwise.
   */
  reopen(
    next: OrderRecord,
    expected: { readonly status: OrderStatus; readonly generation: number },
    recipient: OrderRecipient,
  ): Promise<boolean>;
  /** Notes a return on its order, once (a repeat changes nothing). */
  addReturn(key: OrderKey, returnId: string): Promise<void>;
  /** A return record, once per key; outside the order indexes (never swept, batched or reported as an order). */
  createReturn(record: OrderRecord): Promise<CreateResult>;
  get(key: OrderKey): Promise<OrderRecord | undefined>;
  /** Strongly consistent, like `get`, in as few reads as the store allows; orders not found are absent. */
  getMany(keys: readonly OrderKey[]): Promise<Map<string, OrderRecord>>;
  getRecipient(key: OrderKey): Promise<OrderRecipient | undefined>;
  /** Several orders' personal data in as few reads as the store allows (keyed like `getMany`: `orderKeyId`). */
  getRecipients(keys: readonly OrderKey[]): Promise<Map<string, OrderRecipient>>;
  /** Every channel's order with this id. */
  findByOrderId(orderId: string): Promise<OrderRecord[]>;
  /**
   * Takes the order for processing: `accepted`, or `creating` with an expired lock. With `fresh`, only an
   * `accepted` order (the claim opens its generation) and its changes are written with the claim; any other
   * state answers as without it, and the caller claims again without `fresh`.
   */
  claim(
    key: OrderKey,
    options: { readonly now: Date; readonly lockMs: number; readonly fresh?: OrderChanges },
  ): Promise<ClaimResult>;
  /**
   * Applies changes if the order is still held by this attempt (a worker that lost its lock cannot write)
   * and, with `status`, is still in one of these statuses (a cancel and a worker never overwrite each
   * other). Returns false when the fence refused the write.
   */
  update(key: OrderKey, changes: OrderChanges, fence?: UpdateFence): Promise<boolean>;
  /** `update` with what the step starts in the same write (`OrderStep`); false when refused. */
  record(key: OrderKey, step: OrderStep): Promise<boolean>;
  /** Every order an account received on a UTC day (`YYYY-MM-DD`). */
  createdOn(account: string, day: string): Promise<OrderKey[]>;
  /**
   * One page of an account's orders created on `day` (UTC), newest first, at most `limit`; `next` continues
   * the same day (undefined: the day is done).
   */
  createdOnPage(
    account: string,
    day: string,
    options: { readonly limit: number; readonly after?: Record<string, unknown> },
  ): Promise<{ readonly keys: OrderKey[]; readonly next?: Record<string, unknown> }>;
  /** An account's end-of-day orders waiting for their batch, accepted before `before`. */
  ready(account: string, options: { readonly before: Date; readonly limit: number }): Promise<OrderKey[]>;
  /** `ready` → `accepted` in this batch; false if another batch took it first. */
  assignToBatch(key: OrderKey, batchId: string, now: Date): Promise<boolean>;
  /**
   * Orders not final yet — `accepted`, `creating`, or `announced` without a stored label — created before
   * `before` (oldest first per shard).
   */
  pending(options: { readonly before: Date; readonly limit: number }): Promise<OrderKey[]>;
  /** Every pending order created before `before`, a page at a time (each shard oldest first): no cap. */
  pendingPages(options: { readonly before: Date }): AsyncIterable<OrderKey[]>;
  /**
   * Takes the right to publish `event` for this order: true when nobody has, or a publisher that started
   * more than `leaseMs` ago never finished (it crashed). Concurrent duplicates get false.
   */
  beginEmit(
    key: OrderKey,
    event: string,
    options: { readonly now: Date; readonly leaseMs: number },
  ): Promise<boolean>;
  endEmit(
    key: OrderKey,
    event: string,
    options: { readonly now: Date; readonly published: boolean },
  ): Promise<void>;
  /** `endEmit` for several events of one order in one write: `sent` are recorded, `unsent` given back. */
  endEmits(
    key: OrderKey,
    outcome: { readonly now: Date; readonly sent: readonly string[]; readonly unsent: readonly string[] },
  ): Promise<void>;
}

/** The key `getMany` and `getRecipients` answer under. */
export const orderKeyId = (key: OrderKey): string => `${key.channel}/${key.orderId}`;

/** Keyed by method reference (a v2 id as a string, a v3 shipping option code); the same key for both. */
export interface MethodHealth {
  /** Failure times (ISO) for each method, most recent last. */
  failures(account: string, methods: readonly string[]): Promise<Map<string, string[]>>;
  recordFailure(account: string, method: string, at: Date): Promise<void>;
  recordSuccess(account: string, method: string): Promise<void>;
}

/** One stored version of an account's rule set, without its rules. */
export interface RuleSetVersion {
  readonly version: number;
  /** ISO 8601. */
  readonly storedAt: string;
  /** The IAM caller that stored it (user or role ARN), `local` on the local stack; null when unknown. */
  readonly storedBy: string | null;
  /** SHA-256 of the content without its version: a restored version has the hash of the one it restores. */
  readonly sha256: string;
}

export interface RulesStore {
  /** The account's current rule set, or undefined when it uses the default. */
  current(account: string): Promise<RuleSet | undefined>;
  /** Stores a new version, kept for good; refused (false) unless `version` is higher than the current one. */
  put(account: string, rules: RuleSet, options?: { readonly storedBy?: string }): Promise<boolean>;
  /** Every version stored for the account, newest first. */
  versions(account: string): Promise<RuleSetVersion[]>;
  /** One stored version with its rules, or undefined when there is none of that number. */
  version(
    account: string,
    version: number,
  ): Promise<(RuleSetVersion & { readonly rules: RuleSet }) | undefined>;
}

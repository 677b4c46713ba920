import type { OrderKey } from '../orders/Order';
import * as z from '../validation/zod';

export const SplitBy = z.enum(['none', 'carrier', 'packingStation']);
export type SplitBy = z.infer<typeof SplitBy>;

export const StartBatchRequest = z.object({
  account: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/)), 'default'),
  /** Only orders of these channels (default: all). */
  channels: z.optional(z.array(z.string())),
  /** Only orders accepted before this moment (the cut-off; default: now). */
  acceptedBefore: z.optional(z.iso.datetime()),
  /** One label file per carrier or per packing station, or one for everything. */
  splitBy: z._default(SplitBy, 'none'),
  limit: z._default(z.number().check(z.int(), z.positive(), z.lte(20_000)), 10_000),
});
export type StartBatchRequest = z.infer<typeof StartBatchRequest>;

export interface BatchFile {
  readonly split: string;
  /** `customs`: the customs documents of the part's parcels leaving the EU customs territory, one PDF. */
  readonly format: 'a6' | 'a4' | 'zpl' | 'customs';
  readonly part: number;
  readonly parts: number;
  readonly labels: number;
  readonly key: string;
  readonly bytes: number;
}

/**
 * `starting` (orders are being taken, `total` still grows) → `running` (`total` is final, orders are being
 * created) → `merging` → `completed`. A batch that found no orders goes from `starting` to `completed`.
 */
export type BatchStatus = 'starting' | 'running' | 'merging' | 'completed';

/** Which ready orders the batch takes, fixed when it is started. */
export interface BatchSelection {
  readonly channels?: readonly string[];
  /** The cut-off (ISO): orders accepted before it. */
  readonly acceptedBefore: string;
  readonly limit: number;
}

/** The page of orders being taken now: kept on the batch record until it is closed, so a crash resumes it. */
export interface BatchPage {
  readonly no: number;
  readonly orders: readonly OrderKey[];
}

export interface BatchRecord {
  readonly batchId: string;
  readonly account: string;
  readonly status: BatchStatus;
  readonly splitBy: SplitBy;
  /** Orders in the batch; final once the batch is no longer `starting`. */
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly createdAt: string;
  readonly completedAt?: string;
  readonly files?: readonly BatchFile[];
  /** Absent on batches from before batches were assembled asynchronously. */
  readonly selection?: BatchSelection;
  /** Pages of orders taken and queued so far. */
  readonly pages?: number;
  readonly page?: BatchPage;
  /** The last time the batch moved (a page closed, an order settled, the merge started); for the stuck sweep. */
  readonly activeAt?: string;
}

export interface BatchMember extends OrderKey {
  readonly outcome?: 'done' | 'failed';
  readonly reason?: string;
}

/** An order of a batch with its outcome, as `settleMany` counts it. */
export interface SettledMember {
  readonly key: OrderKey;
  readonly outcome: 'done' | 'failed';
  readonly reason?: string;
}

export interface BatchStore {
  /** Writes a new batch record; false (and nothing changes) when it exists already. */
  create(batch: BatchRecord): Promise<boolean>;
  get(batchId: string): Promise<BatchRecord | undefined>;
  members(batchId: string): Promise<BatchMember[]>;
  /** Keeps `page` on a `starting` batch whose `pages` equals `page.no`; false if another page is open or later. */
  openPage(batchId: string, page: BatchPage): Promise<boolean>;
  /**
   * Makes each order a member for page `no`, unless an earlier page made it one (a stale index read returned
   * it again). Returns the orders that are members for this page; a repeat returns the same ones.
   */
  claimMembers(batchId: string, no: number, orders: readonly OrderKey[]): Promise<OrderKey[]>;
  /** Removes page `no`'s members that the batch did not get (another batch took them). */
  releaseMembers(batchId: string, no: number, orders: readonly OrderKey[]): Promise<void>;
  /** Adds `taken` to the total and closes page `no`, once; false when it was closed already. */
  closePage(batchId: string, no: number, taken: number): Promise<boolean>;
  /**
   * `starting` → `running` (or `completed` when it took no orders), once no page is open; returns the batch
   * as it is after the change, or undefined when it was not `starting` or a page is open.
   */
  finishStarting(batchId: string, at: string): Promise<BatchRecord | undefined>;
  /**
   * Counts orders' outcomes: each member's outcome once (a redelivery does not count again), then the batch's
   * counts in one write (a crash between leaves them short: `recount`). Returns the batch after counting.
   */
  settleMany(batchId: string, settled: readonly SettledMember[]): Promise<BatchRecord | undefined>;
  /** running → merging, exactly once. */
  startMerging(batchId: string): Promise<boolean>;
  /** merging → completed with its files, exactly once; false when it was not merging (another merge won). */
  complete(batchId: string, files: readonly BatchFile[], at: string): Promise<boolean>;
  /** Batches not completed yet, oldest first, at most `limit`. */
  open(options: { readonly limit: number }): Promise<BatchRecord[]>;
  /**
   * Sets a `running` batch's counts from its members' outcomes. A crash between members' outcomes and the
   * batch's count leaves the count short for good (the redelivered settle finds the members settled);
   * returns the batch as it is after.
   */
  recount(batchId: string): Promise<BatchRecord | undefined>;
}

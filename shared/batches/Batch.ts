import * as z from 'zod';
import type { OrderKey } from '../orders/Order';

export const SplitBy = z.enum(['none', 'carrier', 'packingStation']);
export type SplitBy = z.infer<typeof SplitBy>;

export const StartBatchRequest = z.object({
  account: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .default('default'),
  /** Only orders of these channels (default: all). */
  channels: z.array(z.string()).optional(),
  /** Only orders accepted before this moment (the cut-off; default: now). */
  acceptedBefore: z.iso.datetime().optional(),
  /** One label file per carrier or per packing station, or one for everything. */
  splitBy: SplitBy.default('none'),
  limit: z.number().int().positive().max(20_000).default(10_000),
});
export type StartBatchRequest = z.infer<typeof StartBatchRequest>;

export interface BatchFile {
  readonly split: string;
  readonly format: 'a6' | 'a4' | 'zpl';
  readonly part: number;
  readonly parts: number;
  readonly labels: number;
  readonly key: string;
  readonly bytes: number;
}

export interface BatchRecord {
  readonly batchId: string;
  readonly account: string;
  readonly status: 'running' | 'merging' | 'completed';
  readonly splitBy: SplitBy;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly createdAt: string;
  readonly completedAt?: string;
  readonly files?: readonly BatchFile[];
}

export interface BatchMember extends OrderKey {
  readonly outcome?: 'done' | 'failed';
  readonly reason?: string;
}

export interface BatchStore {
  create(batch: BatchRecord, members: readonly OrderKey[]): Promise<void>;
  get(batchId: string): Promise<BatchRecord | undefined>;
  members(batchId: string): Promise<BatchMember[]>;
  /** Counts an order's outcome once (a redelivery does not count again); returns the batch after counting. */
  settle(
    batchId: string,
    key: OrderKey,
    outcome: { readonly outcome: 'done' | 'failed'; readonly reason?: string },
  ): Promise<BatchRecord | undefined>;
  /** running → merging, exactly once. */
  startMerging(batchId: string): Promise<boolean>;
  complete(batchId: string, files: readonly BatchFile[], at: string): Promise<void>;
}

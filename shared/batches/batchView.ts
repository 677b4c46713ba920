import * as z from '../validation/zod';
import type { BatchFile, BatchMember, BatchRecord } from './Batch';

export const BatchFileView = z.object({
  index: z.number().check(z.int()),
  split: z.string(),
  format: z.enum(['a6', 'a4', 'zpl', 'customs']),
  part: z.number().check(z.int()),
  parts: z.number().check(z.int()),
  labels: z.number().check(z.int()),
  /** Size in bytes: merged parts of 1,000 labels are tens of MB, so they are handed out as links. */
  bytes: z.number().check(z.int()),
  contentType: z.string(),
  filename: z.string(),
  /** Answers 303 See Other with a short-lived download link. */
  href: z.string(),
});

export const BatchView = z.object({
  batchId: z.string(),
  account: z.string(),
  status: z.enum(['starting', 'running', 'merging', 'completed']),
  splitBy: z.enum(['none', 'carrier', 'packingStation']),
  /** The cut-off: the batch takes ready orders accepted before it. */
  acceptedBefore: z.optional(z.string()),
  channels: z.optional(z.array(z.string())),
  /** Orders in the batch; null while `starting` (they are still being taken). */
  total: z.nullable(z.number().check(z.int())),
  /** Orders taken so far; equals `total` once the batch runs. */
  assigned: z.number().check(z.int()),
  done: z.number().check(z.int()),
  failed: z.number().check(z.int()),
  /** Settled share of `total`, 0 while `starting`. */
  progress: z.number(),
  createdAt: z.string(),
  completedAt: z.optional(z.string()),
  files: z.array(BatchFileView),
  failures: z.array(z.object({ orderId: z.string(), channel: z.string(), reason: z.string() })),
  links: z.object({ self: z.string() }),
});
export type BatchView = z.infer<typeof BatchView>;

export const fileContentType = (file: BatchFile) =>
  file.format === 'zpl' ? 'application/zpl' : 'application/pdf';
export const fileName = (file: BatchFile) => file.key.split('/').pop() ?? `${file.format}`;

/** A batch as the API shows it: no storage keys or paging state, files with their size and link. */
export function batchView(batch: BatchRecord, members: readonly BatchMember[] = []): BatchView {
  const starting = batch.status === 'starting';
  const self = `/batches/${encodeURIComponent(batch.batchId)}`;
  return {
    batchId: batch.batchId,
    account: batch.account,
    status: batch.status,
    splitBy: batch.splitBy,
    ...(batch.selection ? { acceptedBefore: batch.selection.acceptedBefore } : {}),
    ...(batch.selection?.channels ? { channels: [...batch.selection.channels] } : {}),
    total: starting ? null : batch.total,
    assigned: batch.total,
    done: batch.done,
    failed: batch.failed,
    progress: starting ? 0 : batch.total === 0 ? 1 : (batch.done + batch.failed) / batch.total,
    createdAt: batch.createdAt,
    ...(batch.completedAt ? { completedAt: batch.completedAt } : {}),
    files: (batch.files ?? []).map((file, index) => ({
      index,
      split: file.split,
      format: file.format,
      part: file.part,
      parts: file.parts,
      labels: file.labels,
      bytes: file.bytes,
      contentType: fileContentType(file),
      filename: fileName(file),
      href: `${self}/files/${index}`,
    })),
    failures: members
      .filter((m) => m.outcome === 'failed')
      .map((m) => ({ orderId: m.orderId, channel: m.channel, reason: m.reason ?? 'failed' })),
    links: { self },
  };
}

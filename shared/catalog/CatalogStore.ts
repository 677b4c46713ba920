import type { CatalogChange, CatalogChangeKey, CatalogSnapshot } from './CatalogSnapshot';

/** Where each account's catalogue snapshot lives (DynamoDB: `CATALOG#<account>` / `SNAPSHOT`). */
export interface CatalogStore {
  snapshot(account: string): Promise<CatalogSnapshot | undefined>;
  /**
   * Stores `next` (methods, version, changedAt) and adds `changes` to its outbox — only if the stored
   * snapshot is still at `expectedVersion` (0: there is none yet). False when another refresh stored first.
   */
  commit(
    next: Omit<CatalogSnapshot, 'outbox'>,
    options: { readonly expectedVersion: number; readonly changes: readonly CatalogChange[] },
  ): Promise<boolean>;
  /** Takes an outbox change for publishing: false when it is gone or another publisher's lease holds it. */
  beginEmit(key: CatalogChangeKey, event: string, options: { now: Date; leaseMs: number }): Promise<boolean>;
  /** Published: the change leaves the outbox; not published: it is pending again. */
  endEmit(key: CatalogChangeKey, event: string, options: { now: Date; published: boolean }): Promise<void>;
}

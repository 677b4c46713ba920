import type { AccountMethod, ApiVersion } from '../sendcloud/port';

/**
 * What a catalogue refresh keeps of an account: the methods SendCloud listed last time, and the changes found
 * since that are still to be published (the outbox: written together with the snapshot, so a refresh that
 * crashes after storing its diff still publishes it next time).
 */
export interface CatalogSnapshot {
  readonly account: string;
  readonly api: ApiVersion;
  /** 1 for the first snapshot; each stored diff adds one. */
  readonly version: number;
  readonly methods: readonly AccountMethod[];
  /** When the methods last changed (or were first read), ISO 8601. */
  readonly changedAt: string;
  readonly outbox: readonly CatalogChange[];
}

/** What started a refresh: an integration webhook, the schedule, or an announce SendCloud refused. */
export const CATALOG_TRIGGERS = ['webhook', 'schedule', 'announce'] as const;
export type CatalogTrigger = (typeof CATALOG_TRIGGERS)[number];

/** One method that left or joined the account's catalogue. */
export interface CatalogChange {
  /** Unique within the account: `<version>:<kind>:<ref>`. */
  readonly id: string;
  readonly kind: 'removed' | 'added';
  readonly method: AccountMethod;
  readonly detectedAt: string;
  readonly trigger: CatalogTrigger;
  /** `sending` while a publisher holds it (since `at`); published changes leave the outbox. */
  readonly state: 'pending' | 'sending';
  readonly at?: string | undefined;
}

/** The key the emit-once ledger works on: one change of one account. */
export interface CatalogChangeKey {
  readonly account: string;
  readonly changeId: string;
}

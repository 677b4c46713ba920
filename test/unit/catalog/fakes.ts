import type { CatalogChange, CatalogChangeKey, CatalogSnapshot, CatalogStore } from '../../../shared/catalog';
import type { DetailType, EventDetail, EventPublisher } from '../../../shared/events';
import type { AccountMethod } from '../../../shared/sendcloud/port';

/** The DynamoDB store's semantics in memory: version-conditioned commits, an outbox with leases. */
export class InMemoryCatalogStore implements CatalogStore {
  readonly items = new Map<string, CatalogSnapshot>();

  async snapshot(account: string): Promise<CatalogSnapshot | undefined> {
    return this.items.get(account);
  }

  async commit(
    next: Omit<CatalogSnapshot, 'outbox'>,
    options: { readonly expectedVersion: number; readonly changes: readonly CatalogChange[] },
  ): Promise<boolean> {
    const stored = this.items.get(next.account);
    if ((stored?.version ?? 0) !== options.expectedVersion) return false;
    this.items.set(next.account, { ...next, outbox: [...(stored?.outbox ?? []), ...options.changes] });
    return true;
  }

  async beginEmit(key: CatalogChangeKey, _event: string, options: { now: Date; leaseMs: number }) {
    const stored = this.items.get(key.account);
    const entry = stored?.outbox.find((c) => c.id === key.changeId);
    if (!stored || !entry) return false;
    const stale = entry.at !== undefined && Date.parse(entry.at) < options.now.getTime() - options.leaseMs;
    if (entry.state !== 'pending' && !stale) return false;
    this.#replace(stored, { ...entry, state: 'sending', at: options.now.toISOString() });
    return true;
  }

  async endEmit(key: CatalogChangeKey, _event: string, options: { now: Date; published: boolean }) {
    const stored = this.items.get(key.account);
    const entry = stored?.outbox.find((c) => c.id === key.changeId);
    if (!stored || !entry) return;
    if (options.published)
      this.items.set(key.account, { ...stored, outbox: stored.outbox.filter((c) => c.id !== entry.id) });
    else this.#replace(stored, { ...entry, state: 'pending', at: undefined });
  }

  #replace(stored: CatalogSnapshot, entry: CatalogChange): void {
    this.items.set(stored.account, {
      ...stored,
      outbox: stored.outbox.map((c) => (c.id === entry.id ? entry : c)),
    });
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly published: Array<{ detailType: DetailType; detail: unknown }> = [];
  failNext = 0;

  async publish<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('PutEvents failed');
    }
    this.published.push({ detailType, detail });
  }
}

/** Methods as an account lists them (the simulator's ids and v3 codes). */
export const v2Method = (id: number, name: string, carrier: string, returns = false): AccountMethod => ({
  ref: String(id),
  legacyId: id,
  name,
  carrier,
  returns,
});

export const v3Option = (ref: string, name: string, carrier: string): AccountMethod => ({
  ref,
  name,
  carrier,
  returns: false,
});

import type { EventPublisher } from '../events';
import { emitOnce } from '../orders/emitOnce';
import type { AccountMethod, SendcloudPort } from '../sendcloud/port';
import type { CatalogChange, CatalogSnapshot, CatalogTrigger } from './CatalogSnapshot';
import type { CatalogStore } from './CatalogStore';
import { applyDiff, type CatalogDiff, diffCatalog } from './diffCatalog';

/** Changes stored per commit: one update's expression stays far inside DynamoDB's 4 KB. */
export const CHANGES_PER_COMMIT = 100;
/** Commits lost to concurrent refreshes (or a diff larger than one commit) before giving up. */
const MAX_ROUNDS = 20;

export interface RefreshDeps {
  readonly store: CatalogStore;
  /** The account's SendCloud port (its version names the snapshot's API). */
  readonly port: () => Promise<Pick<SendcloudPort, 'version' | 'accountMethods'>>;
  readonly events: EventPublisher;
  readonly clock: () => Date;
  /** Drops this process's cached catalogues of the account (every port of it). */
  readonly forget: () => Promise<void> | void;
}

export interface RefreshResult {
  /** No snapshot existed: this one is the baseline, and no change is published for it. */
  readonly baseline: boolean;
  readonly removed: number;
  readonly added: number;
  /** Changes this call published (its own, and any an earlier refresh stored but did not publish). */
  readonly published: number;
}

/**
 * Reads the account's methods from SendCloud, compares them with the stored snapshot and stores the new one
 * with the difference in its outbox (conditionally on the version read: of two concurrent refreshes, one
 * stores the diff and the other then finds none), then publishes each change once — `Shipping Method
 * Removed` / `Shipping Method Added`. A repeat (a duplicate webhook, the next schedule) finds nothing new.
 * The first snapshot of an account is a baseline: what it lists was not "added". Afterwards this process's
 * cached catalogues are dropped, so its next routing reads SendCloud.
 */
export async function refreshCatalog(
  input: { readonly account: string; readonly trigger: CatalogTrigger },
  deps: RefreshDeps,
): Promise<RefreshResult> {
  const port = await deps.port();
  const live = await port.accountMethods();
  let baseline = false;
  let removed = 0;
  let added = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const stored = await deps.store.snapshot(input.account);
    const now = deps.clock().toISOString();
    if (!stored) {
      const next = { account: input.account, api: port.version, version: 1, methods: live, changedAt: now };
      if (await deps.store.commit(next, { expectedVersion: 0, changes: [] })) {
        baseline = true;
        break;
      }
      continue;
    }
    const diff = firstChanges(diffCatalog(stored.methods, live), CHANGES_PER_COMMIT);
    if (diff.removed.length === 0 && diff.added.length === 0) break;
    const version = stored.version + 1;
    const changes = [
      ...diff.removed.map((method) => change(version, 'removed', method, input.trigger, now)),
      ...diff.added.map((method) => change(version, 'added', method, input.trigger, now)),
    ];
    const next = {
      account: input.account,
      api: port.version,
      version,
      methods: applyDiff(stored.methods, diff),
      changedAt: now,
    };
    if (await deps.store.commit(next, { expectedVersion: stored.version, changes })) {
      removed += diff.removed.length;
      added += diff.added.length;
    }
  }
  await deps.forget();
  const published = await publishOutbox(await deps.store.snapshot(input.account), deps);
  return { baseline, removed, added, published };
}

/** Publishes every change of the outbox that no other publisher holds; returns how many it published. */
async function publishOutbox(
  snapshot: CatalogSnapshot | undefined,
  deps: Pick<RefreshDeps, 'store' | 'events' | 'clock'>,
): Promise<number> {
  if (!snapshot) return 0;
  let published = 0;
  for (const entry of snapshot.outbox) {
    const detailType = entry.kind === 'removed' ? 'Shipping Method Removed' : 'Shipping Method Added';
    let sent = false;
    await emitOnce(
      { account: snapshot.account, changeId: entry.id },
      detailType,
      {
        account: snapshot.account,
        api: snapshot.api,
        shippingMethod: entry.method.ref,
        shippingMethodId: entry.method.legacyId ?? null,
        carrier: entry.method.carrier,
        shippingMethodName: entry.method.name,
        returns: entry.method.returns,
        trigger: entry.trigger,
        detectedAt: entry.detectedAt,
      },
      {
        store: deps.store,
        events: {
          publish: async (type, detail) => {
            await deps.events.publish(type, detail);
            sent = true;
          },
        },
        clock: deps.clock,
      },
    );
    if (sent) published++;
  }
  return published;
}

function change(
  version: number,
  kind: CatalogChange['kind'],
  method: AccountMethod,
  trigger: CatalogTrigger,
  detectedAt: string,
): CatalogChange {
  return {
    id: `${version}:${kind}:${method.returns ? 'return:' : ''}${method.ref}`,
    kind,
    method,
    detectedAt,
    trigger,
    state: 'pending',
  };
}

/** At most `max` changes, removals first (they are what routing must stop choosing). */
function firstChanges(diff: CatalogDiff, max: number): CatalogDiff {
  const removed = diff.removed.slice(0, max);
  return { removed, added: diff.added.slice(0, Math.max(0, max - removed.length)) };
}

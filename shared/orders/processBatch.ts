import { route } from '../routing';
import type { AnnounceOutcome, SendcloudPort } from '../sendcloud/port';
import { V3AnnounceManyError } from '../sendcloud/v3/errors';
import type { ClaimResult } from '../store';
import { fetchLabelsInBulk } from './fetchLabelsInBulk';
import { mapLimit } from './mapLimit';
import type { OrderKey, OrderRecord } from './Order';
import {
  announce,
  externalReferenceOf,
  fail,
  finish,
  isFirstAttempt,
  type ProcessDeps,
  type ProcessOutcome,
  recordShipment,
  routingInputs,
  toDraft,
} from './processOrder';

/**
 * Orders from `POST /orders/batch` and end-of-day groups: fresh ones are announced together (v2: one batch
 * call with per-parcel results; v3: the Orders API where the account has an integration, else one
 * synchronous announce each, a few at a time), the rest — retried attempts, carrier refusals — go through the
 * single-order path, which reconciles and falls back. The labels of every order announced now or before
 * are fetched in merged calls first (`fetchLabelsInBulk`), then each order is finished as a single one would
 * be: what no merged file proved is fetched alone. Returns one outcome per key.
 */
export async function processBatch(
  account: string,
  keys: readonly OrderKey[],
  deps: ProcessDeps,
  /** Real-time groups (`POST /orders/batch`, orders that arrived together) take real-time budget. */
  priority: 'realtime' | 'batch' = 'batch',
): Promise<ProcessOutcome[]> {
  // Before any order is claimed: a group that would wait long for the budget goes back to the queue whole.
  await deps.admit?.(account, priority);
  const outcomes = new Map<string, ProcessOutcome>();
  const fresh: OrderRecord[] = [];
  const announced: OrderRecord[] = [];
  for (const key of keys) {
    const order = await deps.store.get(key);
    if (!order) {
      outcomes.set(id(key), 'missing');
      continue;
    }
    if (order.status === 'announced') {
      announced.push(order);
      continue;
    }
    if (order.status !== 'accepted' && order.status !== 'creating') {
      outcomes.set(id(key), await finish(order, deps));
      continue;
    }
    const claim = await deps.store.claim(key, { now: deps.clock(), lockMs: deps.lockMs });
    if (claim.outcome === 'claimed' && isFirstAttempt(claim.order)) {
      fresh.push(claim.order);
      continue;
    }
    const continued = await continueClaimed(claim, deps);
    if (typeof continued === 'string') outcomes.set(id(key), continued);
    else announced.push(continued);
  }
  if (fresh.length > 0 || announced.length > 0) {
    const port = await deps.sendcloud(account, priority);
    const created = await createTogether(fresh, port, deps);
    for (const [order, outcome] of created.settled) outcomes.set(id(order), outcome);
    announced.push(...created.announced);
    const withLabels = await fetchLabelsInBulk(announced, port, deps);
    // Finishing stores what the merged files did not give, a few at a time (SendCloud's latency bounds it).
    const finished = await mapLimit(withLabels, 8, (order) => finish(order, deps));
    for (const [i, order] of withLabels.entries()) outcomes.set(id(order), finished[i] ?? 'retry');
  }
  return keys.map((key) => outcomes.get(id(key)) ?? 'retry');
}

/**
 * An order this batch could not create together: a retried attempt is announced on the claim just taken
 * (looking its parcel up by external reference first). Claiming again through `processOrder` would find our
 * own lock and answer `retry` on every redelivery. An order now `announced` is returned, for its labels to be
 * fetched with the others'.
 */
async function continueClaimed(claim: ClaimResult, deps: ProcessDeps): Promise<ProcessOutcome | OrderRecord> {
  const settle = async (order: OrderRecord | undefined) =>
    !order ? 'retry' : order.status === 'announced' ? order : finish(order, deps);
  switch (claim.outcome) {
    case 'claimed':
      return settle(await announce(claim.order, deps));
    case 'busy':
      return 'retry';
    case 'missing':
      return 'missing';
    case 'settled':
      return settle(claim.order);
  }
}

/**
 * Announces fresh orders together. `settled`: orders that took another way (the single-order path, a
 * failure); `announced`: orders recorded now whose labels are still to be stored.
 */
async function createTogether(
  orders: readonly OrderRecord[],
  port: SendcloudPort,
  deps: ProcessDeps,
): Promise<{ settled: Array<[OrderRecord, ProcessOutcome]>; announced: OrderRecord[] }> {
  const results: Array<[OrderRecord, ProcessOutcome]> = [];
  const announced: OrderRecord[] = [];
  const planned: Array<{
    order: OrderRecord;
    decision: ReturnType<typeof route>;
    draft: ReturnType<typeof toDraft>;
  }> = [];
  for (const order of orders) {
    const inputs = await routingInputs(order, deps, port);
    const decision =
      'failure' in inputs
        ? undefined
        : route(inputs.routingOrder, {
            methods: inputs.methods,
            unavailable: inputs.unavailable,
            rules: inputs.rules,
          });
    const recipient = await deps.store.getRecipient(order);
    if (!('failure' in inputs) && recipient && (!decision?.choice || decision.shipments === 'per_parcel')) {
      // The single-order path tells "unavailable for now" (the order waits) from "nothing fits" (it fails),
      // and announces box by box an order that ships one shipment per box.
      const recorded = await announce(order, deps);
      results.push([order, recorded ? await finish(recorded, deps) : 'retry']);
      continue;
    }
    if (!decision?.choice || !recipient) {
      const failed = await fail(
        order,
        deps,
        'NO_ELIGIBLE_METHOD',
        'failure' in inputs
          ? inputs.failure
          : !recipient
            ? 'the recipient is no longer stored'
            : 'no shipping method can carry this order',
      );
      results.push([order, failed ? await finish(failed, deps) : 'retry']);
      continue;
    }
    await deps.store.update(order, { routing: decision }, { attempt: order.attempt });
    planned.push({
      order,
      decision,
      draft: toDraft(
        order,
        recipient,
        decision.choice.method,
        externalReferenceOf(order),
        'methods' in inputs ? inputs.methods.find((m) => m.ref === decision.choice?.method) : undefined,
      ),
    });
  }
  if (planned.length === 0) return { settled: results, announced };
  const byReference = await announceAll(
    port,
    planned.map((p) => p.draft),
  );
  // Recording runs a few at a time: SendCloud's latency, not its budget, would bound it.
  await mapLimit(planned, 8, async ({ order, decision }): Promise<void> => {
    const result = byReference.get(externalReferenceOf(order));
    let recorded: OrderRecord | undefined;
    if (result?.outcome === 'announced') {
      recorded = await recordShipment(
        order,
        result.shipment,
        decision,
        deps,
        { attempt: order.attempt },
        port.version,
      );
    } else if (result?.outcome === 'carrier_refused' && decision.choice) {
      // Refused at the carrier: remember it and let the single-order path fall back (v2: on the same parcel).
      await deps.health.recordFailure(order.account, decision.choice.method, deps.clock());
      const refusedMethods = { ...order.refusedMethods, [decision.choice.method]: result.reason };
      if (await deps.store.update(order, { refusedMethods }, { attempt: order.attempt }))
        recorded = await announce({ ...order, refusedMethods }, deps, result.shipment);
    } else if (result?.outcome === 'rejected') {
      recorded = await fail(order, deps, 'REJECTED_BY_SENDCLOUD', result.reason);
    }
    if (recorded?.status === 'announced') announced.push(recorded);
    else results.push([order, recorded ? await finish(recorded, deps) : 'retry']);
  });
  return { settled: results, announced };
}

/**
 * `announceMany`, keeping what it reached when some announcements end in an error: those orders are left to
 * the retry (each is found by its reference then), the others are recorded now rather than announced again.
 */
async function announceAll(
  port: SendcloudPort,
  drafts: readonly ReturnType<typeof toDraft>[],
): Promise<ReadonlyMap<string, AnnounceOutcome>> {
  try {
    return await port.announceMany(drafts);
  } catch (error) {
    if (error instanceof V3AnnounceManyError && error.outcomes.size > 0) return error.outcomes;
    throw error;
  }
}

const id = (key: OrderKey) => `${key.channel}/${key.orderId}`;

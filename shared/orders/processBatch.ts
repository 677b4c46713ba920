import { type RuleSet, route } from '../routing';
import type { AnnounceOutcome, SendcloudPort } from '../sendcloud/port';
import { V3AnnounceManyError } from '../sendcloud/v3/errors';
import { type ClaimResult, type MethodHealth, orderKeyId } from '../store';
import { parcelLinks } from './announcement';
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
  // The whole group in one read (strongly consistent, as `get`); each order once, however often it is listed.
  const read = await deps.store.getMany(keys);
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(id(key))) continue;
    seen.add(id(key));
    const order = read.get(id(key));
    if (!order) {
      outcomes.set(id(key), 'missing');
      continue;
    }
    if (order.status === 'announced') {
      announced.push(order);
      continue;
    }
    // Claimed in `createTogether`, with its routing decision in the same write.
    if (order.status === 'accepted') {
      fresh.push(order);
      continue;
    }
    if (order.status !== 'creating') {
      outcomes.set(id(key), await finish(order, deps));
      continue;
    }
    const claim = await deps.store.claim(key, { now: deps.clock(), lockMs: deps.lockMs });
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
    // Finishing stores what the merged files did not give, a few at a time (SendCloud's latency bounds it);
    // the events of orders finishing together go out in shared PutEvents calls.
    const events = deps.events.gathering?.(GATHER_EVENTS_MS) ?? deps.events;
    const finished = await mapLimit(withLabels, 8, (order) => finish(order, { ...deps, events }));
    for (const [i, order] of withLabels.entries()) outcomes.set(id(order), finished[i] ?? 'retry');
  }
  return keys.map((key) => outcomes.get(id(key)) ?? 'retry');
}

/** How long a finishing order's events wait for other orders' to share their PutEvents call. */
const GATHER_EVENTS_MS = 5;

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
 * Announces fresh (`accepted`, not yet claimed) orders together. Each is routed first and claimed with its
 * decision in the claim's write (only while still `accepted`: the claim opens its generation, so nothing of it
 * can be at SendCloud yet). `settled`: orders that took another way (the single-order path, a failure,
 * another worker); `announced`: orders recorded now whose labels are still to be stored.
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
  if (orders.length === 0) return { settled: results, announced };
  const group = groupScoped(deps);
  const recipients = await deps.store.getRecipients(orders);
  // Routed and claimed a few at a time (a claim is a round trip each); what follows runs in the group's order.
  const claimed = await mapLimit(orders, CLAIMS_AT_ONCE, async (read) => {
    const inputs = await routingInputs(read, group, port);
    const decision =
      'failure' in inputs
        ? undefined
        : route(inputs.routingOrder, {
            methods: inputs.methods,
            unavailable: inputs.unavailable,
            rules: inputs.rules,
          });
    const recipient = recipients.get(id(read));
    const together =
      !('failure' in inputs) && recipient && decision?.choice && decision.shipments !== 'per_parcel'
        ? { decision, method: decision.choice.method, recipient }
        : undefined;
    const claim = await deps.store.claim(read, {
      now: deps.clock(),
      lockMs: deps.lockMs,
      ...(together ? { fresh: { routing: together.decision } } : {}),
    });
    return { read, inputs, recipient, together, claim };
  });
  for (const { read, inputs, recipient, together, claim } of claimed) {
    if (claim.outcome !== 'claimed' || !isFirstAttempt(claim.order)) {
      // Another worker took it (or it moved on) since it was read: as any order this batch could not create.
      const continued = await continueClaimed(claim, deps);
      if (typeof continued === 'string') results.push([read, continued]);
      else announced.push(continued);
      continue;
    }
    const order = claim.order;
    if (together) {
      const { decision, method } = together;
      planned.push({
        order,
        decision,
        draft: toDraft(
          order,
          together.recipient,
          method,
          externalReferenceOf(order),
          'methods' in inputs ? inputs.methods.find((m) => m.ref === method) : undefined,
        ),
      });
      continue;
    }
    if (!('failure' in inputs) && recipient) {
      // The single-order path tells "unavailable for now" (the order waits) from "nothing fits" (it fails),
      // and announces box by box an order that ships one shipment per box.
      // With the group's deps: a refusal it records is seen by the single orders after it (the group's
      // orders were routed together, before any of them was announced).
      const recorded = await announce(order, group);
      results.push([order, recorded ? await finish(recorded, deps) : 'retry']);
      continue;
    }
    const failed = await fail(
      order,
      deps,
      'NO_ELIGIBLE_METHOD',
      'failure' in inputs ? inputs.failure : 'the recipient is no longer stored',
    );
    results.push([order, failed ? await finish(failed, deps) : 'retry']);
  }
  if (planned.length === 0) return { settled: results, announced };
  const byReference = await announceAll(
    port,
    planned.map((p) => p.draft),
  );
  // Every announced parcel's pointer first, in a few writes: an order recorded later (or by the retry after a
  // crash, which finds the same parcel by its reference) is then always found by its webhooks.
  const links = planned.flatMap(({ order }) => {
    const result = byReference.get(externalReferenceOf(order));
    return result?.outcome === 'announced'
      ? parcelLinks(order, order.spec.colli ? result.shipment.parcels : result.shipment.parcels.slice(0, 1))
      : [];
  });
  if (links.length > 0) await deps.tracking.linkParcels(links);
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
        { linked: true },
      );
    } else if (result?.outcome === 'carrier_refused' && decision.choice) {
      // Refused at the carrier: remember it and let the single-order path fall back (v2: on the same parcel).
      await group.health.recordFailure(order.account, decision.choice.method, deps.clock());
      const refusedMethods = { ...order.refusedMethods, [decision.choice.method]: result.reason };
      if (await deps.store.update(order, { refusedMethods }, { attempt: order.attempt }))
        recorded = await announce({ ...order, refusedMethods }, group, result.shipment);
    } else if (result?.outcome === 'rejected') {
      recorded = await fail(order, deps, 'REJECTED_BY_SENDCLOUD', result.reason);
    }
    if (recorded?.status === 'announced') announced.push(recorded);
    else results.push([order, recorded ? await finish(recorded, deps) : 'retry']);
  });
  return { settled: results, announced };
}

/** Orders of a group routed and claimed at once. */
const CLAIMS_AT_ONCE = 8;

/**
 * The deps a group is routed with: the account's rules and its methods' failures read once for the group
 * (a failure recorded meanwhile is read again), not once per order.
 */
function groupScoped(deps: ProcessDeps): ProcessDeps {
  const rules = new Map<string, Promise<RuleSet | undefined>>();
  const failures = new Map<string, readonly string[] | null>();
  const health: MethodHealth = {
    failures: async (account, methods) => {
      const unknown = [...new Set(methods)].filter((m) => !failures.has(`${account}#${m}`));
      if (unknown.length > 0) {
        const read = await deps.health.failures(account, unknown);
        for (const m of unknown) failures.set(`${account}#${m}`, read.get(m) ?? null);
      }
      const known = new Map<string, string[]>();
      for (const m of methods) {
        const times = failures.get(`${account}#${m}`);
        if (times) known.set(m, [...times]);
      }
      return known;
    },
    recordFailure: async (account, method, at) => {
      failures.delete(`${account}#${method}`);
      await deps.health.recordFailure(account, method, at);
    },
    recordSuccess: async (account, method) => {
      failures.delete(`${account}#${method}`);
      await deps.health.recordSuccess(account, method);
    },
  };
  const store = deps.rules;
  return {
    ...deps,
    health,
    rules: {
      current: (account) => {
        let current = rules.get(account);
        if (!current) {
          current = store.current(account);
          rules.set(account, current);
        }
        return current;
      },
      put: (account, ruleSet, options) => store.put(account, ruleSet, options),
      versions: (account) => store.versions(account),
      version: (account, version) => store.version(account, version),
    },
  };
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

const id = orderKeyId;

import { isSendcloudError } from '../errors';
import type { AnnounceOutcome, MethodRef, Shipment, ShipmentDraft } from '../port';
import { backoffDelay, type RetryPolicy } from '../retry';
import { forEachConcurrent } from './concurrency';
import { outcomeOf, toShipment } from './mapping';
import type { OrderLabelResult, OrdersApi } from './OrdersApi';
import { toOrderBody } from './orderWire';
import type { ShipmentsApi } from './ShipmentsApi';
import type { Shipment as V3Shipment } from './schemas';
import { draftProblem } from './wire';

/** `create-labels-async` takes 1–20 orders a call (the document's `maxItems`). */
export const LABELS_PER_CALL = 20;
/** `create-labels-async` calls of one batch in flight at once: a group of 100 is five. */
const LABEL_CALLS_AT_ONCE = 5;
/** `GET /shipments?ids=` takes at most 100 ids. */
const IDS_PER_LIST = 100;
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5_000;
/** How long labels may stay `ANNOUNCING` before the batch gives the rest back (they are found later). */
export const DEFAULT_SETTLE_MS = 120_000;

export interface OrdersBatchDeps {
  readonly orders: OrdersApi;
  readonly shipments: ShipmentsApi;
  readonly integrationId: number;
  /** The sender address to ship from (the account's configured one, else the oldest). */
  readonly senderAddressId: () => Promise<number>;
  /** The synchronous announce, for drafts the Orders API cannot carry or did not take. */
  readonly announce: (draft: ShipmentDraft) => Promise<AnnounceOutcome>;
  readonly retryPolicy: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly clock: () => number;
  readonly settleMs?: number;
}

export interface OrdersBatchResult {
  readonly outcomes: Map<string, AnnounceOutcome>;
  /** External reference → the error it ended with; announcing it again is safe (found by order number). */
  readonly failures: Map<string, unknown>;
}

/**
 * Many shipments through SendCloud's Orders API, at a few writes for many labels: the drafts are upserted as
 * orders (100 a call; `order_id` and `order_number` are the draft's external reference, so a repeat updates
 * rather than adds), labels are asked for 20 orders a call per shipping option, and the shipments, made
 * asynchronously, are read until they leave `ANNOUNCING`.
 *
 * Never two shipments for one order: `create-labels-async` is not repeated blindly — after an answer that
 * may have been lost, every order of the call is looked up by order number first, and an order the call did
 * not take is looked up before it is announced on its own. Drafts the Orders API cannot carry (returns,
 * currencies it does not take) and orders it refused take the synchronous announce, which answers why.
 */
export async function announceThroughOrders(
  drafts: readonly ShipmentDraft[],
  deps: OrdersBatchDeps,
): Promise<OrdersBatchResult> {
  const outcomes = new Map<string, AnnounceOutcome>();
  const failures = new Map<string, unknown>();
  const alone: ShipmentDraft[] = [];
  const orders: Array<{ draft: ShipmentDraft; body: ReturnType<typeof toOrderBody> }> = [];
  const createdAt = new Date(deps.clock()).toISOString();
  for (const draft of drafts) {
    const problem = draftProblem(draft);
    if (problem) {
      outcomes.set(draft.externalReference, { outcome: 'rejected', reason: problem });
      continue;
    }
    const body = draft.isReturn ? undefined : orderBodyOf(draft, deps.integrationId, createdAt);
    if (body) orders.push({ draft, body });
    else alone.push(draft);
  }

  const pending: Pending = new Map();
  if (orders.length > 0) {
    await deps.orders.upsert(orders.map((o) => o.body));
    const senderAddressId = await deps.senderAddressId();
    const chunks = byMethod(orders.map((o) => o.draft)).flatMap((group) =>
      Array.from({ length: Math.ceil(group.drafts.length / LABELS_PER_CALL) }, (_, i) => ({
        method: group.method,
        drafts: group.drafts.slice(i * LABELS_PER_CALL, (i + 1) * LABELS_PER_CALL),
      })),
    );
    // A group's label calls at once (each still waits for the write budget): one after another, a group of
    // 100 waited five write latencies before its first poll.
    await forEachConcurrent(chunks, LABEL_CALLS_AT_ONCE, async ({ method, drafts: chunk }) => {
      let asked: Map<string, OrderLabelResult | Shipment>;
      try {
        asked = await askLabels(chunk, method, senderAddressId, deps);
      } catch (error) {
        for (const draft of chunk) failures.set(draft.externalReference, error);
        return;
      }
      for (const draft of chunk) {
        const ref = draft.externalReference;
        const result = asked.get(ref);
        if (result && 'state' in result) settleFound(result, ref, outcomes, pending);
        else if (result?.outcome === 'queued' && result.shipmentId)
          pending.set(result.shipmentId, { ref, parcelIds: result.parcelIds });
        else alone.push(draft);
      }
    });
  }

  for (const draft of alone) {
    const ref = draft.externalReference;
    try {
      // An order the Orders API did not take may still hold a shipment from an earlier try of this batch.
      const earlier = draft.isReturn ? undefined : await liveByOrderNumber(ref, deps.shipments);
      if (earlier) settleFound(earlier, ref, outcomes, pending);
      else outcomes.set(ref, await deps.announce(draft));
    } catch (error) {
      failures.set(ref, error);
    }
  }

  await settle(pending, outcomes, deps);
  for (const { ref } of pending.values())
    failures.set(
      ref,
      Object.assign(new Error(`the shipment for ${ref} is still being announced`), { retryable: true }),
    );
  return { outcomes, failures };
}

/** The order for a draft, or undefined when the Orders API cannot carry it (the draft goes alone). */
function orderBodyOf(draft: ShipmentDraft, integrationId: number, createdAt: string) {
  try {
    return toOrderBody(draft, { integrationId, createdAt });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function byMethod(drafts: readonly ShipmentDraft[]): Array<{ method: MethodRef; drafts: ShipmentDraft[] }> {
  const groups = new Map<MethodRef, ShipmentDraft[]>();
  for (const draft of drafts) groups.set(draft.method, [...(groups.get(draft.method) ?? []), draft]);
  return [...groups].map(([method, grouped]) => ({ method, drafts: grouped }));
}

/**
 * One `create-labels-async` call, repeated only for orders that are not found afterwards: a timeout, a lost
 * answer, a 5xx or a 429 may each have made labels. Found ones come back as shipments.
 */
async function askLabels(
  chunk: readonly ShipmentDraft[],
  method: MethodRef,
  senderAddressId: number,
  deps: OrdersBatchDeps,
): Promise<Map<string, OrderLabelResult | Shipment>> {
  const results = new Map<string, OrderLabelResult | Shipment>();
  let remaining = chunk.map((draft) => draft.externalReference);
  for (let attempt = 1; ; attempt++) {
    try {
      const asked = await deps.orders.createLabelsAsync({
        integrationId: deps.integrationId,
        orderIds: remaining,
        method,
        senderAddressId,
      });
      for (const [ref, result] of asked) results.set(ref, result);
      return results;
    } catch (error) {
      if (!isSendcloudError(error) || !error.retryable || attempt >= deps.retryPolicy.maxAttempts)
        throw error;
      const stillMissing: string[] = [];
      for (const ref of remaining) {
        const found = await liveByOrderNumber(ref, deps.shipments);
        if (found) results.set(ref, found);
        else stillMissing.push(ref);
      }
      if (stillMissing.length === 0) return results;
      remaining = stillMissing;
      await deps.sleep(backoffDelay(attempt, deps.retryPolicy, deps.random));
    }
  }
}

/**
 * The newest shipment under this order number that is not cancelled (a refused one counts: the caller falls
 * back from it); undefined when there is none.
 */
export async function liveByOrderNumber(
  orderNumber: string,
  shipments: ShipmentsApi,
): Promise<Shipment | undefined> {
  const found = await shipments.findByOrderNumber(orderNumber);
  return found.find((s) => s.state !== 'cancelled');
}

/** Shipment id → the external reference it is for and its parcel ids (as far as known). */
type Pending = Map<string, { readonly ref: string; parcelIds: readonly number[] }>;

function settleFound(
  shipment: Shipment,
  ref: string,
  outcomes: Map<string, AnnounceOutcome>,
  pending: Pending,
): void {
  if (isAnnouncing(shipment)) pending.set(shipment.id, { ref, parcelIds: shipment.parcels.map((p) => p.id) });
  else outcomes.set(ref, outcomeOf(withReference(shipment, ref), true));
}

/**
 * Reads the pending shipments until none is `ANNOUNCING` or `settleMs` have passed. Each round lists them
 * with `GET /shipments?ids=`, naming each by its shipment id (when numeric, as in the document's examples)
 * *and* its parcel ids: the document says the filter takes shipment ids, the simulator (like v2's
 * `parcels?ids=`) reads parcel ids, and either way the wanted shipments are in the answer — others that
 * match by chance are ignored. Each id matches at most one shipment, so 100 ids fit one page.
 */
async function settle(pending: Pending, outcomes: Map<string, AnnounceOutcome>, deps: OrdersBatchDeps) {
  const deadline = deps.clock() + (deps.settleMs ?? DEFAULT_SETTLE_MS);
  let delay = FIRST_POLL_MS;
  while (pending.size > 0 && deps.clock() < deadline) {
    await deps.sleep(delay);
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
    const { lists, unlisted } = idLists(pending);
    const read: V3Shipment[] = [];
    for (const ids of lists) read.push(...(await deps.shipments.list({ ids })));
    for (const id of unlisted) {
      const wire = await deps.shipments.get(id);
      if (wire) read.push(wire);
    }
    for (const wire of read) {
      const wanted = pending.get(wire.id);
      if (wanted === undefined) continue;
      const shipment = toShipment(wire);
      wanted.parcelIds = shipment.parcels.map((p) => p.id);
      if (isAnnouncing(shipment)) continue;
      outcomes.set(wanted.ref, outcomeOf(withReference(shipment, wanted.ref), false));
      pending.delete(wire.id);
    }
  }
}

/** Lists of at most 100 ids (each pending shipment's id, then its parcel ids); shipments without either. */
function idLists(pending: Pending): { lists: string[][]; unlisted: string[] } {
  const lists: string[][] = [];
  const unlisted: string[] = [];
  let current: string[] = [];
  for (const [id, { parcelIds }] of pending) {
    const ids = [...(/^\d+$/.test(id) ? [id] : []), ...parcelIds.map(String)];
    if (ids.length === 0) {
      unlisted.push(id);
      continue;
    }
    if (current.length + ids.length > IDS_PER_LIST) {
      lists.push(current);
      current = [];
    }
    current.push(...ids);
  }
  if (current.length > 0) lists.push(current);
  return { lists, unlisted };
}

/** A parcel still `ANNOUNCING` (v3 code; v2 id 1001): its label is not made yet, nor refused. */
export function isAnnouncing(shipment: Shipment): boolean {
  return shipment.parcels.some((parcel) => parcel.status.code === 'ANNOUNCING');
}

/** The Orders API's shipments carry no external reference: they are ours under the order's. */
function withReference(shipment: Shipment, ref: string): Shipment {
  return shipment.externalReference === null
    ? {
        ...shipment,
        externalReference: ref,
        parcels: shipment.parcels.map((p) => ({ ...p, externalReference: p.externalReference ?? ref })),
      }
    : shipment;
}

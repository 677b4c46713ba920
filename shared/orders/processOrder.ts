import {
  type AnyEvent,
  type DetailType,
  type EventDetail,
  EventPublishError,
  type EventPublisher,
} from '../events';
import type { LabelStore } from '../labels';
import { route } from '../routing';
import type {
  AnnounceOutcome,
  CatalogMethod,
  MethodRef,
  SendcloudPort,
  Shipment,
  ShipmentDraft,
} from '../sendcloud/port';
import type { MethodHealth, OrderStore, RulesStore, TrackingStore } from '../store';
import { abandonBoxes, announceBoxes, boxDraft, reconcileBoxes } from './announceBoxes';
import {
  attemptReference,
  isFirstAttempt,
  newShipmentPerAttempt,
  recordShipment,
  routingInputs,
  shipsPerParcel,
} from './announcement';
import { emitOnce, LEASE_MS } from './emitOnce';
import { colliRefs, orderRef, parcelRef as parcelRefOf } from './eventRefs';
import { needsCustomsDocument } from './needsCustomsDocument';
import type { OrderKey, OrderRecipient, OrderRecord } from './Order';
import { storeLabelsEmitting } from './storeLabels';

export {
  attemptReference,
  boxReference,
  externalReferenceOf,
  isFirstAttempt,
  newShipmentPerAttempt,
  recordShipment,
  routingInputs,
  shipsPerParcel,
  toRoutingOrder,
  unavailableMethods,
} from './announcement';

export interface ProcessDeps {
  readonly store: OrderStore;
  readonly tracking: TrackingStore;
  readonly health: MethodHealth;
  readonly rules: RulesStore;
  readonly events: EventPublisher;
  readonly labels: LabelStore;
  readonly labelBucket: string;
  /** The account's SendCloud (v2 or v3 behind one port); batch work passes `batch` so live orders keep a share of the budget. */
  readonly sendcloud: (account: string, priority?: 'realtime' | 'batch') => Promise<SendcloudPort>;
  readonly clock: () => Date;
  /** How long a worker holds an order; after that another may take over. */
  readonly lockMs: number;
  /** Accounts whose print profile wants ZPL next to the A6 PDF. */
  readonly zplAccounts?: ReadonlySet<string>;
  /** Parcels per merged label call of a batch; default 20 (v3's maximum), capped at what the API takes. */
  readonly labelBulkSize?: number;
  /** A method with this many announcement failures within `unavailableWindowMs` is skipped. */
  readonly unavailableAfterFailures?: number;
  readonly unavailableWindowMs?: number;
  /**
   * How long an order waits for a method that fits it but is unavailable (breaker open) before it fails with
   * NO_ELIGIBLE_METHOD. Default 24 h: a carrier outage is over well within a day, an order older than that
   * needs a person.
   */
  readonly methodWaitMs?: number;
  /**
   * The worker's admission: throws RateBudgetDeferredError when the account's SendCloud budget would keep
   * this message waiting longer than a worker should hold its slot. Asked before anything is claimed or
   * sent, so the message can go back to the queue as it came.
   */
  readonly admit?: (account: string, priority: 'realtime' | 'batch') => Promise<void>;
}

/**
 * `retry`: try again later (held by another worker, the fence lost, or every method that fits is unavailable
 * for now); the others are final for this message.
 */
export type ProcessOutcome = 'done' | 'failed' | 'retry' | 'missing';

const MAX_FALLBACKS = 4;
const METHOD_WAIT_MS = 24 * 60 * 60_000;

/** What SendCloud already holds for this order, newest attempt first (crash recovery). */
async function findEarlierAttempt(order: OrderRecord, port: SendcloudPort): Promise<Shipment | undefined> {
  const refusals = Object.keys(order.refusedMethods ?? {}).length;
  for (let n = newShipmentPerAttempt(order, port.version) ? refusals : 0; n >= 0; n--) {
    const found = await port.find(attemptReference(order, port.version, n));
    if (found) return found;
  }
  return undefined;
}
/**
 * Takes one order from `accepted` to `label_stored`. Every step is recorded before the next one starts and
 * every step can be repeated, so a duplicate message, a concurrent worker or a crash at any line yields one
 * SendCloud parcel: a retried attempt looks the parcel up by its external reference before creating one.
 */
export async function processOrder(key: OrderKey, deps: ProcessDeps): Promise<ProcessOutcome> {
  let order = await deps.store.get(key);
  if (!order) return 'missing';
  if (order.status === 'accepted' || order.status === 'creating') {
    await deps.admit?.(order.account, 'realtime');
    const claim = await deps.store.claim(key, { now: deps.clock(), lockMs: deps.lockMs });
    if (claim.outcome === 'missing') return 'missing';
    if (claim.outcome === 'busy') return 'retry';
    order = claim.outcome === 'claimed' ? await announce(claim.order, deps) : claim.order;
    if (!order) return 'retry';
  }
  return finish(order, deps);
}

/** The events an order's label completes, in the order subscribers get them. */
const ON_LABEL_STORED = ['Parcel Announced', 'Label Stored'] as const satisfies readonly DetailType[];

/**
 * Publishes what is due and stores labels for an announced order. The `label_stored` write also takes the
 * right to publish `Parcel Announced` and `Label Stored` (one write, not two per event), and one write records
 * both as sent; where that cannot be (another publisher holds one, the label is not stored yet), each is
 * published once on its own (`emitOnce`), as before.
 */
export async function finish(order: OrderRecord, deps: ProcessDeps): Promise<ProcessOutcome> {
  if (order.status === 'failed') {
    await publish(order, 'Parcel Announcement Failed', deps);
    return 'failed';
  }
  if (order.status === 'announced') {
    const due = ON_LABEL_STORED.filter((event) => !order.events?.[event]);
    let stored: Awaited<ReturnType<typeof storeLabelsEmitting>>;
    try {
      stored = await storeLabelsEmitting(order, deps, {
        beginEmit: { events: due, now: deps.clock(), leaseMs: LEASE_MS },
      });
    } catch (error) {
      // The parcel is announced whether or not its label could be stored now.
      await publish(order, 'Parcel Announced', deps);
      throw error;
    }
    if (!stored) {
      await publish(order, 'Parcel Announced', deps);
      return 'retry';
    }
    order = await publishLeased(stored.order, stored.emitting, deps);
  }
  if (order.status === 'label_stored') {
    await publish(order, 'Parcel Announced', deps);
    await publish(order, 'Label Stored', deps);
  }
  return 'done';
}

/**
 * Publishes events whose right to publish this worker took (in the write of the step they follow) — in one
 * PutEvents call where the publisher takes several, else in order, a failed publish stopping the ones after
 * it — and records the outcome in one write: the published ones sent, the rest given back (a failure is
 * thrown after). Returns the order with the events as recorded.
 */
async function publishLeased(
  order: OrderRecord,
  leased: readonly string[],
  deps: ProcessDeps,
): Promise<OrderRecord> {
  if (leased.length === 0) return order;
  const due = leased.flatMap((event) => {
    const detailType = ON_LABEL_STORED.find((known) => known === event);
    const detail = detailType && eventDetail(order, detailType, deps.labelBucket);
    return detailType && detail ? [{ event, detailType, detail } as const] : [];
  });
  const sent: string[] = [];
  let failure: unknown;
  if (deps.events.publishMany && due.length > 1) {
    try {
      // eventDetail built each detail for its own type
      const published = await deps.events.publishMany(due.map(({ event: _, ...e }) => e as AnyEvent));
      for (const [i, { event, detailType }] of due.entries())
        if (published[i]) sent.push(event);
        else failure ??= new EventPublishError(detailType);
    } catch (error) {
      failure = error;
    }
  } else
    for (const { event, detailType, detail } of due) {
      try {
        await deps.events.publish(detailType, detail);
      } catch (error) {
        failure = error;
        break;
      }
      sent.push(event);
    }
  const now = deps.clock();
  const unsent = leased.filter((event) => !sent.includes(event));
  await deps.store.endEmits(order, { now, sent, unsent });
  if (failure !== undefined) throw failure;
  const events = { ...order.events };
  for (const event of sent) events[event] = { state: 'sent', at: now.toISOString() };
  for (const event of unsent) delete events[event];
  return { ...order, events };
}

/** Creates (or finds) the shipment for a claimed order; returns the order as recorded, or undefined if fenced out. */
export async function announce(
  order: OrderRecord,
  deps: ProcessDeps,
  known?: Shipment,
): Promise<OrderRecord | undefined> {
  const port = await deps.sendcloud(order.account);
  const fence = { attempt: order.attempt };
  // An order whose boxes ship one by one cancels the boxes already announced before it fails.
  const failOrder = async (current: OrderRecord, code: FailureCode, reason: string) => {
    const cancelled = shipsPerParcel(current)
      ? await abandonBoxes(current, { code, reason }, port, deps)
      : '';
    return cancelled === undefined ? undefined : fail(current, deps, code, `${reason}${cancelled}`);
  };
  // A worker died while it cancelled the boxes of an order that had failed: finish that, announce nothing.
  if (order.failure && shipsPerParcel(order))
    return failOrder(order, failureCodeOf(order.failure.code), order.failure.reason);
  const recipient = await deps.store.getRecipient(order);
  if (!recipient)
    return failOrder(
      order,
      'REJECTED_BY_SENDCLOUD',
      'the recipient is no longer stored (retention period passed)',
    );

  const refused = new Map(Object.entries(order.refusedMethods ?? {}));
  let existing: Shipment | undefined;
  if (shipsPerParcel(order)) {
    // Boxes an earlier attempt announced (or saw refused) without recording it: look before creating anything.
    if (!isFirstAttempt(order)) {
      const reconciled = await reconcileBoxes(order, port, refused, deps);
      if (!reconciled || reconciled.status === 'announced') return reconciled;
      order = reconciled;
    }
  } else {
    // A previous attempt may have reached SendCloud before it crashed: look before creating anything.
    existing = known ?? (isFirstAttempt(order) ? undefined : await findEarlierAttempt(order, port));
    if (existing && (existing.state === 'announced' || existing.state === 'cancelled')) {
      return recordShipment(order, existing, order.routing ?? null, deps, fence, port.version);
    }
    if (existing?.state === 'refused' && existing.method && !refused.has(existing.method)) {
      // refused before a crash kept us from writing it down
      refused.set(existing.method, existing.refusal ?? 'refused by the carrier');
      if (!(await deps.store.update(order, { refusedMethods: Object.fromEntries(refused) }, fence)))
        return undefined;
      order = { ...order, refusedMethods: Object.fromEntries(refused) };
    }
  }

  const inputs = await routingInputs(order, deps, port);
  if ('failure' in inputs) return failOrder(order, 'NO_ELIGIBLE_METHOD', inputs.failure);
  const { methods, rules, unavailable, failing, routingOrder } = inputs;
  // A success resets the method's failures: nothing to write where none were on record when it was routed.
  const succeeded = async (method: MethodRef) => {
    if (failing.has(method)) await deps.health.recordSuccess(order.account, method);
  };

  for (let tries = 0; tries <= MAX_FALLBACKS; tries++) {
    // Once its boxes ship one by one (some may be announced), an order stays so.
    const shipments = shipsPerParcel(order) ? ({ shipments: 'per_parcel' } as const) : {};
    const decision = route(routingOrder, { methods, unavailable, excluded: refused, rules, ...shipments });
    if (
      !(await deps.store.update(order, { routing: decision, updatedAt: deps.clock().toISOString() }, fence))
    )
      return undefined;
    order = { ...order, routing: decision };
    const choice = decision.choice;
    if (!choice) {
      // Unavailable is not "cannot carry": if a method would fit once its breaker closes, the order waits.
      const fitting = route(routingOrder, { methods, excluded: refused, rules, ...shipments }).choice;
      if (fitting)
        return waitForMethod(order, { fitting: fitting.name, unavailable }, deps, (code, reason) =>
          failOrder(order, code, reason),
        );
      const last = decision.trace.at(-1);
      return failOrder(
        order,
        'NO_ELIGIBLE_METHOD',
        `no shipping method can carry this order${last ? ` (last rule "${last.rule}": ${last.reason})` : ''}`,
      );
    }
    const chosen = methods.find((m) => m.ref === choice.method);
    if (decision.shipments === 'per_parcel') {
      const current = order;
      const boxes = await announceBoxes(
        current,
        {
          port,
          decision,
          fence,
          draft: (box, reference) =>
            boxDraft(
              toDraft(current, recipient, choice.method, reference, chosen),
              box,
              current.spec.colli?.[box - 1],
            ),
        },
        deps,
      );
      if (!boxes) return undefined;
      order = boxes.order;
      const count = order.spec.colli?.length ?? 1;
      switch (boxes.outcome) {
        case 'announced':
          await succeeded(choice.method);
          return order;
        case 'rejected':
          return failOrder(order, 'REJECTED_BY_SENDCLOUD', `box ${boxes.box} of ${count}: ${boxes.reason}`);
        case 'carrier_refused': {
          // The refused box and the ones after it fall back to the next method; announced boxes keep theirs.
          await deps.health.recordFailure(order.account, choice.method, deps.clock());
          refused.set(choice.method, `box ${boxes.box} of ${count}: ${boxes.reason}`);
          const refusedMethods = Object.fromEntries(refused);
          if (!(await deps.store.update(order, { refusedMethods }, fence))) return undefined;
          order = { ...order, refusedMethods };
          continue;
        }
      }
    }
    const reference = attemptReference(order, port.version, refused.size);
    const draft = toDraft(order, recipient, choice.method, reference, chosen);
    // v2 announces a refused parcel again; a fallback that is a new shipment announces under its own reference
    const outcome: AnnounceOutcome =
      existing &&
      existing.state !== 'announced' &&
      !(port.version === 'v2' && newShipmentPerAttempt(order, 'v2'))
        ? await port.reannounce(existing, draft)
        : await port.announce(draft);
    switch (outcome.outcome) {
      case 'announced':
        await succeeded(choice.method);
        return recordShipment(order, outcome.shipment, decision, deps, fence, port.version);
      case 'rejected':
        return failOrder(order, 'REJECTED_BY_SENDCLOUD', outcome.reason);
      case 'carrier_refused': {
        // The carrier refused: remember it before anything else is sent, then take the next method.
        await deps.health.recordFailure(order.account, choice.method, deps.clock());
        refused.set(choice.method, outcome.reason);
        const refusedMethods = Object.fromEntries(refused);
        if (!(await deps.store.update(order, { refusedMethods }, fence))) return undefined;
        order = { ...order, refusedMethods };
        existing = outcome.shipment ?? (await port.find(reference));
      }
    }
  }
  return failOrder(
    order,
    'REJECTED_BY_CARRIER',
    `carriers refused ${refused.size} shipping method(s): ${[...refused.values()].join('; ')}`,
  );
}

/**
 * Puts back an order whose fitting methods are all unavailable: it stays `creating` with its lock released,
 * so the next delivery (the worker's back-off, or the sweep) claims it at once. Returns undefined (`retry`),
 * or the failed order once it has waited `methodWaitMs` since it first had to.
 */
async function waitForMethod(
  order: OrderRecord,
  why: { readonly fitting: string; readonly unavailable: ReadonlyMap<MethodRef, string> },
  deps: ProcessDeps,
  failOrder: (code: FailureCode, reason: string) => Promise<OrderRecord | undefined>,
): Promise<OrderRecord | undefined> {
  const now = deps.clock();
  const since = order.waitingForMethodSince ?? now.toISOString();
  const waitMs = deps.methodWaitMs ?? METHOD_WAIT_MS;
  if (now.getTime() - Date.parse(since) >= waitMs)
    return failOrder(
      'NO_ELIGIBLE_METHOD',
      `${why.fitting} and every other method that fits this order stayed unavailable for ${duration(waitMs)} (${[...why.unavailable.values()][0] ?? 'failing at the carrier'})`,
    );
  await deps.store.update(
    order,
    { waitingForMethodSince: since, lockUntil: now.toISOString(), updatedAt: now.toISOString() },
    { attempt: order.attempt },
  );
  return undefined;
}

const duration = (ms: number): string =>
  ms >= 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 60_000)} min`;

const FAILURE_CODES = ['NO_ELIGIBLE_METHOD', 'REJECTED_BY_SENDCLOUD', 'REJECTED_BY_CARRIER'] as const;
type FailureCode = (typeof FAILURE_CODES)[number];
const failureCodeOf = (code: string): FailureCode =>
  FAILURE_CODES.find((known) => known === code) ?? 'REJECTED_BY_CARRIER';

export async function fail(order: OrderRecord, deps: ProcessDeps, code: FailureCode, reason: string) {
  const failure = { code, reason, at: deps.clock().toISOString() };
  if (
    !(await deps.store.update(
      order,
      { status: 'failed', failure, updatedAt: failure.at },
      { attempt: order.attempt },
    ))
  )
    return undefined;
  return { ...order, status: 'failed' as const, failure };
}

async function publish(order: OrderRecord, detailType: DetailType, deps: ProcessDeps): Promise<void> {
  if (order.events?.[detailType]?.state === 'sent') return;
  const detail = eventDetail(order, detailType, deps.labelBucket);
  if (detail) await emitOnce(order, detailType, detail, deps);
}

function eventDetail(
  order: OrderRecord,
  detailType: DetailType,
  bucket: string,
): EventDetail<DetailType> | undefined {
  const ref = orderRef(order);
  const p = order.parcel;
  const parcelRef = parcelRefOf(order);
  switch (detailType) {
    case 'Parcel Announced':
      return parcelRef && p
        ? {
            ...parcelRef,
            parcels: colliRefs(order),
            routingRule: order.routing?.rule ?? null,
            fallbackUsed: Object.keys(order.refusedMethods ?? {}).length > 0,
            announcedAt: p.announcedAt,
          }
        : undefined;
    case 'Label Stored': {
      const label = order.labels?.a6;
      return parcelRef && label
        ? {
            ...parcelRef,
            parcels: colliRefs(order),
            format: 'a6',
            contentType: label.contentType,
            bucket,
            key: label.key,
            sha256: label.sha256,
            bytes: label.bytes,
            storedAt: label.storedAt,
            customsDocument: order.customsDocument
              ? {
                  contentType: order.customsDocument.contentType,
                  key: order.customsDocument.key,
                  sha256: order.customsDocument.sha256,
                  bytes: order.customsDocument.bytes,
                }
              : null,
          }
        : undefined;
    }
    case 'Parcel Announcement Failed':
      return order.failure
        ? {
            ...ref,
            code: order.failure.code as 'NO_ELIGIBLE_METHOD',
            reason: order.failure.reason,
            triedMethods: Object.keys(order.refusedMethods ?? {})
              .filter((ref) => /^\d+$/.test(ref))
              .map(Number),
            triedShippingMethods: Object.keys(order.refusedMethods ?? {}),
            failedAt: order.failure.at,
          }
        : undefined;
    default:
      return undefined;
  }
}

/** An address as the order gave it (the recipient, or an importer of record), in the draft's form. */
function draftAddress(a: {
  readonly name: string;
  readonly company?: string | null | undefined;
  readonly street: string;
  readonly houseNumber?: string | null | undefined;
  readonly addressLine2?: string | null | undefined;
  readonly postalCode: string;
  readonly city: string;
  readonly country: string;
  readonly state?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly phone?: string | null | undefined;
}): ShipmentDraft['recipient'] {
  return {
    name: a.name,
    company: a.company ?? null,
    street: a.street,
    houseNumber: a.houseNumber ?? null,
    addressLine2: a.addressLine2 ?? null,
    postalCode: a.postalCode,
    city: a.city,
    country: a.country,
    state: a.state ?? null,
    email: a.email ?? null,
    phone: a.phone ?? null,
  };
}

export function toDraft(
  order: OrderRecord,
  pii: OrderRecipient,
  method: MethodRef,
  externalReference: string,
  /** The chosen method as the catalogue describes it (what its carrier insures). */
  chosen?: CatalogMethod,
): ShipmentDraft {
  const r = pii.recipient;
  const outsideEu = needsCustomsDocument(order);
  const c = pii.customs;
  const ior = c?.importerOfRecord;
  return {
    externalReference,
    orderNumber: order.orderId,
    recipient: draftAddress(r),
    weightGrams: order.spec.weightGrams,
    ...(order.spec.dimensionsCm ? { dimensionsCm: order.spec.dimensionsCm } : {}),
    ...(order.spec.colli ? { colli: order.spec.colli } : {}),
    method,
    ...(order.spec.delivery.type === 'service_point'
      ? { servicePointId: order.spec.delivery.servicePointId }
      : {}),
    orderValue: order.spec.orderValue,
    ...(order.spec.insuredValueEur
      ? {
          insuredValueEur: order.spec.insuredValueEur,
          ...(chosen?.insuranceEur ? { includedInsuranceEur: chosen.insuranceEur } : {}),
        }
      : {}),
    ...(pii.items.length > 0
      ? {
          items: pii.items.map((item) => ({
            description: item.description,
            quantity: item.quantity,
            unitPrice: item.unitPrice,
            hsCode: item.hsCode ?? null,
            originCountry: item.originCountry ?? null,
            sku: item.sku ?? null,
            weightGrams: item.weightGrams,
          })),
        }
      : {}),
    ...(outsideEu
      ? {
          customs: {
            invoiceNumber: c?.invoiceNumber ?? order.orderId,
            shipmentType: c?.shipmentType ?? ('commercial_goods' as const),
            ...(c?.exportType ? { exportType: c.exportType } : {}),
            ...(c?.invoiceDate ? { invoiceDate: c.invoiceDate } : {}),
            ...(c?.taxNumbers
              ? {
                  taxNumbers: {
                    sender: c.taxNumbers.sender ?? [],
                    receiver: c.taxNumbers.receiver ?? [],
                    importerOfRecord: c.taxNumbers.importerOfRecord ?? [],
                  },
                }
              : {}),
            ...(ior
              ? {
                  importerOfRecord: draftAddress(ior),
                }
              : {}),
          },
        }
      : {}),
  };
}

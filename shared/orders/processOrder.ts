import type { DetailType, EventDetail, EventPublisher } from '../events';
import type { LabelStore } from '../labels';
import { DEFAULT_RULES, type RoutingDecision, type RoutingOrder, route } from '../routing';
import type { AnnounceOutcome, MethodRef, SendcloudPort, Shipment, ShipmentDraft } from '../sendcloud/port';
import type { MethodHealth, OrderStore, RulesStore, TrackingStore } from '../store';
import { emitOnce } from './emitOnce';
import { orderRef, parcelRef as parcelRefOf } from './eventRefs';
import type { OrderKey, OrderParcel, OrderRecipient, OrderRecord } from './Order';
import { EU } from './OrderRequest';
import { storeLabels } from './storeLabels';

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
}

/**
 * `retry`: try again later (held by another worker, the fence lost, or every method that fits is unavailable
 * for now); the others are final for this message.
 */
export type ProcessOutcome = 'done' | 'failed' | 'retry' | 'missing';

const MAX_FALLBACKS = 4;
const METHOD_WAIT_MS = 24 * 60 * 60_000;

/** The order's SendCloud reference: `<channel>:<orderId>`, with `#<generation>` from its second generation. */
export const externalReferenceOf = (order: OrderKey & { readonly generation?: number }): string =>
  `${order.channel}:${order.orderId}${(order.generation ?? 1) > 1 ? `#${order.generation}` : ''}`;

/** A claim that opens its generation: nothing of this generation can have reached SendCloud before it. */
export const isFirstAttempt = (order: Pick<OrderRecord, 'attempt' | 'firstAttempt'>): boolean =>
  order.attempt <= (order.firstAttempt ?? 1);

/**
 * The external reference of an order's n-th announcement (n = methods refused before it). v2 announces every
 * attempt on the one parcel; v3 cannot re-announce a refused shipment, so each fallback is a new shipment
 * with its own reference — derived, so a worker after a crash finds every attempt without a record of it.
 */
export function attemptReference(
  order: OrderKey & { readonly generation?: number },
  version: 'v2' | 'v3',
  refusals: number,
): string {
  const base = externalReferenceOf(order);
  return version === 'v2' || refusals === 0 ? base : `${base}~${refusals}`;
}

/** What SendCloud already holds for this order, newest attempt first (crash recovery). */
async function findEarlierAttempt(order: OrderRecord, port: SendcloudPort): Promise<Shipment | undefined> {
  const refusals = Object.keys(order.refusedMethods ?? {}).length;
  for (let n = port.version === 'v2' ? 0 : refusals; n >= 0; n--) {
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
    const claim = await deps.store.claim(key, { now: deps.clock(), lockMs: deps.lockMs });
    if (claim.outcome === 'missing') return 'missing';
    if (claim.outcome === 'busy') return 'retry';
    order = claim.outcome === 'claimed' ? await announce(claim.order, deps) : claim.order;
    if (!order) return 'retry';
  }
  return finish(order, deps);
}

/** Publishes what is due and stores labels for an announced order. */
export async function finish(order: OrderRecord, deps: ProcessDeps): Promise<ProcessOutcome> {
  if (order.status === 'failed') {
    await publish(order, 'Parcel Announcement Failed', deps);
    return 'failed';
  }
  if (order.status === 'announced') {
    await publish(order, 'Parcel Announced', deps);
    const stored = await storeLabels(order, deps);
    if (!stored) return 'retry';
    order = stored;
  }
  if (order.status === 'label_stored') {
    await publish(order, 'Parcel Announced', deps);
    await publish(order, 'Label Stored', deps);
  }
  return 'done';
}

/** Creates (or finds) the shipment for a claimed order; returns the order as recorded, or undefined if fenced out. */
export async function announce(
  order: OrderRecord,
  deps: ProcessDeps,
  known?: Shipment,
): Promise<OrderRecord | undefined> {
  const port = await deps.sendcloud(order.account);
  const fence = { attempt: order.attempt };
  const recipient = await deps.store.getRecipient(order);
  if (!recipient)
    return fail(
      order,
      deps,
      'REJECTED_BY_SENDCLOUD',
      'the recipient is no longer stored (retention period passed)',
    );

  // A previous attempt may have reached SendCloud before it crashed: look before creating anything.
  let existing = known ?? (isFirstAttempt(order) ? undefined : await findEarlierAttempt(order, port));
  if (existing && (existing.state === 'announced' || existing.state === 'cancelled')) {
    return recordShipment(order, existing, order.routing ?? null, deps, fence, port.version);
  }
  const refused = new Map(Object.entries(order.refusedMethods ?? {}));
  if (existing?.state === 'refused' && existing.method && !refused.has(existing.method)) {
    // refused before a crash kept us from writing it down
    refused.set(existing.method, existing.refusal ?? 'refused by the carrier');
    if (!(await deps.store.update(order, { refusedMethods: Object.fromEntries(refused) }, fence)))
      return undefined;
    order = { ...order, refusedMethods: Object.fromEntries(refused) };
  }

  const inputs = await routingInputs(order, deps, port);
  if ('failure' in inputs) return fail(order, deps, 'NO_ELIGIBLE_METHOD', inputs.failure);
  const { methods, rules, unavailable, routingOrder } = inputs;

  for (let tries = 0; tries <= MAX_FALLBACKS; tries++) {
    const decision = route(routingOrder, { methods, unavailable, excluded: refused, rules });
    if (
      !(await deps.store.update(order, { routing: decision, updatedAt: deps.clock().toISOString() }, fence))
    )
      return undefined;
    const choice = decision.choice;
    if (!choice) {
      // Unavailable is not "cannot carry": if a method would fit once its breaker closes, the order waits.
      const fitting = route(routingOrder, { methods, excluded: refused, rules }).choice;
      if (fitting) return waitForMethod(order, { fitting: fitting.name, unavailable }, deps);
      const last = decision.trace.at(-1);
      return fail(
        order,
        deps,
        'NO_ELIGIBLE_METHOD',
        `no shipping method can carry this order${last ? ` (last rule "${last.rule}": ${last.reason})` : ''}`,
      );
    }
    const reference = attemptReference(order, port.version, refused.size);
    const draft = toDraft(order, recipient, choice.method, reference);
    const outcome: AnnounceOutcome =
      existing && existing.state !== 'announced'
        ? await port.reannounce(existing, draft)
        : await port.announce(draft);
    switch (outcome.outcome) {
      case 'announced':
        await deps.health.recordSuccess(order.account, choice.method);
        return recordShipment(order, outcome.shipment, decision, deps, fence, port.version);
      case 'rejected':
        return fail(order, deps, 'REJECTED_BY_SENDCLOUD', outcome.reason);
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
  return fail(
    order,
    deps,
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
): Promise<OrderRecord | undefined> {
  const now = deps.clock();
  const since = order.waitingForMethodSince ?? now.toISOString();
  const waitMs = deps.methodWaitMs ?? METHOD_WAIT_MS;
  if (now.getTime() - Date.parse(since) >= waitMs)
    return fail(
      order,
      deps,
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

/** What routing needs for an order: the account's methods and rules, failing methods, the order's facts. */
export async function routingInputs(order: OrderRecord, deps: ProcessDeps, port: SendcloudPort) {
  const delivery = order.spec.delivery;
  const { methods, fromCountry } = await port.catalog({
    toCountry: order.spec.toCountry,
    weightGrams: order.spec.weightGrams,
    ...(order.spec.dimensionsCm ? { dimensionsCm: order.spec.dimensionsCm } : {}),
    ...(delivery.type === 'service_point' ? { servicePointId: delivery.servicePointId } : {}),
  });
  const rules = (await deps.rules.current(order.account)) ?? DEFAULT_RULES;
  let servicePointCarrier: string | undefined;
  if (delivery.type === 'service_point') {
    servicePointCarrier = await port.servicePointCarrier(delivery.servicePointId);
    if (!servicePointCarrier) return { failure: `service point ${delivery.servicePointId} does not exist` };
  }
  const unavailable = await unavailableMethods(
    order.account,
    methods.map((m) => m.ref),
    deps,
  );
  return {
    methods,
    rules,
    unavailable,
    routingOrder: toRoutingOrder(order, fromCountry, servicePointCarrier),
  };
}

export async function recordShipment(
  order: OrderRecord,
  shipment: Shipment,
  routing: RoutingDecision | null,
  deps: {
    readonly store: Pick<OrderStore, 'update'>;
    readonly tracking: Pick<TrackingStore, 'linkParcel'>;
    readonly clock: () => Date;
  },
  fence: { attempt: number },
  api: 'v2' | 'v3',
): Promise<OrderRecord | undefined> {
  const now = deps.clock().toISOString();
  const parcel = shipment.parcels[0];
  if (!parcel) throw new RangeError(`SendCloud shipment ${shipment.id} has no parcel`);
  const method = shipment.method ?? routing?.choice?.method ?? '0';
  const recorded: OrderParcel = {
    id: parcel.id,
    externalReference: shipment.externalReference ?? externalReferenceOf(order),
    trackingNumber: parcel.trackingNumber ?? '',
    trackingUrl: parcel.trackingUrl,
    carrier: shipment.carrier ?? routing?.choice?.carrier ?? 'unknown',
    shippingMethodId: api === 'v2' ? Number(method) || 0 : 0,
    method,
    shippingMethodName: shipment.methodName ?? routing?.choice?.name ?? '',
    api,
    ...(api === 'v3' ? { shipmentId: shipment.id } : {}),
    statusId: parcel.status.id,
    statusCode: parcel.status.code,
    statusMessage: parcel.status.message,
    announcedAt: now,
  };
  const changes = {
    status: 'announced' as const,
    parcel: recorded,
    updatedAt: now,
    ...(routing ? { routing } : {}),
  };
  if (!(await deps.store.update(order, changes, fence))) return undefined;
  // Webhooks and polls find the order by SendCloud's parcel id.
  await deps.tracking.linkParcel(
    parcel.id,
    { account: order.account, channel: order.channel, orderId: order.orderId },
    now,
  );
  return { ...order, ...changes };
}

export async function fail(
  order: OrderRecord,
  deps: ProcessDeps,
  code: 'NO_ELIGIBLE_METHOD' | 'REJECTED_BY_SENDCLOUD' | 'REJECTED_BY_CARRIER',
  reason: string,
) {
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

export async function unavailableMethods(
  account: string,
  methodIds: MethodRef[],
  deps: ProcessDeps,
): Promise<Map<MethodRef, string>> {
  const threshold = deps.unavailableAfterFailures ?? 3;
  const windowMs = deps.unavailableWindowMs ?? 15 * 60_000;
  const since = deps.clock().getTime() - windowMs;
  const unavailable = new Map<MethodRef, string>();
  for (const [id, failures] of await deps.health.failures(account, methodIds)) {
    const recent = failures.filter((at) => Date.parse(at) >= since).length;
    if (recent >= threshold)
      unavailable.set(id, `${recent} announcement failures in the last ${Math.round(windowMs / 60_000)} min`);
  }
  return unavailable;
}

export function toRoutingOrder(
  order: OrderRecord,
  fromCountry: string,
  servicePointCarrier?: string,
): RoutingOrder {
  return {
    toCountry: order.spec.toCountry,
    fromCountry,
    weightGrams: order.spec.weightGrams,
    dimensionsCm: order.spec.dimensionsCm,
    serviceLevel: order.spec.serviceLevel,
    orderValue: Number(order.spec.orderValue.amount),
    channel: order.channel,
    deliveryType: order.spec.delivery.type,
    servicePointCarrier,
    shippingMethodId: order.spec.shippingMethodId,
    shippingMethod: order.spec.shippingMethod,
  };
}

export function toDraft(
  order: OrderRecord,
  pii: OrderRecipient,
  method: MethodRef,
  externalReference: string,
): ShipmentDraft {
  const r = pii.recipient;
  const outsideEu = !EU.has(order.spec.toCountry);
  return {
    externalReference,
    orderNumber: order.orderId,
    recipient: {
      name: r.name,
      company: r.company ?? null,
      street: r.street,
      houseNumber: r.houseNumber ?? null,
      addressLine2: r.addressLine2 ?? null,
      postalCode: r.postalCode,
      city: r.city,
      country: r.country,
      state: r.state ?? null,
      email: r.email ?? null,
      phone: r.phone ?? null,
    },
    weightGrams: order.spec.weightGrams,
    ...(order.spec.dimensionsCm ? { dimensionsCm: order.spec.dimensionsCm } : {}),
    method,
    ...(order.spec.delivery.type === 'service_point'
      ? { servicePointId: order.spec.delivery.servicePointId }
      : {}),
    orderValue: order.spec.orderValue,
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
      ? { customs: { invoiceNumber: order.orderId, shipmentType: 'commercial_goods' as const } }
      : {}),
  };
}

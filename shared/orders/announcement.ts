import { defaultRules, type RoutingDecision, type RoutingOrder } from '../routing';
import type { MethodRef, SendcloudPort, Shipment } from '../sendcloud/port';
import type { OrderStore, TrackingStore } from '../store';
import { sameCustomsSide } from './customsTerritory';
import type { OrderKey, OrderParcel, OrderRecord } from './Order';
import type { ProcessDeps } from './processOrder';

/**
 * The parts of announcing an order that other functions share (references, routing inputs, recording a
 * shipment) — apart from `processOrder`, whose label storing brings pdf-lib into a bundle.
 */

/** What routing an order reads: its account's rules, its methods' recent failures, the clock. */
export type RoutingDeps = Pick<
  ProcessDeps,
  'rules' | 'health' | 'clock' | 'unavailableAfterFailures' | 'unavailableWindowMs'
>;

/** The order's SendCloud reference: `<channel>:<orderId>`, with `#<generation>` from its second generation. */
export const externalReferenceOf = (order: OrderKey & { readonly generation?: number }): string =>
  `${order.channel}:${order.orderId}${(order.generation ?? 1) > 1 ? `#${order.generation}` : ''}`;

/** A claim that opens its generation: nothing of this generation can have reached SendCloud before it. */
export const isFirstAttempt = (order: Pick<OrderRecord, 'attempt' | 'firstAttempt'>): boolean =>
  order.attempt <= (order.firstAttempt ?? 1);

/**
 * Whether each fallback of this order is a new shipment: always on v3 (a refused shipment cannot be
 * announced again), and on v2 for several colli (a refused multicollo parcel keeps its quantity, and a PUT
 * asking a label with a quantity above 1 is refused).
 */
export const newShipmentPerAttempt = (
  order: { readonly spec?: Pick<OrderRecord['spec'], 'colli'> },
  version: 'v2' | 'v3',
): boolean => version === 'v3' || (order.spec?.colli?.length ?? 0) > 1;

/**
 * The external reference of an order's n-th announcement (n = methods refused before it). v2 announces every
 * attempt of one box on the one parcel; otherwise (`newShipmentPerAttempt`) each fallback is a new shipment
 * with its own reference — derived, so a worker after a crash finds every attempt without a record of it.
 */
export function attemptReference(
  order: OrderKey & { readonly generation?: number; readonly spec?: Pick<OrderRecord['spec'], 'colli'> },
  version: 'v2' | 'v3',
  refusals: number,
): string {
  const base = externalReferenceOf(order);
  return !newShipmentPerAttempt(order, version) || refusals === 0 ? base : `${base}~${refusals}`;
}

/**
 * The external reference of box `box` (1-based) of an order shipped one shipment per box, at its n-th
 * announcement (n = methods refused for the order before it): `<attempt reference>/<box>`, e.g.
 * `webshop:A-1/2`, `webshop:A-1~1/2`. Derived, like `attemptReference`: after a crash or a lost answer each box
 * is found at SendCloud without a record of it, so none is announced twice.
 */
export const boxReference = (
  order: OrderKey & { readonly generation?: number; readonly spec?: Pick<OrderRecord['spec'], 'colli'> },
  version: 'v2' | 'v3',
  refusals: number,
  box: number,
): string => `${attemptReference(order, version, refusals)}/${box}`;

/** Whether the order ships one shipment per box (its recorded routing says so). */
export const shipsPerParcel = (order: Pick<OrderRecord, 'routing'>): boolean =>
  order.routing?.shipments === 'per_parcel';

/**
 * What SendCloud holds for the boxes of an order shipped one shipment per box that its record does not hold
 * yet, newest attempt first for each box: the references of every attempt are derived, so this finds what a
 * crash or a lost answer left unrecorded.
 */
export async function findBoxes(
  order: OrderRecord,
  port: Pick<SendcloudPort, 'find' | 'version'>,
  boxes: readonly number[],
): Promise<Map<number, Shipment>> {
  const refusals = Object.keys(order.refusedMethods ?? {}).length;
  const found = new Map<number, Shipment>();
  for (const box of boxes)
    for (let n = refusals; n >= 0; n--) {
      const shipment = await port.find(boxReference(order, port.version, n, box));
      if (shipment) {
        found.set(box, shipment);
        break;
      }
    }
  return found;
}

/**
 * Records box `box` of an order shipped one shipment per box: its parcel joins `parcels` (in box order, the
 * first box also as `parcel`), linked for tracking. The order stays `creating` until every box is recorded,
 * then it is `announced`. Undefined when the fence was lost.
 */
export async function recordBox(
  order: OrderRecord,
  shipment: Shipment,
  box: number,
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
  const first = shipment.parcels[0];
  if (!first) throw new RangeError(`SendCloud shipment ${shipment.id} has no parcel`);
  const count = order.spec.colli?.length ?? 1;
  const method = shipment.method ?? routing?.choice?.method ?? '0';
  const parcel: OrderParcel = {
    id: first.id,
    externalReference: shipment.externalReference ?? boxReference(order, api, 0, box),
    trackingNumber: first.trackingNumber ?? '',
    trackingUrl: first.trackingUrl,
    carrier: shipment.carrier ?? routing?.choice?.carrier ?? 'unknown',
    shippingMethodId: api === 'v2' ? Number(method) || 0 : 0,
    method,
    shippingMethodName: shipment.methodName ?? routing?.choice?.name ?? '',
    api,
    // each box is a shipment of its own (v2: its parcel)
    shipmentId: shipment.id,
    statusId: first.status.id,
    statusCode: first.status.code,
    statusMessage: first.status.message,
    announcedAt: now,
    colloNumber: box,
    colloCount: count,
  };
  const parcels = [...(order.parcels ?? []).filter((p) => p.colloNumber !== box), parcel].sort(
    (a, b) => (a.colloNumber ?? 1) - (b.colloNumber ?? 1),
  );
  const complete = parcels.length === count;
  const changes = {
    parcels,
    parcel: parcels[0] as OrderParcel,
    // later boxes' tracking goes under their parcel ids (the map must exist for the nested writes); written
    // once, so a status that arrived for a box recorded before is kept
    ...(order.colliTracking ? {} : { colliTracking: {} }),
    ...(complete ? { status: 'announced' as const } : {}),
    updatedAt: now,
    ...(routing ? { routing } : {}),
  };
  if (!(await deps.store.update(order, changes, fence))) return undefined;
  await deps.tracking.linkParcel(
    parcel.id,
    { account: order.account, channel: order.channel, orderId: order.orderId },
    now,
  );
  return { ...order, ...changes };
}

/** What routing needs for an order: the account's methods and rules, failing methods, the order's facts. */
export async function routingInputs(order: OrderRecord, deps: RoutingDeps, port: SendcloudPort) {
  const delivery = order.spec.delivery;
  const { methods, fromCountry } = await port.catalog({
    toCountry: order.spec.toCountry,
    weightGrams: order.spec.weightGrams,
    ...(order.spec.dimensionsCm ? { dimensionsCm: order.spec.dimensionsCm } : {}),
    ...(delivery.type === 'service_point' ? { servicePointId: delivery.servicePointId } : {}),
  });
  // Intake decided customs (item lines, papers, IOSS) from the stage's sender country: SendCloud's must agree.
  if (order.spec.shipsFrom && !sameCustomsSide(order.spec.shipsFrom, fromCountry))
    return {
      failure: `the account's SendCloud sender address is in ${fromCountry}, but the stage says it ships from ${order.spec.shipsFrom} (accounts.${order.account}.shipsFrom), which intake checked customs for: correct the setting, then post the order again`,
    };
  const rules = (await deps.rules.current(order.account)) ?? defaultRules();
  let servicePointCarrier: string | undefined;
  if (delivery.type === 'service_point') {
    servicePointCarrier = await port.servicePointCarrier(delivery.servicePointId);
    if (!servicePointCarrier) return { failure: `service point ${delivery.servicePointId} does not exist` };
  }
  const failures = await deps.health.failures(
    order.account,
    methods.map((m) => m.ref),
  );
  return {
    methods,
    rules,
    unavailable: unavailableOf(failures, deps),
    /** Methods with failures on record: only their success has anything to reset. */
    failing: new Set([...failures].filter(([, times]) => times.length > 0).map(([ref]) => ref)),
    routingOrder: toRoutingOrder(order, fromCountry, servicePointCarrier),
  };
}

/**
 * Records the shipment SendCloud announced for the order, in one write: `announced`, its parcel(s), the
 * routing, and the wait for a first carrier scan (stuck check). Then the parcels' pointers, which lead
 * webhooks and polls to the order — written after, so no scan can have reached the order before this write;
 * `linked`: the caller wrote them already (a batch, for all its orders at once, before any is recorded).
 * Undefined when the fence was lost.
 */
export async function recordShipment(
  order: OrderRecord,
  shipment: Shipment,
  routing: RoutingDecision | null,
  deps: {
    readonly store: Pick<OrderStore, 'record'>;
    readonly tracking: Pick<TrackingStore, 'linkParcels'>;
    readonly clock: () => Date;
  },
  fence: { attempt: number },
  api: 'v2' | 'v3',
  options: { readonly linked?: boolean } = {},
): Promise<OrderRecord | undefined> {
  const now = deps.clock().toISOString();
  const parcels = shipmentParcels(order, shipment, routing, { api, announcedAt: now });
  const changes = {
    status: 'announced' as const,
    parcel: parcels[0] as OrderParcel,
    // each later collo's tracking goes under its parcel id (the map must exist for the nested writes)
    ...(parcels.length > 1 ? { parcels, colliTracking: {} } : {}),
    updatedAt: now,
    ...(routing ? { routing } : {}),
  };
  if (!(await deps.store.record(order, { changes, fence, awaitScanSince: now }))) return undefined;
  // Webhooks and polls find the order by SendCloud's parcel id: every collo's.
  if (!options.linked) await deps.tracking.linkParcels(parcelLinks(order, parcels));
  return { ...order, ...changes };
}

/** The order's parcels as SendCloud announced them in `shipment` (one box takes its first parcel only). */
export function shipmentParcels(
  order: OrderRecord,
  shipment: Shipment,
  routing: RoutingDecision | null,
  at: { readonly api: 'v2' | 'v3'; readonly announcedAt: string },
): OrderParcel[] {
  const { api } = at;
  if (!shipment.parcels[0]) throw new RangeError(`SendCloud shipment ${shipment.id} has no parcel`);
  const method = shipment.method ?? routing?.choice?.method ?? '0';
  // One box takes the first parcel only (more under one reference would be SendCloud's duplicate).
  const taken = order.spec.colli ? shipment.parcels : shipment.parcels.slice(0, 1);
  const colli = taken.length;
  return taken.map(
    (parcel, i): OrderParcel => ({
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
      announcedAt: at.announcedAt,
      ...(colli > 1 ? { colloNumber: i + 1, colloCount: colli } : {}),
    }),
  );
}

/** The pointers of an order's parcels. */
export const parcelLinks = (order: OrderRecord, parcels: readonly Pick<OrderParcel, 'id'>[]) =>
  parcels.map((parcel) => ({
    parcelId: parcel.id,
    pointer: { account: order.account, channel: order.channel, orderId: order.orderId },
  }));

export async function unavailableMethods(
  account: string,
  methodIds: MethodRef[],
  deps: RoutingDeps,
): Promise<Map<MethodRef, string>> {
  return unavailableOf(await deps.health.failures(account, methodIds), deps);
}

/** The methods whose recent failures reach the threshold, with why. */
function unavailableOf(
  failuresByMethod: ReadonlyMap<MethodRef, readonly string[]>,
  deps: Pick<ProcessDeps, 'unavailableAfterFailures' | 'unavailableWindowMs' | 'clock'>,
): Map<MethodRef, string> {
  const threshold = deps.unavailableAfterFailures ?? 3;
  const windowMs = deps.unavailableWindowMs ?? 15 * 60_000;
  const since = deps.clock().getTime() - windowMs;
  const unavailable = new Map<MethodRef, string>();
  for (const [id, failures] of failuresByMethod) {
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
    colli: order.spec.colli,
    customsRequired: order.spec.customsRequired,
    extras: order.spec.extras,
    serviceLevel: order.spec.serviceLevel,
    orderValue: Number(order.spec.orderValue.amount),
    channel: order.channel,
    deliveryType: order.spec.delivery.type,
    servicePointCarrier,
    shippingMethodId: order.spec.shippingMethodId,
    shippingMethod: order.spec.shippingMethod,
  };
}

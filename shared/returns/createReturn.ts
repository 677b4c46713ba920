import type { EventPublisher } from '../events';
import { HttpError } from '../http/errors';
import { type LabelStore, labelKey } from '../labels/LabelStore';
import { canonicalJson, sha256 } from '../orders/canonical';
import { emitOnce } from '../orders/emitOnce';
import { parcelRef } from '../orders/eventRefs';
import { findOrder } from '../orders/findOrder';
import type { OrderRecord } from '../orders/Order';
import { defaultRules, route } from '../routing';
import type { SendcloudPort } from '../sendcloud/port';
import type { OrderStore, RulesStore, TrackingStore } from '../store';
import type { ReturnRequest } from './ReturnRequest';
import { type ReturnView, returnIdOf, returnKey, returnView } from './ReturnView';

export interface ReturnDeps {
  readonly store: OrderStore;
  readonly tracking: TrackingStore;
  readonly rules: RulesStore;
  readonly events: EventPublisher;
  readonly labels: LabelStore;
  readonly labelBucket: string;
  readonly sendcloud: (account: string) => Promise<SendcloudPort>;
  readonly clock: () => Date;
}

/**
 * Creates the return label for a shipped order, once: the return record is claimed by a conditional put,
 * SendCloud's parcel carries `return:<returnId>` as its external reference (a retry after a crash finds it
 * instead of creating another), the label is stored in S3 like outbound ones, `Return Created` goes out once.
 */
export async function createReturn(
  account: string | undefined,
  request: ReturnRequest,
  deps: ReturnDeps,
): Promise<{ view: ReturnView; created: boolean }> {
  const order = await originalOrder(request, deps);
  if (account && order.account !== account)
    throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${order.orderId} for account ${account}.`);
  const shipped = order.parcel;
  if (!shipped || order.status === 'failed' || order.isReturn)
    throw new HttpError(
      409,
      'ORDER_NOT_SHIPPED',
      `Order ${order.orderId} has no shipped parcel (status ${order.status}); only shipped orders can be returned.`,
    );
  const returnId = returnIdOf(order, request);
  const key = returnKey(returnId);
  const now = deps.clock().toISOString();
  let record = await deps.store.get(key);
  if (record?.status === 'label_stored') {
    // finish what a crashed earlier attempt may have left: the order's note and the event
    await deps.store.addReturn(order, returnId);
    await publishCreated(record, deps);
    return { view: returnView(record), created: false };
  }
  const port = await deps.sendcloud(order.account);
  const personal = await deps.store.getRecipient(order);
  const customer = request.from ?? personal?.recipient;
  if (!customer)
    throw new HttpError(
      400,
      'FROM_REQUIRED',
      `The address of order ${order.orderId} is no longer kept; send the customer's address as "from".`,
    );
  const [shop, rules] = await Promise.all([port.senderAddress(), deps.rules.current(order.account)]);
  if (!shop)
    throw new HttpError(
      409,
      'NO_RETURN_ADDRESS',
      `SendCloud account ${order.account} has no sender address to return to.`,
    );
  const weightGrams =
    request.weightGrams ??
    (request.items.every((i) => i.weightGrams)
      ? request.items.reduce((a, i) => a + (i.weightGrams ?? 0) * i.quantity, 0)
      : order.spec.weightGrams);
  const { methods } = await port.catalog({
    returns: true,
    toCountry: shop.country,
    fromCountry: customer.country,
    weightGrams,
  });
  const decision = route(
    {
      toCountry: customer.country,
      fromCountry: shop.country,
      weightGrams,
      serviceLevel: 'standard',
      orderValue: Number(order.spec.orderValue.amount),
      channel: order.channel,
      deliveryType: 'home',
    },
    { methods, rules: { ...(rules ?? defaultRules()), rules: (rules ?? defaultRules()).returns } },
  );
  if (!decision.choice)
    throw new HttpError(
      422,
      'NO_RETURN_METHOD',
      `No return shipping method of this account can carry ${weightGrams} g from ${customer.country}.`,
      { details: decision.trace },
    );
  if (!record) {
    const fresh: OrderRecord = {
      channel: key.channel,
      orderId: key.orderId,
      account: order.account,
      status: 'accepted',
      isReturn: true,
      returnOf: { channel: order.channel, orderId: order.orderId, parcelId: shipped.id },
      ...(request.reference ? { returnReference: request.reference } : {}),
      returnItems: request.items.map((i) => ({
        description: i.description,
        quantity: i.quantity,
        sku: i.sku ?? null,
        reason: i.reason,
        message: i.message ?? null,
      })),
      bodyHash: sha256(canonicalJson(request)),
      spec: { ...order.spec, toCountry: shop.country, weightGrams, delivery: { type: 'home' } },
      attempt: 0,
      routing: decision,
      events: {},
      createdAt: now,
      updatedAt: now,
    };
    const created = await deps.store.createReturn(fresh);
    record = created.created ? fresh : created.existing;
  }
  // One request at a time makes the label: a concurrent twin waits (409, retry), a later one gets the result.
  const claim = await deps.store.claim(key, { now: deps.clock(), lockMs: 60_000 });
  if (claim.outcome === 'settled' && claim.order.status === 'label_stored') {
    await deps.store.addReturn(order, returnId);
    await publishCreated(claim.order, deps);
    return { view: returnView(claim.order), created: false };
  }
  if (claim.outcome !== 'claimed')
    throw new HttpError(409, 'RETURN_IN_PROGRESS', `Return ${returnId} is being created; retry in a moment.`);
  record = claim.order;
  const externalReference = `return:${returnId}`;
  // Item lines go to SendCloud when each has an HS code (from the request or the order's own line by SKU);
  // otherwise the return is announced without lines — the reasons stay on our record.
  const lines = request.items.map((item) => {
    const original = personal?.items.find((o) => item.sku && o.sku === item.sku);
    return { item, hsCode: item.hsCode ?? original?.hsCode ?? null, original };
  });
  const unitPrice = (
    Number(order.spec.orderValue.amount) /
    Math.max(
      1,
      request.items.reduce((a, i) => a + i.quantity, 0),
    )
  ).toFixed(2);
  // Only this request's earlier attempts can have made it: the port looks before creating again.
  const outcome = await port.announce({
    externalReference,
    orderNumber: order.orderId.slice(0, 50),
    recipient: shop,
    from: { ...customer, company: customer.company ?? null },
    weightGrams,
    method: decision.choice.method,
    isReturn: true,
    ...(lines.every((l) => l.hsCode)
      ? {
          items: lines.map(({ item, hsCode, original }) => ({
            description: item.description,
            quantity: item.quantity,
            unitPrice: item.unitPrice ?? original?.unitPrice ?? unitPrice,
            sku: item.sku ?? null,
            hsCode,
            originCountry: original?.originCountry ?? null,
            weightGrams:
              item.weightGrams ??
              original?.weightGrams ??
              Math.max(1, Math.round(weightGrams / request.items.length / item.quantity)),
            returnMessage: item.message ? `${item.reason}: ${item.message}` : item.reason,
          })),
        }
      : {}),
  });
  // SendCloud or the carrier refused the return itself (an address, a weight): the caller can fix it.
  if (outcome.outcome !== 'announced')
    throw new HttpError(422, 'RETURN_REFUSED', `SendCloud refused the return: ${outcome.reason}`);
  const shipment = outcome.shipment;
  const parcel = shipment.parcels[0];
  if (!parcel) throw new Error(`SendCloud return shipment ${shipment.id} has no parcel`);
  const label = await port.label(parcel.id, 'a6');
  const labelAt = labelKey({
    account: order.account,
    channel: key.channel,
    orderId: returnId,
    parcelId: parcel.id,
    format: 'a6',
  });
  const put = await deps.labels.put(labelAt, label, 'application/pdf');
  const portal = await port.returnPortalUrl(shipped.id, shipped.shipmentId).catch(() => null);
  const stored = deps.clock().toISOString();
  const changes = {
    status: 'label_stored' as const,
    parcel: {
      id: parcel.id,
      externalReference,
      trackingNumber: parcel.trackingNumber ?? '',
      trackingUrl: parcel.trackingUrl,
      carrier: shipment.carrier ?? decision.choice.carrier,
      shippingMethodId: port.version === 'v2' ? Number(shipment.method ?? decision.choice.method) || 0 : 0,
      method: shipment.method ?? decision.choice.method,
      shippingMethodName: shipment.methodName ?? decision.choice.name,
      api: port.version,
      ...(port.version === 'v3' ? { shipmentId: shipment.id } : {}),
      statusId: parcel.status.id,
      statusCode: parcel.status.code,
      statusMessage: parcel.status.message,
      announcedAt: stored,
    },
    labels: {
      a6: {
        key: labelAt,
        format: 'a6' as const,
        contentType: 'application/pdf',
        sha256: put.sha256,
        bytes: put.bytes,
        storedAt: stored,
      },
    },
    returnPortalUrl: portal,
    // v3 answers the create with the return's id (the shipment's id) but lists returns without one: keep it
    ...(port.version === 'v3' ? { sendcloudReturnId: Number(shipment.id) } : {}),
    updatedAt: stored,
  };
  await deps.tracking.linkParcel(parcel.id, { account: order.account, ...key }, stored, { awaitScan: false });
  if (!(await deps.store.update(key, changes, { attempt: record.attempt })))
    throw new HttpError(409, 'RETURN_IN_PROGRESS', `Return ${returnId} is being created; retry in a moment.`);
  // The order lists its returns (after the label exists, so a listed return always has one).
  await deps.store.addReturn(order, returnId);
  const done = { ...record, ...changes };
  await publishCreated(done, deps);
  return { view: returnView(done), created: true };
}

async function publishCreated(record: OrderRecord, deps: ReturnDeps): Promise<void> {
  const p = record.parcel;
  const of = record.returnOf;
  const ref = parcelRef(record);
  if (!ref || !p || !of || record.events?.['Return Created']?.state === 'sent') return;
  await emitOnce(
    record,
    'Return Created',
    {
      ...ref,
      returnId: record.orderId,
      isReturn: true,
      reference: record.returnReference ?? null,
      labelKey: record.labels?.a6?.key ?? null,
      bucket: deps.labelBucket,
      returnPortalUrl: record.returnPortalUrl ?? null,
      createdAt: record.createdAt,
    },
    deps,
  );
}

async function originalOrder(request: ReturnRequest, deps: ReturnDeps): Promise<OrderRecord> {
  if (request.parcelId !== undefined) {
    const pointer = await deps.tracking.pointer(request.parcelId);
    const order = pointer ? await deps.store.get(pointer) : undefined;
    if (!order)
      throw new HttpError(404, 'PARCEL_NOT_FOUND', `No order of ours has parcel ${request.parcelId}.`);
    return order;
  }
  return findOrder(deps.store, request.orderId ?? '', request.channel);
}

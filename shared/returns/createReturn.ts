import type { EventPublisher } from '../events';
import { HttpError } from '../http/errors';
import { type LabelStore, labelKey } from '../labels';
import { canonicalJson, sha256 } from '../orders/canonical';
import { emitOnce } from '../orders/emitOnce';
import { parcelRef } from '../orders/eventRefs';
import { findOrder } from '../orders/findOrder';
import type { OrderRecord } from '../orders/Order';
import { DEFAULT_RULES, route } from '../routing';
import { type Address, type SendcloudClient, SendcloudHttpError } from '../sendcloud';
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
  readonly sendcloud: (account: string) => Promise<SendcloudClient>;
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
  const client = await deps.sendcloud(order.account);
  const personal = await deps.store.getRecipient(order);
  const customer = request.from ?? personal?.recipient;
  if (!customer)
    throw new HttpError(
      400,
      'FROM_REQUIRED',
      `The address of order ${order.orderId} is no longer kept; send the customer's address as "from".`,
    );
  const [senders, methods, rules] = await Promise.all([
    client.catalog.senderAddresses(),
    client.catalog.shippingMethods({ isReturn: true }),
    deps.rules.current(order.account),
  ]);
  const shop = senders[0];
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
    { methods, rules: { ...(rules ?? DEFAULT_RULES), rules: (rules ?? DEFAULT_RULES).returns } },
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
  const { parcel } = await client.returns
    .create(
      {
        externalReference,
        orderNumber: order.orderId.slice(0, 50),
        recipient: shopAddress(shop),
        from: { ...customer, company: customer.company ?? null },
        weightGrams,
        shippingMethodId: decision.choice.methodId,
        requestLabel: true,
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
      },
      // Only this request's earlier attempts can have made it: look before creating again.
      { lookupFirst: true },
    )
    .catch((error: unknown) => {
      // SendCloud refused the return itself (an address, a weight): the caller can fix it.
      if (error instanceof SendcloudHttpError && error.status < 500)
        throw new HttpError(422, 'RETURN_REFUSED', error.message, { cause: error });
      throw error;
    });
  const label = await client.labels.labelPrinterPdf(parcel.id);
  const labelAt = labelKey({
    account: order.account,
    channel: key.channel,
    orderId: returnId,
    parcelId: parcel.id,
    format: 'a6',
  });
  const put = await deps.labels.put(labelAt, label, 'application/pdf');
  const portal = await client.parcels.returnPortalUrl(shipped.id).catch(() => null);
  const stored = deps.clock().toISOString();
  const changes = {
    status: 'label_stored' as const,
    parcel: {
      id: parcel.id,
      externalReference,
      trackingNumber: parcel.tracking_number ?? '',
      trackingUrl: parcel.tracking_url ?? null,
      carrier: parcel.carrier?.code ?? decision.choice.carrier,
      shippingMethodId: parcel.shipment?.id ?? decision.choice.methodId,
      shippingMethodName: parcel.shipment?.name ?? decision.choice.name,
      statusId: parcel.status.id,
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

function shopAddress(shop: {
  company_name?: string | null | undefined;
  contact_name?: string | null | undefined;
  street: string;
  house_number?: string | null | undefined;
  postal_code: string;
  city: string;
  country: string;
  email?: string | null | undefined;
  telephone?: string | null | undefined;
}): Address {
  return {
    name: shop.contact_name || shop.company_name || 'Returns department',
    company: shop.company_name ?? null,
    street: shop.street,
    houseNumber: shop.house_number ?? null,
    postalCode: shop.postal_code,
    city: shop.city,
    country: shop.country,
    email: shop.email ?? null,
    phone: shop.telephone ?? null,
  };
}

import { type Address, type ParcelDraft, toParcelCreation } from './draft';
import { SendcloudHttpError } from './errors';
import type { CancelResult } from './ParcelsApi';
import {
  type AccountMethod,
  type AnnounceOutcome,
  type BulkLabelSupport,
  type CancelOutcome,
  type CancelTarget,
  type Catalog,
  type CatalogQuery,
  combineCancelOutcomes,
  isAlreadyCancelledMessage,
  type LabelFormat,
  type MethodRef,
  methodGoneReason,
  type SendcloudPort,
  type SendcloudReturn,
  type Shipment,
  type ShipmentDraft,
  type StatusObservation,
  type StatusUpdate,
} from './port';
import type { SendcloudClient } from './SendcloudClient';
import type { Parcel, Return, ShippingMethod } from './schemas';
import { parseSendcloudDate } from './units';
import { catalogMethodFromV2 } from './v2Catalog';
import { statusFromV2 } from './v3/statuses';

export { catalogMethodFromV2 };

/** SendCloud status ids with a meaning for the state of a shipment. */
const NO_LABEL = 999;
const ANNOUNCEMENT_FAILED = 1002;
const CANCELLED = new Set([2000, 1999]);
const CATALOG_TTL_MS = 10 * 60_000;
/** The customs document a box carries, in the order asked for (see `customsDocument`). */
const CUSTOMS_DOCUMENTS = ['commercial-invoice', 'cn23'] as const;

/**
 * SendCloud's answer to a create naming a method the account does not have (any more): the framework's
 * unknown-key message on the method field (`shipping_method: "Invalid pk "1030" - object does not exist."`;
 * the nested form `shipment.id` reads the same).
 */
const METHOD_FIELD = /^(shipping_method|shipment(\.id)?)$/;
const UNKNOWN_KEY = /Invalid pk .* object does not exist/i;
export const namesMissingMethod = (errors: Readonly<Record<string, unknown>>): boolean =>
  Object.entries(errors).some(
    ([field, messages]) =>
      METHOD_FIELD.test(field) && [messages].flat().some((m) => UNKNOWN_KEY.test(String(m))),
  );
const messageNamesMissingMethod = (message: string): boolean =>
  /(^|[\s,;])(shipping_method|shipment(\.id)?): "?Invalid pk .* object does not exist/i.test(message);

const rejectionOf = (errors: Readonly<Record<string, unknown>>): string =>
  Object.entries(errors)
    .map(([field, messages]) => `${field}: ${[messages].flat().join(' ')}`)
    .join('; ');

/** A v2 status with its v3 code (one table for both vocabularies: `v3/statuses.ts`), SendCloud's message kept. */
export const v2Status = (id: number, message: string): StatusObservation => ({
  ...statusFromV2(id),
  message,
});

/** The parcels SendCloud holds for one external reference, as one shipment. */
export function shipmentFromV2(parcels: readonly Parcel[]): Shipment {
  // colli in SendCloud's order (collo_nr is 0-based); one parcel has none
  parcels = [...parcels].sort((a, b) => (a.collo_nr ?? 0) - (b.collo_nr ?? 0) || a.id - b.id);
  const first = parcels[0];
  if (!first) throw new RangeError('a shipment has at least one parcel');
  const refused = parcels.find((p) => p.status.id === ANNOUNCEMENT_FAILED);
  const methodId = first.shipment?.id ?? first.shipping_method ?? null;
  return {
    id: String(first.id),
    externalReference: first.external_reference ?? null,
    parcels: parcels.map((p, i) => ({
      id: p.id,
      trackingNumber: p.tracking_number || null,
      trackingUrl: p.tracking_url || null,
      status: v2Status(p.status.id, p.status.message),
      colloNumber: i + 1,
      externalReference: p.external_reference ?? null,
    })),
    carrier: first.carrier?.code ?? null,
    method: methodId ? String(methodId) : null,
    methodName: first.shipment?.name ?? null,
    state: refused
      ? 'refused'
      : first.status.id === NO_LABEL
        ? 'unannounced'
        : CANCELLED.has(first.status.id)
          ? 'cancelled'
          : 'announced',
    ...(refused ? { refusal: refusalOf(refused) } : {}),
  };
}

const refusalOf = (parcel: Parcel): string =>
  parcel.errors && Object.keys(parcel.errors).length > 0
    ? JSON.stringify(parcel.errors)
    : parcel.status.message;

export const sendcloudReturnFromV2 = (r: Return): SendcloudReturn => ({
  id: r.id,
  createdAt: r.created_at,
  parcelId: r.incoming_parcel,
  trackingNumber: r.incoming_parcel_data?.tracking_number ?? null,
  parcelStatus: r.incoming_parcel_status
    ? { id: r.incoming_parcel_status.id, message: r.incoming_parcel_status.message }
    : null,
  deliveredAt: r.delivered_at ?? null,
  refund: r.refund ?? null,
  isCancellable: r.is_cancellable ?? null,
  labelCost:
    typeof r.label_cost === 'number' ? { amount: r.label_cost, currency: r.label_currency ?? null } : null,
});

/**
 * v2's cancel answers in the port's terms: 200 cancelled and 410 deleted (a parcel without a label) are
 * cancelled, 202 queued is requested, 400 is "already being cancelled" or too late (SendCloud says which).
 */
export function cancelOutcomeFromV2(result: CancelResult): CancelOutcome {
  switch (result.outcome) {
    case 'cancelled':
    case 'deleted':
      return { outcome: 'cancelled', message: result.message };
    case 'queued':
      return { outcome: 'requested', message: result.message };
    case 'rejected':
      return {
        outcome: isAlreadyCancelledMessage(result.message) ? 'already_cancelled' : 'too_late',
        message: result.message,
      };
    case 'not_found':
      return { outcome: 'not_found', message: result.message };
  }
}

/** Our draft in v2's own draft form (a numeric method id). */
export function toV2Draft(draft: ShipmentDraft): ParcelDraft {
  const methodId = Number(draft.method);
  if (!Number.isInteger(methodId) || methodId <= 0)
    throw new RangeError(`${draft.method} is not a SendCloud v2 shipping method id`);
  return {
    externalReference: draft.externalReference,
    ...(draft.orderNumber === undefined ? {} : { orderNumber: draft.orderNumber }),
    recipient: draft.recipient,
    // v2 takes one weight and size for every collo: the heaviest box's (the spec keeps it), never less.
    weightGrams: draft.colli ? Math.max(...draft.colli.map((c) => c.weightGrams)) : draft.weightGrams,
    ...(draft.dimensionsCm ? { dimensionsCm: draft.dimensionsCm } : {}),
    ...(draft.colli && draft.colli.length > 1 ? { quantity: draft.colli.length } : {}),
    shippingMethodId: methodId,
    requestLabel: true,
    ...(draft.servicePointId === undefined ? {} : { servicePointId: draft.servicePointId }),
    ...(draft.orderValue ? { orderValue: draft.orderValue } : {}),
    // SendCloud rounds insured values up to whole euros, and takes at least 2 (REFERENCE §3)
    ...(draft.insuredValueEur ? { totalInsuredValueEur: Math.max(2, Math.ceil(draft.insuredValueEur)) } : {}),
    ...(draft.items && draft.items.length > 0 ? { items: [...draft.items] } : {}),
    ...(draft.customs ? { customs: draft.customs } : {}),
    ...(draft.isReturn ? { isReturn: true } : {}),
    ...(draft.from ? { from: draft.from } : {}),
  };
}

/**
 * SendCloud API v2 behind the port: parcels with external references, batch creates with per-parcel results,
 * labels by id, `GET /parcels?updated_after`. For accounts created before 13 April 2026.
 */
export class V2Port implements SendcloudPort {
  readonly version = 'v2' as const;
  readonly #client: SendcloudClient;
  readonly #clock: () => number;
  readonly #catalogs = new Map<string, { at: number; catalog: Promise<Catalog> }>();
  readonly #onMethodGone: (() => void) | undefined;

  constructor(
    client: SendcloudClient,
    options: {
      readonly clock?: () => number;
      /** A create named a method the account no longer has (a catalogue refresh is due). */
      readonly onMethodGone?: () => void;
    } = {},
  ) {
    this.#client = client;
    this.#clock = options.clock ?? Date.now;
    this.#onMethodGone = options.onMethodGone;
  }

  /** The v2 client underneath, for what the port does not cover yet (checkout). */
  get client(): SendcloudClient {
    return this.#client;
  }

  forgetCatalog(): void {
    this.#catalogs.clear();
  }

  async accountMethods(): Promise<readonly AccountMethod[]> {
    const [outgoing, returns] = await Promise.all([
      this.#client.catalog.shippingMethods({}),
      this.#client.catalog.shippingMethods({ isReturn: true }),
    ]);
    const of = (method: ShippingMethod, isReturn: boolean): AccountMethod => ({
      ref: String(method.id),
      legacyId: method.id,
      name: method.name,
      carrier: method.carrier,
      returns: isReturn,
    });
    return [...outgoing.map((m) => of(m, false)), ...returns.map((m) => of(m, true))];
  }

  catalog(query: CatalogQuery): Promise<Catalog> {
    const key = query.returns ? 'returns' : 'outgoing';
    const cached = this.#catalogs.get(key);
    if (cached && this.#clock() - cached.at < CATALOG_TTL_MS) return cached.catalog;
    const catalog = Promise.all([
      this.#client.catalog.shippingMethods(query.returns ? { isReturn: true } : {}),
      this.#client.catalog.senderAddresses(),
    ]).then(([methods, senders]) => ({
      methods: methods.map(catalogMethodFromV2),
      fromCountry: senders[0]?.country ?? 'NL',
    }));
    this.#catalogs.set(key, { at: this.#clock(), catalog });
    catalog.catch(() => this.#catalogs.delete(key));
    return catalog;
  }

  async mapLegacyMethods(ids: readonly number[]): Promise<Map<number, MethodRef | null>> {
    return new Map(ids.map((id) => [id, String(id)]));
  }

  async announce(draft: ShipmentDraft): Promise<AnnounceOutcome> {
    const v2 = toV2Draft(draft);
    if (v2.quantity && v2.quantity > 1) return this.#announceColli(v2);
    try {
      const { parcel, reconciled } = draft.isReturn
        ? await this.#client.returns.create(
            { ...v2, from: v2.from ?? draft.recipient },
            { lookupFirst: true },
          )
        : await this.#client.parcels.create(v2);
      return this.#outcome([parcel], reconciled);
    } catch (error) {
      return this.#refusal(error, draft);
    }
  }

  /**
   * Several colli: SendCloud answers one parcel per collo, which only the batch form can carry (a single
   * create with `quantity` > 1 and a label is refused). The batch create keeps its reconciliation by
   * external reference, so a lost answer is looked up, never sent twice.
   */
  async #announceColli(v2: ParcelDraft): Promise<AnnounceOutcome> {
    const [result] = await this.#client.parcels.createBatch([v2]);
    if (!result) throw new RangeError(`no answer for ${v2.externalReference}`);
    switch (result.outcome) {
      case 'created':
        return this.#outcome(result.parcels, result.reconciled);
      case 'carrier_failed':
        return {
          outcome: 'carrier_refused',
          reason: JSON.stringify(result.errors),
          shipment: shipmentFromV2(result.parcels),
        };
      case 'rejected':
        return this.#rejected(result.errors, v2.shippingMethodId);
    }
  }

  async reannounce(refused: Shipment, draft: ShipmentDraft): Promise<AnnounceOutcome> {
    // v2 keeps the refused parcel (status 1002): it is announced again with the next method, so SendCloud
    // never holds two parcels for the order. The reference stays the parcel's own. (Several colli are not
    // announced again: a PUT asking a label with a quantity above 1 is refused, so each fallback of a
    // multicollo order is a shipment of its own — `newShipmentPerAttempt`.)
    const { external_reference: _kept, ...changes } = toParcelCreation(toV2Draft(draft));
    if (changes.quantity !== undefined)
      throw new RangeError('several colli are announced anew under their own reference, never re-announced');
    try {
      const parcel = await this.#client.parcels.update(Number(refused.id), {
        ...changes,
        request_label: true,
      });
      return this.#outcome([parcel], false);
    } catch (error) {
      return this.#refusal(error, {
        ...draft,
        externalReference: refused.externalReference ?? draft.externalReference,
      });
    }
  }

  async announceMany(drafts: readonly ShipmentDraft[]): Promise<Map<string, AnnounceOutcome>> {
    const results = await this.#client.parcels.createBatch(drafts.map(toV2Draft));
    const outcomes = new Map<string, AnnounceOutcome>();
    for (const result of results) {
      switch (result.outcome) {
        case 'created':
          outcomes.set(result.externalReference, this.#outcome(result.parcels, result.reconciled));
          break;
        case 'carrier_failed':
          outcomes.set(result.externalReference, {
            outcome: 'carrier_refused',
            reason: JSON.stringify(result.errors),
            shipment: shipmentFromV2(result.parcels),
          });
          break;
        case 'rejected': {
          const draft = drafts.find((d) => d.externalReference === result.externalReference);
          outcomes.set(result.externalReference, this.#rejected(result.errors, draft?.method));
          break;
        }
      }
    }
    return outcomes;
  }

  async find(externalReference: string): Promise<Shipment | undefined> {
    const parcels = await this.#client.parcels.listAll({ externalReference });
    const own = parcels.filter((p) => p.external_reference === externalReference);
    return own.length > 0 ? shipmentFromV2(own) : undefined;
  }

  /** `POST /parcels/{id}/cancel` for each parcel, one after the other (return parcels alike). */
  async cancel(target: CancelTarget): Promise<CancelOutcome> {
    const ids = target.parcelIds.length > 0 ? target.parcelIds : [Number(target.id)];
    const outcomes: CancelOutcome[] = [];
    for (const id of ids) {
      if (!Number.isInteger(id) || id <= 0) throw new RangeError(`${id} is not a SendCloud parcel id`);
      outcomes.push(cancelOutcomeFromV2(await this.#client.parcels.cancel(id)));
    }
    return combineCancelOutcomes(outcomes);
  }

  label(parcelId: number, format: LabelFormat): Promise<Uint8Array> {
    return format === 'a6'
      ? this.#client.labels.labelPrinterPdf(parcelId)
      : this.#client.labels.document(parcelId, { format: 'zpl' });
  }

  /**
   * `label_printer?ids=` merges PDFs only (REFERENCE §3.1). v2 documents no largest call; 100 keeps the URL
   * short (≈1 KB of ids) and is what a batch create holds.
   */
  readonly bulkLabels: BulkLabelSupport = { formats: ['a6'], maxParcels: 100 };

  labels(parcelIds: readonly number[], format: LabelFormat): Promise<Uint8Array> {
    if (format !== 'a6') throw new RangeError('API v2 merges A6 PDFs only; fetch ZPL per parcel');
    if (parcelIds.length < 1 || parcelIds.length > this.bulkLabels.maxParcels)
      throw new RangeError(
        `between 1 and ${this.bulkLabels.maxParcels} parcel ids are needed, got ${parcelIds.length}`,
      );
    return this.#client.labels.labelPrinterPdf(parcelIds);
  }

  a4Label(parcelId: number, position: 0 | 1 | 2 | 3): Promise<Uint8Array> {
    return this.#client.labels.normalPrinterPdf(parcelId, position);
  }

  /**
   * The commercial invoice: every recorded v2 parcel leaving the EU has one, courier (A4) and postal (A6)
   * alike, and it is what customs read at the border; the CP71 beside it is the post's dispatch note, kept
   * by the carrier. SendCloud makes a CN23 instead for some postal shipments (by method and value, S-v2docs),
   * so a parcel without an invoice is asked for that before it counts as having none.
   */
  async customsDocument(parcelId: number): Promise<Uint8Array | undefined> {
    for (const type of CUSTOMS_DOCUMENTS) {
      try {
        return await this.#client.labels.document(parcelId, { type });
      } catch (error) {
        if (!(error instanceof SendcloudHttpError && error.status === 404)) throw error;
      }
    }
    return undefined;
  }

  async senderAddress(): Promise<Address | undefined> {
    const shop = (await this.#client.catalog.senderAddresses())[0];
    return shop
      ? {
          name: shop.contact_name || shop.company_name || 'Returns department',
          company: shop.company_name || null,
          street: shop.street,
          houseNumber: shop.house_number || null,
          postalCode: shop.postal_code,
          city: shop.city,
          country: shop.country,
          email: shop.email || null,
          phone: shop.telephone || null,
        }
      : undefined;
  }

  async servicePointCarrier(servicePointId: number): Promise<string | undefined> {
    try {
      return (await this.#client.servicePoints.get(servicePointId)).carrier;
    } catch (error) {
      if (error instanceof SendcloudHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  async *updatedSince(since: Date): AsyncGenerator<StatusUpdate[], void, undefined> {
    for await (const page of this.#client.parcels.list({ updatedAfter: since })) {
      yield page.map((parcel) => ({
        parcelId: parcel.id,
        externalReference: parcel.external_reference ?? null,
        status: v2Status(parcel.status.id, parcel.status.message),
        updatedAt: parseSendcloudDate(parcel.date_updated ?? parcel.date_created).toISOString(),
      }));
    }
  }

  returnPortalUrl(parcelId: number): Promise<string | null> {
    return this.#client.parcels.returnPortalUrl(parcelId);
  }

  async returnsPage(cursor?: string) {
    const page = await this.#client.returns.page(cursor);
    return { returns: page.returns.map(sendcloudReturnFromV2), next: page.next ?? null };
  }

  async getReturn(id: number): Promise<SendcloudReturn> {
    return sendcloudReturnFromV2(await this.#client.returns.get(id));
  }

  #outcome(parcels: readonly Parcel[], reconciled: boolean): AnnounceOutcome {
    const shipment = shipmentFromV2(parcels);
    return shipment.state === 'refused'
      ? { outcome: 'carrier_refused', reason: shipment.refusal ?? 'refused by the carrier', shipment }
      : { outcome: 'announced', shipment, reconciled };
  }

  /**
   * A batch create's refusal of one parcel: SendCloud's data check, unless the method it names is gone from
   * the account — then, like a carrier's refusal, another method may carry it.
   */
  #rejected(
    errors: Readonly<Record<string, unknown>>,
    method: MethodRef | number | undefined,
  ): AnnounceOutcome {
    if (method !== undefined && namesMissingMethod(errors)) return this.#methodGone(String(method));
    return { outcome: 'rejected', reason: rejectionOf(errors) };
  }

  /** The method left the account after routing chose it: nothing was created; the next routing reads SendCloud. */
  #methodGone(method: MethodRef): AnnounceOutcome {
    this.forgetCatalog();
    this.#onMethodGone?.();
    return { outcome: 'carrier_refused', reason: methodGoneReason(method), methodGone: true };
  }

  /** A 400 is SendCloud's answer about this parcel: the carrier's refusal, or the data's. Anything else throws. */
  async #refusal(error: unknown, draft: ShipmentDraft): Promise<AnnounceOutcome> {
    if (!(error instanceof SendcloudHttpError) || error.status !== 400) throw error;
    const { externalReference } = draft;
    const reason = error.sendcloudMessage ?? 'SendCloud refused the parcel';
    if (messageNamesMissingMethod(reason)) return this.#methodGone(draft.method);
    if (!error.carrierError) return { outcome: 'rejected', reason };
    // The carrier refused: SendCloud keeps the parcel (status 1002); the next method goes onto it.
    const shipment = await this.find(externalReference);
    return { outcome: 'carrier_refused', reason, ...(shipment ? { shipment } : {}) };
  }
}

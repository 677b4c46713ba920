import { accountMethod, accountMethods } from './accountCatalogue';
import { brandJson, panelIsoDate } from './accountResources';
import { type DuplicateReferenceMode, type SimAccount, type SimAccountInput, simAccount } from './accounts';
import { inBulkPageOrder } from './bulkPageOrder';
import { METHODS, methodById, methodJson } from './catalogue';
import { countryByIso } from './countries';
import {
  customsDeclarationLinks,
  hasCustomsDocument,
  isCustomsDocumentType,
  renderV2CustomsDocument,
} from './customs';
import { renderLabelPrinterPdf, renderNormalPrinterPdf, renderPng, renderZpl } from './labels';
import {
  announceColli,
  asColli,
  coerceParcelInput,
  colliOf,
  createParcel,
  type FieldErrors,
  failAnnouncement,
  isAnnounced,
  labelData,
  multicolloRefusal,
  parcelJson,
  requestsLabel,
  type SimParcel,
  validateParcel,
} from './parcels';
import { searchServicePoints, servicePointById, servicePointCarriers } from './servicePoints';
import {
  ANNOUNCEMENT_FAILED,
  BEING_ANNOUNCED,
  CANCELLATION_REQUESTED,
  CANCELLED,
  isFinal,
  NO_LABEL,
  READY_TO_SEND,
  STATUSES,
  status,
  TIMELINES,
} from './statuses';
import { webhookParcelJson } from './webhookParcel';
import { WebhookDispatcher } from './webhooks';

export interface SimResponse {
  readonly status: number;
  readonly json?: unknown;
  readonly body?: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SimulatorOptions {
  readonly accounts: readonly SimAccountInput[];
  /** Public base of the panel API as clients see it, e.g. `http://127.0.0.1:4010/api/v2` (for links). */
  readonly baseUrl: string;
  /** Multiplies SendCloud's webhook retry delays (1 = real time). Default 0.001. */
  readonly webhookTimeScale?: number;
  readonly clock?: () => Date;
  /** For accounts that do not set their own; default `reject`. */
  readonly duplicateExternalReference?: DuplicateReferenceMode;
}

const PAGE_SIZE = 100;
/** The recorded returns carry the slug beside the status id in both of their status fields. */
const globalStatusSlug = (message: string) => message.toLowerCase().replace(/[^a-z]+/g, '-');
const NOT_FOUND = 'No Parcel matches the given query.';
/**
 * `incoming_parcel_data.parcel_status` is the carrier-level status, not the v2 id beside it in
 * `incoming_parcel_status` (OCA returns.json: 4879 for "Announced" 1, 2569 for "Announced: not collected" 13,
 * 2000 for "Cancelled"). Ids not recorded get one outside the v2 list, so a client cannot mistake them.
 */
const RECORDED_CARRIER_STATUSES: Readonly<Record<number, number>> = { 1: 4879, 13: 2569, 2000: 2000 };
const carrierStatusId = (id: number): number => RECORDED_CARRIER_STATUSES[id] ?? id + 3000;
const errorBody = (code: number, request: string, message: string): SimResponse => ({
  status: code,
  json: { error: { code, request, message } },
});
const flatten = (errors: FieldErrors) =>
  Object.entries(errors)
    .map(([field, messages]) => `${field}: "${messages.join(' ')}"`)
    .join(', ');

/** The state and behaviour of SendCloud v2 for several accounts, independent of HTTP. */
export class Simulator {
  readonly accounts = new Map<string, SimAccount>();
  readonly parcels = new Map<number, SimParcel>();
  readonly returns: Array<{ id: number; parcelId: number; accountId: string; createdAt: Date }> = [];
  readonly webhooks: WebhookDispatcher;
  /**
   * Creations per account and external reference, deleted ones included: what tests count. One create of a
   * multicollo shipment counts once here and once per collo in `colliByReference`.
   */
  readonly createdByReference = new Map<string, number>();
  readonly colliByReference = new Map<string, number>();
  /** `POST /parcels` calls that carried a `parcels` array (SendCloud's batch create). */
  batchCreates = 0;
  baseUrl: string;
  /**
   * Set by the v3 mode: settles an `ANNOUNCING` parcel whose carrier answer it holds (an Orders API label
   * request, refusal included); true when it did. Other `ANNOUNCING` parcels become "Ready to send".
   */
  settleAnnouncing: ((parcel: SimParcel) => boolean) | undefined;
  #nextParcelId = 400_000_001;
  #nextReturnId = 2_100_001;
  readonly #clock: () => Date;

  constructor(options: SimulatorOptions) {
    const defaults =
      options.duplicateExternalReference === undefined
        ? {}
        : { duplicateExternalReference: options.duplicateExternalReference };
    for (const [position, input] of options.accounts.entries())
      this.accounts.set(input.id, simAccount(input, { ...defaults, position }));
    this.baseUrl = options.baseUrl;
    this.#clock = options.clock ?? (() => new Date());
    this.webhooks = new WebhookDispatcher({ timeScale: options.webhookTimeScale ?? 0.001, timeoutMs: 5_000 });
  }

  accountByKey(publicKey: string, secretKey: string): SimAccount | undefined {
    return [...this.accounts.values()].find((a) => a.publicKey === publicKey && a.secretKey === secretKey);
  }

  // ---- parcels ------------------------------------------------------------------------------------

  /**
   * `POST /parcels`: one or many; all-or-nothing unless `errors=verbose*`. A reused external reference is
   * answered as the account's `duplicateExternalReference` mode says.
   */
  createParcels(
    account: SimAccount,
    body: unknown,
    errorsMode: string | null,
    carrierReject: string | null,
  ): SimResponse {
    const input = (body ?? {}) as {
      parcel?: Record<string, unknown>;
      parcels?: Array<Record<string, unknown>>;
    };
    const single = input.parcel !== undefined;
    const submitted = single
      ? [input.parcel ?? {}]
      : Array.isArray(input.parcels)
        ? input.parcels
        : undefined;
    if (!submitted || submitted.length === 0)
      return errorBody(400, 'api/v2/parcels', 'parcel: "This field is required."');
    if (!single) this.batchCreates++;
    const drafts = submitted.map(coerceParcelInput);
    // `errors=verbose*` only changes batches: a single create fails with the plain 400 either way
    // (BloomAndWild create_parcel_request/invalid_request*.json, January 2024).
    const verbose = !single && (errorsMode === 'verbose' || errorsMode === 'verbose-carrier');
    const checked = drafts.map((draft, i) => ({
      draft,
      submitted: submitted[i] ?? draft,
      errors: this.#validate(account, draft, drafts, single),
    }));
    const invalid = checked.filter((c) => Object.keys(c.errors).length > 0);
    if (invalid.length > 0 && !verbose)
      return errorBody(400, 'api/v2/parcels', flatten(invalid[0]?.errors ?? {}));
    const answered = checked
      .filter((c) => Object.keys(c.errors).length === 0)
      .map((c) => this.#createOrFind(account, c.draft, carrierReject));
    // Every collo of a multicollo shipment is a parcel of the batch answer (S-v2parcels `quantity`).
    const created = answered.flatMap((a) => a.colli);
    // Only a refusal on this call is a 400; an existing parcel is answered as it is, whatever its status.
    const failedAtCarrier = answered
      .filter((a) => a.isNew)
      .flatMap((a) => a.colli)
      .filter((p) => p.status.id === ANNOUNCEMENT_FAILED);
    if (single && failedAtCarrier.length > 0) {
      return errorBody(
        400,
        'api/v2/parcels',
        `non_field_errors: "${failedAtCarrier[0]?.errors?.non_field_errors?.[0] ?? 'Service error'}"`,
      );
    }
    const render = (p: SimParcel) => ({
      ...parcelJson(p, this.baseUrl),
      ...(errorsMode === 'verbose-carrier' ? { errors: p.errors ?? {} } : {}),
    });
    if (single && created[0]) return { status: 200, json: { parcel: render(created[0]) } };
    return {
      status: 200,
      json: {
        parcels: created.map(render),
        ...(verbose
          ? { failed_parcels: invalid.map((c) => ({ parcel: c.submitted, errors: c.errors })) }
          : {}),
      },
    };
  }

  #validate(
    account: SimAccount,
    draft: Record<string, unknown>,
    batch: readonly Record<string, unknown>[],
    single: boolean,
  ): FieldErrors {
    const errors = validateParcel(draft, account, { requireMethod: false });
    // "When request_label is true, it is required to use the Create multiple parcels method, since multiple
    // parcels will be returned" (S-v2parcels `quantity`). What a single create does then is unrecorded: the
    // worst case for a client is a refusal, so the simulator refuses it and creates nothing.
    const announcing = requestsLabel(draft) || draft.request_label_async === true;
    if (single && colliOf(draft) > 1 && announcing && !errors.quantity)
      errors.quantity = [
        'With request_label true a quantity above 1 creates several parcels: send them in the batch form {"parcels": [...]}.',
      ];
    const ref = draft.external_reference;
    if (account.duplicateExternalReference === 'reject' && typeof ref === 'string' && ref !== '') {
      const taken = [...this.parcels.values()].some(
        (p) => p.accountId === account.id && p.externalReference === ref,
      );
      const twiceInBatch = batch.filter((d) => d.external_reference === ref).length > 1;
      if (taken || twiceInBatch)
        errors.external_reference = ['Parcel with this external reference already exists.'];
    }
    return errors;
  }

  /**
   * In `return-existing` mode the colli of the account's first shipment with the draft's reference; else the
   * colli of a new one (one parcel unless a multicollo shipment).
   */
  #createOrFind(
    account: SimAccount,
    draft: Record<string, unknown>,
    carrierReject: string | null,
  ): { colli: SimParcel[]; isNew: boolean } {
    const ref = draft.external_reference;
    if (account.duplicateExternalReference === 'return-existing' && typeof ref === 'string' && ref !== '') {
      const existing = [...this.parcels.values()]
        .filter((p) => p.accountId === account.id && p.externalReference === ref)
        .sort((a, b) => a.id - b.id)[0];
      if (existing) return { colli: this.colliOf(existing), isNew: false };
    }
    return { colli: this.#create(account, draft, carrierReject), isNew: true };
  }

  /**
   * One create: `quantity` colli when a label is requested from a product that takes several (consecutive
   * ids, shared `colli_uuid` and shipment), else one parcel — before announcement the quantity is only a number
   * "in the incoming order overview" (S-v2parcels). A single-collo product refuses more at the carrier.
   */
  #create(account: SimAccount, draft: Record<string, unknown>, carrierReject: string | null): SimParcel[] {
    const now = this.#clock();
    const wantsLabel = requestsLabel(draft);
    const announcing = wantsLabel || draft.request_label_async === true;
    const quantity = colliOf(draft);
    const method = methodById(Number((draft.shipment as { id?: unknown } | undefined)?.id));
    const refusal = carrierReject
      ? `Service error: ${carrierReject}`
      : announcing && quantity > 1 && method && !method.multicollo
        ? multicolloRefusal(method, quantity)
        : null;
    const count = announcing && !refusal ? quantity : 1;
    const colli = asColli(
      Array.from({ length: count }, () => createParcel(draft, account, this.#nextParcelId++, now)),
    );
    for (const collo of colli) this.parcels.set(collo.id, collo);
    this.countCreated(account.id, colli[0]?.externalReference ?? '', colli.length);
    if (announcing) {
      if (refusal) for (const collo of colli) failAnnouncement(collo, now, refusal);
      else announceColli(colli, now, { async: draft.request_label_async === true && !wantsLabel });
    }
    const [first] = colli;
    if (draft.is_return === true && first && isAnnounced(first)) this.recordReturn(account, first);
    return colli;
  }

  /** The colli of the shipment a parcel belongs to, by `collo_nr` (just the parcel when it is single). */
  colliOf(parcel: SimParcel): SimParcel[] {
    if (parcel.colloCount <= 1) return [parcel];
    return [...this.parcels.values()]
      .filter((p) => p.accountId === parcel.accountId && p.colliUuid === parcel.colliUuid)
      .sort((a, b) => a.colloNr - b.colloNr);
  }

  /** Records a return for an announced return parcel and tells the account's webhook (`return_created`). */
  recordReturn(account: SimAccount, parcel: SimParcel): Simulator['returns'][number] {
    const entry = {
      id: this.#nextReturnId++,
      parcelId: parcel.id,
      accountId: account.id,
      createdAt: this.#clock(),
    };
    this.returns.push(entry);
    this.webhooks.send(account, {
      action: 'return_created',
      timestamp: Date.now(),
      data: {
        id: entry.id,
        brand_id: null,
        order_number: String(parcel.fields.order_number ?? ''),
        return_reason_id: null,
        paid_return: false,
        delivery_choice: 'drop_off_point',
        refund_type: 'money',
        items: [],
      },
    });
    return entry;
  }

  /** `PUT /parcels`: change an unannounced parcel, optionally announcing it. */
  updateParcel(account: SimAccount, body: unknown, carrierReject: string | null): SimResponse {
    const input = coerceParcelInput(((body ?? {}) as { parcel?: Record<string, unknown> }).parcel ?? {});
    const parcel = typeof input.id === 'number' ? this.#own(account, input.id) : undefined;
    if (!parcel) return errorBody(404, 'api/v2/parcels', NOT_FOUND);
    if (isAnnounced(parcel))
      return errorBody(400, 'api/v2/parcels', 'non_field_errors: "An announced parcel can not be updated."');
    const merged = {
      ...parcel.fields,
      ...input,
      shipment: input.shipment ?? (parcel.methodId ? { id: parcel.methodId } : undefined),
    };
    const errors = validateParcel(merged, account, { requireMethod: false });
    // "when updating a parcel with a quantity higher than 1 …, setting request_label=true is not allowed,
    // since multiple parcels will be returned" (S-v2parcels PUT /parcels).
    if (
      (requestsLabel(input) || input.request_label_async === true) &&
      colliOf(merged) > 1 &&
      !errors.quantity
    )
      errors.request_label = [
        'Setting request_label to true is not allowed for a parcel with a quantity higher than 1, since multiple parcels would be returned.',
      ];
    if (Object.keys(errors).length > 0) return errorBody(400, 'api/v2/parcels', flatten(errors));
    const now = this.#clock();
    const updated = createParcel(merged, account, parcel.id, parcel.dateCreated);
    Object.assign(parcel, {
      fields: updated.fields,
      weightKg: updated.weightKg,
      methodId: updated.methodId,
      dateUpdated: now,
      errors: null,
    });
    if (parcel.status.id === ANNOUNCEMENT_FAILED) parcel.status = status(NO_LABEL);
    if (requestsLabel(input)) {
      if (carrierReject) failAnnouncement(parcel, now, `Service error: ${carrierReject}`);
      else announceColli([parcel], now);
      if (parcel.status.id === ANNOUNCEMENT_FAILED) {
        return errorBody(
          400,
          'api/v2/parcels',
          `non_field_errors: "${parcel.errors?.non_field_errors?.[0] ?? ''}"`,
        );
      }
    }
    return { status: 200, json: { parcel: parcelJson(parcel, this.baseUrl) } };
  }

  getParcel(account: SimAccount, id: number): SimResponse {
    const parcel = this.#own(account, id);
    return parcel
      ? { status: 200, json: { parcel: parcelJson(parcel, this.baseUrl) } }
      : errorBody(404, `api/v2/parcels/${id}`, NOT_FOUND);
  }

  /** `GET /parcels`: filters, 100 per page, id descending, base64 cursors as full URLs. */
  listParcels(account: SimAccount, query: URLSearchParams): SimResponse {
    const filters: Array<(p: SimParcel) => boolean> = [(p) => p.accountId === account.id];
    const ids = query.get('ids');
    if (ids) {
      const wanted = new Set(ids.split(',').map(Number));
      if (wanted.size > 100)
        return errorBody(400, 'api/v2/parcels', 'ids: "Ensure this field has no more than 100 elements."');
      filters.push((p) => wanted.has(p.id));
    }
    const equals = (param: string, pick: (p: SimParcel) => unknown) => {
      const value = query.get(param);
      if (value !== null) filters.push((p) => String(pick(p) ?? '') === value);
    };
    equals('external_reference', (p) => p.externalReference);
    equals('order_number', (p) => p.fields.order_number);
    equals('tracking_number', (p) => p.trackingNumber);
    equals('parcel_status', (p) => p.status.id);
    for (const [param, pick] of [
      ['updated_after', (p: SimParcel) => p.dateUpdated],
      ['announced_after', (p: SimParcel) => p.dateAnnounced],
    ] as const) {
      const value = query.get(param);
      if (value === null) continue;
      const after = Date.parse(value);
      if (Number.isNaN(after))
        return errorBody(400, 'api/v2/parcels', `${param}: "Enter a valid date/time."`);
      filters.push((p) => (pick(p)?.getTime() ?? 0) > after);
    }
    const all = [...this.parcels.values()]
      .filter((p) => filters.every((f) => f(p)))
      .sort((a, b) => b.id - a.id);
    const cursor = decodeCursor(query.get('cursor'));
    let page: SimParcel[];
    if (cursor?.reverse) {
      page = all.filter((p) => p.id > cursor.position).slice(-PAGE_SIZE);
    } else {
      page = all.filter((p) => cursor === undefined || p.id < cursor.position).slice(0, PAGE_SIZE);
    }
    const first = page[0];
    const last = page.at(-1);
    const link = (c: string) => {
      const params = new URLSearchParams(query);
      params.delete('cursor');
      return `${this.baseUrl}/parcels?${new URLSearchParams([['cursor', c], ...params]).toString()}`;
    };
    const hasNext = last !== undefined && all.some((p) => p.id < last.id);
    const hasPrevious = first !== undefined && all.some((p) => p.id > first.id);
    return {
      status: 200,
      json: {
        next: hasNext && last ? link(encodeCursor(`p=${last.id}`)) : null,
        previous: hasPrevious && first ? link(encodeCursor(`r=1&p=${first.id}`)) : null,
        parcels: page.map((p) => parcelJson(p, this.baseUrl)),
      },
    };
  }

  /** `POST /parcels/{id}/cancel`: the documented outcome matrix (REFERENCE.md §2.7). */
  cancelParcel(account: SimAccount, id: number): SimResponse {
    const parcel = this.#own(account, id);
    if (!parcel) return errorBody(404, `api/v2/parcels/${id}/cancel`, NOT_FOUND);
    const code = parcel.status.id;
    if (code === NO_LABEL || code === ANNOUNCEMENT_FAILED) {
      this.parcels.delete(id);
      return { status: 410, json: { status: 'deleted', message: 'Parcel has been deleted' } };
    }
    if ([CANCELLED, CANCELLATION_REQUESTED, 2001, 1998].includes(code)) {
      return {
        status: 400,
        json: { status: 'failed', message: 'This shipment is already being cancelled.' },
      };
    }
    const tooOld = this.#clock().getTime() - parcel.dateCreated.getTime() > 42 * 86_400_000;
    if (tooOld || ![READY_TO_SEND, BEING_ANNOUNCED, 1].includes(code)) {
      return {
        status: 400,
        json: {
          status: 'failed',
          message: 'Shipped parcels, or parcels being shipped, can no longer be cancelled.',
        },
      };
    }
    if (code === READY_TO_SEND) {
      this.setStatus(parcel, CANCELLATION_REQUESTED);
      return { status: 202, json: { status: 'queued', message: 'Parcel cancellation has been queued' } };
    }
    this.setStatus(parcel, CANCELLED);
    return { status: 200, json: { status: 'cancelled', message: 'Parcel has been cancelled' } };
  }

  returnPortalUrl(account: SimAccount, id: number): SimResponse {
    const parcel = this.#own(account, id);
    if (!parcel) return errorBody(404, `api/v2/parcels/${id}/return_portal_url`, NOT_FOUND);
    if (!account.brandDomain) return { status: 404, json: { url: null } };
    const postal = encodeURIComponent(String(parcel.fields.postal_code).replace(/\s+/g, '').toLowerCase());
    return {
      status: 200,
      json: {
        url: `https://${account.brandDomain}.shipping-portal.com/rp/?postal_code=${postal}&identifier=${parcel.trackingNumber.toLowerCase()}`,
      },
    };
  }

  // ---- status changes -----------------------------------------------------------------------------

  /** Applies a status and tells the account's webhook, as a carrier scan would. */
  setStatus(parcel: SimParcel, statusId: number): void {
    const now = this.#clock();
    parcel.status = status(statusId);
    parcel.dateUpdated = now;
    if (statusId === READY_TO_SEND && !parcel.dateAnnounced) parcel.dateAnnounced = now;
    parcel.carrierChangedAt = now.getTime();
    const account = this.accounts.get(parcel.accountId);
    if (account) {
      this.webhooks.send(account, {
        action: 'parcel_status_changed',
        timestamp: Date.now(),
        parcel: webhookParcelJson(parcel, { baseUrl: this.baseUrl, account }),
        carrier_status_change_timestamp: parcel.carrierChangedAt,
      });
    }
  }

  /** Moves a parcel one step along its carrier timeline; returns false when there is nothing further. */
  advance(parcel: SimParcel): boolean {
    const code = parcel.status.id;
    if (code === BEING_ANNOUNCED) {
      if (!this.settleAnnouncing?.(parcel)) this.setStatus(parcel, READY_TO_SEND);
      return true;
    }
    if (code === CANCELLATION_REQUESTED) {
      this.setStatus(parcel, CANCELLED);
      return true;
    }
    if (!isAnnounced(parcel) || isFinal(code)) return false;
    const timeline: readonly number[] =
      parcel.fields.is_return === true
        ? TIMELINES.return
        : typeof parcel.fields.to_service_point === 'number'
          ? TIMELINES.servicePoint
          : TIMELINES.home;
    const next = code === READY_TO_SEND ? timeline[0] : timeline[timeline.indexOf(code) + 1];
    if (next === undefined) return false;
    this.setStatus(parcel, next);
    return true;
  }

  /** One tick of the carrier timeline for every parcel still moving. */
  tick(): number {
    let moved = 0;
    for (const parcel of this.parcels.values()) if (this.advance(parcel)) moved++;
    return moved;
  }

  // ---- labels and documents -----------------------------------------------------------------------

  #labelsFor(account: SimAccount, ids: readonly number[], request: string): SimParcel[] | SimResponse {
    // Parcels without a label (or not this account's) are left out; only when none is left is it a 404
    // (printer_label_request/invalid_request.json for the one-id form).
    const labelled = ids
      .map((id) => this.#own(account, id))
      .filter((p): p is SimParcel => p !== undefined && isAnnounced(p));
    return labelled.length > 0 ? labelled : errorBody(404, request, NOT_FOUND);
  }

  labelLinks(account: SimAccount, id: number): SimResponse {
    const parcel = this.#own(account, id);
    if (!parcel || !isAnnounced(parcel)) return errorBody(404, `api/v2/labels/${id}`, NOT_FOUND);
    const json = parcelJson(parcel, this.baseUrl);
    return { status: 200, json: { label: json.label, customs_declaration: json.customs_declaration } };
  }

  bulkLabelLinks(account: SimAccount, body: unknown): SimResponse {
    const ids = ((body ?? {}) as { label?: { parcels?: unknown } }).label?.parcels;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id))) {
      return { status: 400, json: { message: 'label.parcels must be a list of parcel ids.' } };
    }
    const found = this.#labelsFor(account, ids as number[], 'api/v2/labels');
    if (!Array.isArray(found)) return found;
    const list = ids.join(',');
    return {
      status: 200,
      json: {
        label: {
          normal_printer: [0, 1, 2, 3].map(
            (n) => `${this.baseUrl}/labels/normal_printer?ids=${list}&start_from=${n}`,
          ),
          label_printer: `${this.baseUrl}/labels/label_printer?ids=${list}`,
        },
      },
    };
  }

  async labelPdf(
    account: SimAccount,
    ids: readonly number[],
    printer: 'label' | 'normal',
    startFrom: number,
    request: string,
  ): Promise<SimResponse> {
    if (printer === 'normal' && !(Number.isInteger(startFrom) && startFrom >= 0 && startFrom <= 3)) {
      return { status: 400, json: { message: 'start_from must be 0, 1, 2 or 3.' } };
    }
    const found = this.#labelsFor(account, ids, request);
    if (!Array.isArray(found)) return found;
    const labels = inBulkPageOrder(found, account.bulkPageOrder).map((p) => labelData(p, account));
    const pdf =
      printer === 'label'
        ? await renderLabelPrinterPdf(labels, { geometry: 'recorded' })
        : await renderNormalPrinterPdf(labels, startFrom);
    return { status: 200, body: pdf, headers: { 'content-type': 'application/pdf' } };
  }

  async document(account: SimAccount, id: number, type: string, accept: string): Promise<SimResponse> {
    const request = `api/v2/parcels/${id}/documents/${type}`;
    const known = ['air-waybill', 'cn23', 'cn23-default', 'commercial-invoice', 'cp71', 'label', 'qr'];
    if (!known.includes(type)) return errorBody(404, request, 'Not found.');
    const parcel = this.#own(account, id);
    if (!parcel || !isAnnounced(parcel)) return errorBody(404, request, NOT_FOUND);
    const label = labelData(parcel, account);
    if (isCustomsDocumentType(type)) {
      // An EU parcel has none: the recorded 404 body names the parcel query (REFERENCE §3.2).
      if (!hasCustomsDocument(parcel, label.carrier, type)) return errorBody(404, request, NOT_FOUND);
      return {
        status: 200,
        body: await renderV2CustomsDocument(parcel, label.carrier, type, label),
        headers: { 'content-type': 'application/pdf' },
      };
    }
    if (type !== 'label') return errorBody(404, request, NOT_FOUND);
    if (accept.includes('application/zpl'))
      return { status: 200, body: renderZpl([label]), headers: { 'content-type': 'application/zpl' } };
    if (accept.includes('image/png'))
      return { status: 200, body: await renderPng(label), headers: { 'content-type': 'image/png' } };
    return {
      status: 200,
      body: await renderLabelPrinterPdf([label], { geometry: 'recorded' }),
      headers: { 'content-type': 'application/pdf' },
    };
  }

  /**
   * `GET /customs_declaration/normal_printer/{id}`, the link a courier's non-EU parcel carries: the commercial
   * invoice on A4, with the `Deprecation` and `Sunset` headers the labels document gives (its examples' values).
   */
  async customsDeclarationPdf(account: SimAccount, id: number): Promise<SimResponse> {
    const request = `api/v2/customs_declaration/normal_printer/${id}`;
    const parcel = this.#own(account, id);
    if (!parcel || !isAnnounced(parcel)) return errorBody(404, request, NOT_FOUND);
    const label = labelData(parcel, account);
    if (!customsDeclarationLinks(parcel, label.carrier, this.baseUrl).normal_printer)
      return errorBody(404, request, NOT_FOUND);
    return {
      status: 200,
      body: await renderV2CustomsDocument(parcel, label.carrier, 'commercial-invoice', label),
      headers: {
        'content-type': 'application/pdf',
        deprecation: 'Mon, 8 Jan 2024 00:00:00 GMT',
        sunset: 'Monday, 8 Jul 2024 00:00:00 GMT',
      },
    };
  }

  // ---- catalogue ----------------------------------------------------------------------------------

  shippingMethods(account: SimAccount, query: URLSearchParams): SimResponse {
    const isReturn = query.get('is_return') === 'true';
    const toCountry = query.get('to_country')?.toUpperCase();
    const servicePointId = query.get('service_point_id');
    const point = servicePointId ? servicePointById(Number(servicePointId)) : undefined;
    if (servicePointId && !point)
      return errorBody(400, 'api/v2/shipping_methods', 'service_point_id: "Service point does not exist."');
    const fromCountry = this.#senderCountry(account, query.get('sender_address'));
    const methods = accountMethods(account)
      .filter((m) => m.isReturn === isReturn)
      .filter((m) => !toCountry || m.prices[toCountry] !== undefined)
      .filter(
        (m) =>
          !point || (m.servicePoint && m.carrier === point.carrier && m.prices[point.country] !== undefined),
      );
    return {
      status: 200,
      json: { shipping_methods: methods.map((m) => methodJson(m, fromCountry ? { fromCountry } : {})) },
    };
  }

  shippingMethod(account: SimAccount, id: number, query: URLSearchParams): SimResponse {
    const method = accountMethod(account, id);
    if (!method)
      return {
        status: 404,
        json: { error: { request: `api/v2/shipping_methods/${id}`, code: 404, message: 'Not found.' } },
      };
    const fromCountry = this.#senderCountry(account, query.get('sender_address'));
    return { status: 200, json: { shipping_method: methodJson(method, fromCountry ? { fromCountry } : {}) } };
  }

  #senderCountry(account: SimAccount, senderAddress: string | null) {
    if (senderAddress !== 'all') return undefined;
    return countryByIso(account.senderAddresses[0]?.country ?? 'NL');
  }

  shippingPrice(query: URLSearchParams): SimResponse {
    const method = methodById(Number(query.get('shipping_method_id')));
    const from = query.get('from_country');
    if (!method || !from)
      return errorBody(400, 'api/v2/shipping-price', 'shipping_method_id and from_country are required.');
    const to = query.get('to_country')?.toUpperCase();
    const weight = Number(query.get('weight') ?? 0) * (query.get('weight_unit') === 'kilogram' ? 1000 : 1);
    const countries = to ? [to] : Object.keys(method.prices);
    return {
      status: 200,
      json: countries.map((iso) => {
        const price = method.prices[iso]?.[0];
        const fits = weight === 0 || (weight >= method.minGrams && weight <= method.maxGrams);
        return price === undefined || !fits
          ? { price: null, currency: null, to_country: iso, breakdown: [] }
          : {
              price: price.toFixed(2),
              currency: 'EUR',
              to_country: iso,
              breakdown: [{ type: 'price_without_insurance', label: 'Label', value: price }],
            };
      }),
    };
  }

  senderAddresses(account: SimAccount): SimResponse {
    return { status: 200, json: { sender_addresses: account.senderAddresses } };
  }

  senderAddress(account: SimAccount, id: number): SimResponse {
    const found = account.senderAddresses.find((a) => a.id === id);
    return found
      ? { status: 200, json: { sender_address: found } }
      : errorBody(404, `api/v2/user/addresses/sender/${id}`, 'Not found.');
  }

  statuses(): SimResponse {
    return { status: 200, json: STATUSES };
  }

  // ---- service points -----------------------------------------------------------------------------

  searchServicePoints(query: URLSearchParams): SimResponse {
    const country = query.get('country');
    if (!country) return errorBody(400, 'api/v2/service-points/', 'country: "This field is required."');
    const number = (name: string) => (query.get(name) === null ? undefined : Number(query.get(name)));
    const radius = number('radius');
    if (radius !== undefined && (radius < 100 || radius > 50_000))
      return errorBody(
        400,
        'api/v2/service-points/',
        'radius: "Ensure this value is between 100 and 50000."',
      );
    const list = (name: string) => query.get(name)?.split(',').filter(Boolean);
    const carriers = list('carrier');
    const known = servicePointCarriers();
    const unknown = carriers?.find((c) => !known.includes(c));
    if (unknown)
      return errorBody(
        400,
        'api/v2/service-points/',
        `carrier: "${unknown}" is not enabled for this integration.`,
      );
    const found = searchServicePoints({
      country: country.toUpperCase(),
      ...(carriers ? { carriers } : {}),
      ...(query.get('postal_code') ? { postalCode: query.get('postal_code') ?? '' } : {}),
      ...(query.get('address') ? { address: query.get('address') ?? '' } : {}),
      ...(query.get('city') ? { city: query.get('city') ?? '' } : {}),
      ...(number('latitude') !== undefined ? { latitude: number('latitude') } : {}),
      ...(number('longitude') !== undefined ? { longitude: number('longitude') } : {}),
      ...(radius !== undefined ? { radius } : {}),
      ...(list('general_shop_type') ? { generalShopTypes: list('general_shop_type') } : {}),
    } as Parameters<typeof searchServicePoints>[0]);
    return { status: 200, json: found };
  }

  servicePoint(id: number): SimResponse {
    const point = servicePointById(id);
    return point ? { status: 200, json: point } : errorBody(404, `api/v2/service-points/${id}`, 'Not found.');
  }

  servicePointCarriers(): SimResponse {
    return { status: 200, json: servicePointCarriers() };
  }

  // ---- returns and checkout -----------------------------------------------------------------------

  listReturns(account: SimAccount, query: URLSearchParams): SimResponse {
    const all = this.returns.filter((r) => r.accountId === account.id).sort((a, b) => b.id - a.id);
    const cursor = decodeCursor(query.get('cursor'));
    const page = all.filter((r) => cursor === undefined || r.id < cursor.position).slice(0, PAGE_SIZE);
    const last = page.at(-1);
    const more = last !== undefined && all.some((r) => r.id < last.id);
    return {
      status: 200,
      json: {
        next:
          more && last
            ? `${this.baseUrl}/returns?cursor=${encodeURIComponent(encodeCursor(`p=${last.id}`))}`
            : null,
        previous: null,
        returns: page.map((r) => this.#returnJson(r)),
      },
    };
  }

  getReturn(account: SimAccount, id: number): SimResponse {
    const found = this.returns.find((r) => r.id === id && r.accountId === account.id);
    return found
      ? { status: 200, json: this.#returnJson(found) }
      : errorBody(404, `api/v2/returns/${id}`, 'Not found.');
  }

  #returnJson(entry: { id: number; parcelId: number; createdAt: Date }) {
    const parcel = this.parcels.get(entry.parcelId);
    const account = parcel ? this.accounts.get(parcel.accountId) : undefined;
    const method = parcel?.methodId ? methodById(parcel.methodId) : undefined;
    const delivered = parcel?.status.id === 11;
    const deliveredAt = delivered && parcel ? parcel.dateUpdated : null;
    return {
      id: entry.id,
      // Amsterdam time with microseconds, as the panel writes it (OCA returns.json).
      created_at: panelIsoDate(entry.createdAt),
      reason: null,
      outgoing_parcel: null,
      incoming_parcel: entry.parcelId,
      message: '',
      // Recorded refunds: `total_refund` a decimal string, `refunded_at` unix ms or null (OCA returns.json).
      refund:
        deliveredAt && parcel
          ? {
              total_refund: Number(parcel.fields.total_order_value ?? 0).toFixed(2),
              refunded_at: deliveredAt.getTime(),
              message: '',
              refund_type: { code: 'money', label: 'Money back', require_message: false },
            }
          : null,
      is_cancellable: parcel?.status.id === READY_TO_SEND,
      return_fee: 0,
      return_fee_currency: 'EUR',
      label_cost: method ? (method.prices[String(parcel?.fields.from_country ?? 'NL')]?.[0] ?? 0) : 0,
      label_currency: 'EUR',
      items_cost: 0,
      delivered_at: deliveredAt ? panelIsoDate(deliveredAt) : null,
      delivery_option: 'drop_off_point',
      store_location: null,
      payment_details: null,
      incoming_parcel_data: parcel
        ? {
            tracking_url: parcelJson(parcel, this.baseUrl).tracking_url ?? null,
            tracking_number: parcel.trackingNumber,
            parcel_status: carrierStatusId(parcel.status.id),
            global_status_slug: globalStatusSlug(parcel.status.message),
            brand_name: account ? brandJson(account).name : '',
            order_number: String(parcel.fields.order_number ?? ''),
            from_email: String(parcel.fields.from_email ?? ''),
            deleted: false,
            collo_count: parcel.colloCount,
            from_country: String(parcel.fields.from_country ?? ''),
            from_name: String(parcel.fields.from_name ?? ''),
            shipping_method: parcel.methodId,
            extra_data: {
              has_tracking_page: false,
              ...(isAnnounced(parcel) ? { measured_weight: Number(parcel.weightKg) } : {}),
            },
            rules: [],
          }
        : null,
      incoming_parcel_status: parcel
        ? { ...parcel.status, global_status_slug: globalStatusSlug(parcel.status.message) }
        : null,
    };
  }

  /** Dynamic Checkout: one option per eligible method for the destination and weight. */
  deliveryOptions(account: SimAccount, configurationId: string, query: URLSearchParams): SimResponse {
    if (!account.checkoutConfigurations.includes(configurationId))
      return errorBody(
        404,
        `api/v2/checkout/configurations/${configurationId}/delivery-options`,
        'Not found.',
      );
    const to = query.get('to_country_code')?.toUpperCase();
    const grams = Number(query.get('weight_value'));
    if (!to || !Number.isFinite(grams) || query.get('total_order_value') === null) {
      return errorBody(
        400,
        'api/v2/checkout/delivery-options',
        'to_country_code, weight_value and total_order_value are required.',
      );
    }
    const today = this.#clock();
    const date = (days: number) => new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
    const options = METHODS.filter(
      (m) =>
        !m.isReturn &&
        !account.removedMethods.has(m.id) &&
        m.carrier !== 'sendcloud' &&
        m.prices[to] !== undefined &&
        grams >= m.minGrams &&
        grams <= m.maxGrams,
    ).map((m) => {
      const [price, lead] = m.prices[to] ?? [0, 48];
      const type = m.servicePoint
        ? 'service_point_delivery'
        : /evening/i.test(m.name)
          ? 'nominated_day_delivery'
          : 'standard_delivery';
      return {
        id: m.id,
        title: m.name.replace(/ \d.*$/, ''),
        internal_title: m.name,
        description: null,
        delivery_method_type: type,
        cut_off_time: '16:00',
        checkout_identifier: { type: 'shipping_option_code', value: `${m.carrier}:${m.id}` },
        shipping_rate: { value: price.toFixed(2), currency: 'EUR' },
        carrier: { code: m.carrier, name: m.carrier.toUpperCase(), logo_url: null },
        delivery_dates: [{ parcel_handover_date: date(0), delivery_date: date(Math.ceil(lead / 24)) }],
        lead_time_hours: { p50: lead, p90: lead + 24 },
      };
    });
    return { status: 200, json: { configuration_id: configurationId, delivery_options: options } };
  }

  // ---- hooks for the v3 mode (local/simulator/v3), which keeps its parcels in this state ------------

  now(): Date {
    return this.#clock();
  }

  nextParcelId(): number {
    return this.#nextParcelId++;
  }

  /**
   * Counts one creation under an external reference and the parcels (colli) it made: what `/__sim/counts`
   * reports as `created` and `colli`.
   */
  countCreated(accountId: string, externalReference: string, colli = 1): void {
    const key = `${accountId}|${externalReference}`;
    this.createdByReference.set(key, (this.createdByReference.get(key) ?? 0) + 1);
    this.colliByReference.set(key, (this.colliByReference.get(key) ?? 0) + colli);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  #own(account: SimAccount, id: number): SimParcel | undefined {
    const parcel = this.parcels.get(id);
    return parcel && parcel.accountId === account.id ? parcel : undefined;
  }

  /** Parcels created with this external reference (deleted ones included). */
  createdCount(accountId: string, externalReference: string): number {
    return this.createdByReference.get(`${accountId}|${externalReference}`) ?? 0;
  }

  /** Parcels (colli) created with this external reference (deleted ones included). */
  colliCount(accountId: string, externalReference: string): number {
    return this.colliByReference.get(`${accountId}|${externalReference}`) ?? 0;
  }

  /** After loading saved state: new ids continue above the highest one seen. */
  restoreCounters(): void {
    this.#nextParcelId = Math.max(this.#nextParcelId, ...[...this.parcels.keys()].map((id) => id + 1));
    this.#nextReturnId = Math.max(this.#nextReturnId, ...this.returns.map((r) => r.id + 1));
  }

  reset(): void {
    this.parcels.clear();
    this.returns.length = 0;
    this.createdByReference.clear();
    this.colliByReference.clear();
    this.webhooks.deliveries.length = 0;
    for (const account of this.accounts.values()) account.removedMethods.clear();
  }
}

const encodeCursor = (text: string) => Buffer.from(text).toString('base64');

function decodeCursor(cursor: string | null): { position: number; reverse: boolean } | undefined {
  if (!cursor) return undefined;
  const params = new URLSearchParams(Buffer.from(cursor, 'base64').toString('utf8'));
  const position = Number(params.get('p'));
  return Number.isFinite(position) ? { position, reverse: params.get('r') === '1' } : undefined;
}

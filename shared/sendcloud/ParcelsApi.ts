import { ParcelDraft, toParcelCreation } from './draft';
import { endpoint, nextCursor } from './endpoints';
import {
  isSendcloudError,
  SendcloudContractError,
  SendcloudHttpError,
  SendcloudValidationError,
} from './errors';
import { backoffDelay } from './retry';
import { errorFromResponse, parseBody, type SendcloudHttp, tryParseJson } from './SendcloudHttp';
import {
  CancelBody,
  type FieldErrors,
  type Parcel,
  type ParcelCreation,
  ParcelEnvelope,
  ParcelList,
  ReturnPortalUrl,
  VerboseBatchResponse,
} from './schemas';
import { ErrorBody } from './schemas/common';

export interface ParcelFilter {
  readonly ids?: readonly number[];
  readonly orderNumber?: string;
  readonly externalReference?: string;
  readonly trackingNumber?: string;
  readonly status?: number;
  readonly updatedAfter?: Date;
  readonly announcedAfter?: Date;
}

export interface CreateParcelOptions {
  /**
   * Look the parcel up by external reference before sending. Set it whenever an earlier attempt may have
   * reached SendCloud (a redelivered message, a crashed worker): the create then costs nothing twice.
   */
  readonly lookupFirst?: boolean;
}

export interface CreatedParcel {
  readonly parcel: Parcel;
  /** True when the parcel was found by external reference instead of created by this call. */
  readonly reconciled: boolean;
}

export type BatchItemResult =
  | {
      readonly externalReference: string;
      readonly outcome: 'created';
      readonly parcels: readonly Parcel[];
      readonly reconciled: boolean;
    }
  | {
      readonly externalReference: string;
      readonly outcome: 'carrier_failed';
      readonly parcels: readonly Parcel[];
      readonly errors: FieldErrors;
    }
  | { readonly externalReference: string; readonly outcome: 'rejected'; readonly errors: FieldErrors };

export type CancelResult =
  | { readonly outcome: 'cancelled'; readonly message: string }
  | { readonly outcome: 'queued'; readonly message: string }
  | { readonly outcome: 'deleted'; readonly message: string }
  | { readonly outcome: 'rejected'; readonly message: string }
  | { readonly outcome: 'not_found'; readonly message: string };

const MAX_IDS_PER_LIST = 100;
/** SendCloud status "No label": created without announcing. */
const NO_LABEL = 999;
/** SendCloud status "Announcement failed": the carrier refused, the parcel stays. */
const ANNOUNCEMENT_FAILED = 1002;

export class ParcelsApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    http: SendcloudHttp,
    options: { readonly baseUrl: string; readonly sleep: (ms: number) => Promise<void> },
  ) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#sleep = options.sleep;
  }

  /**
   * Creates one parcel. Never sent twice blindly: after a timeout, network failure, 429 or 5xx the parcel is
   * looked up by its external reference, and only if SendCloud has none is the create sent again.
   */
  async create(draft: ParcelDraft, options: CreateParcelOptions = {}): Promise<CreatedParcel> {
    validateDrafts([draft]);
    if (options.lookupFirst) {
      const existing = await this.findByExternalReference(draft.externalReference);
      if (existing) return { parcel: existing, reconciled: true };
    }
    const body = { parcel: toParcelCreation(draft) };
    const { maxAttempts } = this.#http.retryPolicy;
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.#http.json(
          { method: 'POST', url: endpoint(this.#base, '/parcels'), json: body, retry: false },
          ParcelEnvelope,
        );
        return { parcel: created.parcel, reconciled: false };
      } catch (error) {
        if (
          error instanceof SendcloudHttpError &&
          error.status === 400 &&
          takenReference(error.sendcloudMessage)
        ) {
          // Another attempt created it first (a worker whose lease ran out, a lost answer): it is this draft's.
          const existing = await this.findByExternalReference(draft.externalReference);
          if (existing) return { parcel: existing, reconciled: true };
        }
        if (!isSendcloudError(error) || !error.retryable || attempt >= maxAttempts) throw error;
        const existing = await this.findByExternalReference(draft.externalReference);
        if (existing) return { parcel: existing, reconciled: true };
        await this.#sleep(backoffDelay(attempt, this.#http.retryPolicy));
      }
    }
  }

  /**
   * Creates many parcels in one call with `errors=verbose-carrier`: valid parcels are created even when
   * others are refused. Each draft gets a result by external reference. A failed call is reconciled per
   * parcel and only the ones SendCloud does not have are sent again.
   */
  async createBatch(drafts: readonly ParcelDraft[]): Promise<BatchItemResult[]> {
    validateDrafts(drafts);
    const refs = drafts.map((draft) => draft.externalReference);
    if (new Set(refs).size !== refs.length)
      throw new RangeError('external references in a batch must be unique');
    const results = new Map<string, BatchItemResult>();
    let pending = [...drafts];
    const { maxAttempts } = this.#http.retryPolicy;
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        const response = await this.#http.json(
          {
            method: 'POST',
            url: endpoint(this.#base, '/parcels', { errors: 'verbose-carrier' }),
            json: { parcels: pending.map(toParcelCreation) },
            retry: false,
          },
          VerboseBatchResponse,
        );
        for (const result of matchBatch(pending, response)) results.set(result.externalReference, result);
        pending = [];
        // A parcel refused because its reference is taken was created by an earlier attempt: it is this one's.
        for (const result of results.values()) {
          if (result.outcome !== 'rejected' || !takenReference(result.errors.external_reference)) continue;
          const found = await this.listAll({ externalReference: result.externalReference });
          if (found.length > 0)
            results.set(result.externalReference, reconciledResult(result.externalReference, found));
        }
      } catch (error) {
        if (!isSendcloudError(error) || !error.retryable || attempt >= maxAttempts) throw error;
        const stillMissing: ParcelDraft[] = [];
        for (const draft of pending) {
          const found = await this.listAll({ externalReference: draft.externalReference });
          if (found.length > 0) {
            results.set(draft.externalReference, reconciledResult(draft.externalReference, found));
          } else {
            stillMissing.push(draft);
          }
        }
        pending = stillMissing;
        if (pending.length > 0) await this.#sleep(backoffDelay(attempt, this.#http.retryPolicy));
      }
    }
    return refs.flatMap((ref) => {
      const result = results.get(ref);
      return result ? [result] : [];
    });
  }

  async get(id: number): Promise<Parcel> {
    const { parcel } = await this.#http.json(
      { method: 'GET', url: endpoint(this.#base, `/parcels/${id}`), retry: true },
      ParcelEnvelope,
    );
    return parcel;
  }

  /** Pages through `GET /parcels` to the end (100 per page, newest first). More than 100 ids are chunked. */
  async *list(filter: ParcelFilter = {}): AsyncGenerator<Parcel[], void, undefined> {
    const idChunks = chunk(filter.ids ?? [], MAX_IDS_PER_LIST);
    for (const ids of idChunks.length > 0 ? idChunks : [undefined]) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const url = endpoint(this.#base, '/parcels', {
          ids,
          order_number: filter.orderNumber,
          external_reference: filter.externalReference,
          tracking_number: filter.trackingNumber,
          parcel_status: filter.status,
          updated_after: filter.updatedAfter?.toISOString(),
          announced_after: filter.announcedAfter?.toISOString(),
          cursor,
        });
        const page = await this.#http.json({ method: 'GET', url, retry: true }, ParcelList);
        yield page.parcels;
        cursor = nextCursor(page.next, seen, url);
      } while (cursor);
    }
  }

  async listAll(filter: ParcelFilter = {}): Promise<Parcel[]> {
    const all: Parcel[] = [];
    for await (const page of this.list(filter)) all.push(...page);
    return all;
  }

  /** The parcel SendCloud holds for this external reference (the first collo of a multicollo one). */
  async findByExternalReference(externalReference: string): Promise<Parcel | undefined> {
    const found = await this.listAll({ externalReference });
    return found.find((parcel) => parcel.external_reference === externalReference) ?? found[0];
  }

  /**
   * `PUT /parcels`: change an unannounced parcel. SendCloud's contract wants the recipient's required fields
   * on every PUT, so they are taken from the parcel as it is (read first unless `current` is given).
   * Not retried: the caller decides after reading it back.
   */
  async update(
    id: number,
    changes: Partial<ParcelCreation>,
    options: { readonly current?: Parcel } = {},
  ): Promise<Parcel> {
    const current = options.current ?? (await this.get(id));
    const parcel = { ...requiredFieldsOf(current), ...changes, id };
    const updated = await this.#http.json(
      { method: 'PUT', url: endpoint(this.#base, '/parcels'), json: { parcel }, retry: false },
      ParcelEnvelope,
    );
    return updated.parcel;
  }

  /**
   * Announces a "No label" parcel later. The parcel is read first and after every retryable failure: once
   * it is no longer at 999 the request did arrive (or someone else announced it), and it is not sent again.
   */
  async requestLabel(
    id: number,
    options: { readonly shippingMethodId: number; readonly senderAddressId?: number },
  ): Promise<Parcel> {
    const changes: Partial<ParcelCreation> = {
      request_label: true,
      shipment: { id: options.shippingMethodId },
    };
    if (options.senderAddressId !== undefined) changes.sender_address = options.senderAddressId;
    const { maxAttempts } = this.#http.retryPolicy;
    let current = await this.get(id);
    for (let attempt = 1; ; attempt++) {
      if (current.status.id !== NO_LABEL) return current;
      try {
        return await this.update(id, changes, { current });
      } catch (error) {
        if (!isSendcloudError(error) || !error.retryable || attempt >= maxAttempts) throw error;
        current = await this.get(id);
        if (current.status.id === NO_LABEL) await this.#sleep(backoffDelay(attempt, this.#http.retryPolicy));
      }
    }
  }

  /** Every documented outcome is a result; only transport failures and unexpected answers throw. */
  async cancel(id: number): Promise<CancelResult> {
    const request = {
      method: 'POST',
      url: endpoint(this.#base, `/parcels/${id}/cancel`),
      retry: false,
    } as const;
    const response = await this.#http.send(request);
    switch (response.status) {
      case 200:
      case 202:
      case 400:
      case 410: {
        const body = parseBody(request, response, CancelBody);
        const outcome = ({ 200: 'cancelled', 202: 'queued', 400: 'rejected', 410: 'deleted' } as const)[
          response.status
        ];
        return { outcome, message: body.message };
      }
      case 404: {
        const body = parseBody(request, response, ErrorBody);
        return { outcome: 'not_found', message: body.error.message };
      }
      default:
        throw errorFromResponse(request, response);
    }
  }

  /** The parcel's return-portal link, or null when the account has no portal (404 `{url:null}` or `""`). */
  async returnPortalUrl(id: number): Promise<string | null> {
    const request = {
      method: 'GET',
      url: endpoint(this.#base, `/parcels/${id}/return_portal_url`),
      retry: true,
    } as const;
    const response = await this.#http.send(request);
    if (response.status === 200 || response.status === 404) {
      const json = tryParseJson(response.body);
      const parsed = ReturnPortalUrl.safeParse(json.ok ? json.value : undefined);
      if (parsed.success) return parsed.data.url ? parsed.data.url : null;
      if (response.status === 200) parseBody(request, response, ReturnPortalUrl);
    }
    throw errorFromResponse(request, response);
  }
}

/** Refuses drafts SendCloud would refuse anyway, before anything is sent; messages name every field. */
function validateDrafts(drafts: readonly ParcelDraft[]): void {
  const issues = drafts.flatMap((draft, i) => {
    const result = ParcelDraft.safeParse(draft);
    if (result.success) return [];
    const prefix = drafts.length > 1 ? `[${i}].` : '';
    return result.error.issues.map((issue) => ({
      path: `${prefix}${issue.path.join('.')}`,
      message: issue.message,
    }));
  });
  if (issues.length > 0) throw new SendcloudValidationError({ method: 'POST', path: '/parcels', issues });
}

function matchBatch(drafts: readonly ParcelDraft[], response: VerboseBatchResponse): BatchItemResult[] {
  return drafts.map((draft): BatchItemResult => {
    const ref = draft.externalReference;
    const parcels = response.parcels.filter((parcel) => parcel.external_reference === ref);
    const failed = response.failed_parcels.find((entry) => entry.parcel.external_reference === ref);
    if (parcels.length === 0 && failed)
      return { externalReference: ref, outcome: 'rejected', errors: failed.errors };
    if (parcels.length === 0) {
      throw new SendcloudContractError({
        method: 'POST',
        path: '/parcels',
        status: 200,
        issues: [
          { path: 'parcels', message: 'a submitted parcel is neither in parcels nor in failed_parcels' },
        ],
      });
    }
    const carrierErrors = parcels.find(
      (parcel) => parcel.errors && Object.keys(parcel.errors).length > 0,
    )?.errors;
    if (carrierErrors || parcels.some((parcel) => parcel.status.id === ANNOUNCEMENT_FAILED)) {
      return { externalReference: ref, outcome: 'carrier_failed', parcels, errors: carrierErrors ?? {} };
    }
    return { externalReference: ref, outcome: 'created', parcels, reconciled: false };
  });
}

/** A parcel found after a lost batch answer: refused at the carrier if it holds status 1002, else created. */
/**
 * SendCloud's refusal of a parcel under an external reference it already holds (the reference is "unique
 * across parcels … to create idempotence"; the simulator answers the recorded v2 field-error form).
 */
function takenReference(messages: string | readonly string[] | undefined): boolean {
  return [messages ?? []].flat().some((m) => /external reference already exists/i.test(m));
}

function reconciledResult(externalReference: string, parcels: readonly Parcel[]): BatchItemResult {
  const failed = parcels.find((parcel) => parcel.status.id === ANNOUNCEMENT_FAILED);
  return failed
    ? { externalReference, outcome: 'carrier_failed', parcels, errors: failed.errors ?? {} }
    : { externalReference, outcome: 'created', parcels, reconciled: true };
}

function requiredFieldsOf(
  parcel: Parcel,
): Pick<ParcelCreation, 'name' | 'address' | 'city' | 'postal_code' | 'country'> & Partial<ParcelCreation> {
  const street = parcel.address_divided?.street;
  const houseNumber = parcel.address_divided?.house_number;
  return {
    name: parcel.name,
    address: street || parcel.address,
    ...(street && houseNumber ? { house_number: houseNumber } : {}),
    city: parcel.city,
    postal_code: parcel.postal_code,
    country: parcel.country.iso_2,
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

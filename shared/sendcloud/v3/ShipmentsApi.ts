import { endpoint, nextCursor } from '../endpoints';
import { isSendcloudError, SendcloudHttpError, SendcloudRateLimitedError } from '../errors';
import {
  type AnnounceOutcome,
  methodGoneReason,
  type Shipment,
  type StatusUpdate,
  v3MethodRef,
} from '../port';
import { backoffDelay } from '../retry';
import { parseBody, type SendcloudRequest, type SendcloudResponse, tryParseJson } from '../SendcloudHttp';
import {
  describeErrors,
  errorDetails,
  isCarrierRefusal,
  messageOf,
  namesMissingOption,
  v3ErrorFromResponse,
} from './errors';
import { outcomeOf, toShipment } from './mapping';
import {
  CancelStatus,
  ExistingShipment,
  ReturnPortalUrl,
  ShipmentEnvelope,
  ShipmentList,
  type Shipment as V3Shipment,
} from './schemas';
import { isOk, nextLink, type V3Http } from './V3Http';
import type { ShipmentBody } from './wire';

export type CancelOutcome = 'cancelled' | 'queued' | 'rejected' | 'not_found';

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const PAGE_SIZE = 100;
/** The real 429 has no Retry-After; waiting less than this mostly buys another 429. */
const MIN_RATE_LIMITED_BACKOFF_MS = 1_000;

/** v3 Shipments API: synchronous announce that never creates twice blindly, lookups, cancel, lists. */
export class ShipmentsApi {
  readonly #http: V3Http;
  readonly #base: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(
    http: V3Http,
    options: {
      readonly baseUrl: string;
      readonly sleep: (ms: number) => Promise<void>;
      readonly random: () => number;
    },
  ) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#sleep = options.sleep;
    this.#random = options.random;
  }

  /**
   * `POST /shipments/announce`. After a timeout, a lost answer, a 429 or a 5xx the shipment is looked up by
   * its `external_reference_id`, and only if SendCloud has none is it sent again (bounded, with backoff).
   * A reused reference is answered 409 with the existing shipment: reconciled.
   */
  async announce(body: ShipmentBody): Promise<AnnounceOutcome> {
    const request = {
      method: 'POST',
      url: endpoint(this.#base, '/shipments/announce'),
      json: body,
      retry: false,
    } as const;
    const { maxAttempts } = this.#http.retryPolicy;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const response = await this.#http.send(request);
        if (!RETRYABLE_STATUS.has(response.status)) return await this.#answered(request, response, body);
        failure = v3ErrorFromResponse(request, response);
      } catch (error) {
        // Only a request that may not have arrived (timeout, network) is reconciled; anything else is final.
        if (failure !== undefined || !isSendcloudError(error) || !error.retryable) throw error;
        failure = error;
      }
      if (attempt >= maxAttempts) throw failure;
      const existing = await this.find(body.external_reference_id);
      if (existing) return outcomeOf(existing, true);
      const backoff = backoffDelay(attempt, this.#http.retryPolicy, this.#random);
      const rateLimited = failure instanceof SendcloudRateLimitedError;
      await this.#sleep(rateLimited ? Math.max(backoff, MIN_RATE_LIMITED_BACKOFF_MS) : backoff);
    }
  }

  async #answered(
    request: SendcloudRequest,
    response: SendcloudResponse,
    body: ShipmentBody,
  ): Promise<AnnounceOutcome> {
    if (response.status === 201 || response.status === 200)
      return outcomeOf(toShipment(parseBody(request, response, ShipmentEnvelope).data), false);
    if (response.status === 409) {
      const json = tryParseJson(response.body);
      const existing = ExistingShipment.safeParse(json.ok ? json.value : undefined);
      if (existing.success) return outcomeOf(toShipment(existing.data), true);
      // The 409's body is not documented beyond "the associated object": ask for it instead.
      const found = await this.find(body.external_reference_id);
      if (found) return outcomeOf(found, true);
      throw v3ErrorFromResponse(request, response);
    }
    if (response.status === 400 || response.status === 422) {
      const details = errorDetails(response.body);
      // The option left the account after routing chose it: another method may still carry the shipment.
      if (namesMissingOption(details)) {
        const { shipping_option_code: code, contract_id: contract } = body.ship_with.properties;
        return {
          outcome: 'carrier_refused',
          reason: methodGoneReason(v3MethodRef(code, contract)),
          methodGone: true,
        };
      }
      const reason = describeErrors(details);
      return isCarrierRefusal(details)
        ? { outcome: 'carrier_refused', reason }
        : { outcome: 'rejected', reason };
    }
    throw v3ErrorFromResponse(request, response);
  }

  /** The shipment SendCloud holds for this external reference, if any. */
  async find(externalReference: string): Promise<Shipment | undefined> {
    const url = endpoint(this.#base, '/shipments', { external_reference_id: externalReference });
    const { data } = await this.#list(url);
    // Only an exact match: a wrong shipment would be worse than sending again, which a 409 guards.
    const match = data.find((s) => s.external_reference_id === externalReference);
    return match ? toShipment(match) : undefined;
  }

  /**
   * Every shipment SendCloud holds under this `order_number` (exact matches only), newest first. The Orders
   * API path gives its orders our reference as order number, since the shipments it makes carry no external
   * reference that the documents promise.
   */
  async findByOrderNumber(orderNumber: string): Promise<Shipment[]> {
    const url = endpoint(this.#base, '/shipments', { order_number: orderNumber });
    const { data } = await this.#list(url);
    return data
      .filter((s) => s.order_number === orderNumber)
      .map(toShipment)
      .sort((a, b) => newestFirst(a.id, b.id));
  }

  /** One page of `GET /shipments?ids=` (at most 100 ids); empty when nothing matches. */
  async list(filter: { readonly ids: readonly string[] }): Promise<V3Shipment[]> {
    if (filter.ids.length < 1 || filter.ids.length > PAGE_SIZE)
      throw new RangeError(`between 1 and ${PAGE_SIZE} ids are needed, got ${filter.ids.length}`);
    const url = endpoint(this.#base, '/shipments', { ids: filter.ids.join(','), page_size: PAGE_SIZE });
    return (await this.#list(url)).data;
  }

  /** `GET /shipments/{id}`; undefined for a 404. */
  async get(shipmentId: string): Promise<V3Shipment | undefined> {
    const request = {
      method: 'GET',
      url: endpoint(this.#base, `/shipments/${encodeURIComponent(shipmentId)}`),
      retry: true,
    } as const;
    const response = await this.#http.send(request);
    if (response.status === 404) return undefined;
    if (!isOk(response)) throw v3ErrorFromResponse(request, response);
    return parseBody(request, response, ShipmentEnvelope).data;
  }

  /** The shipment a parcel belongs to (`GET /shipments?ids=`, which filters by parcel ids). */
  async findByParcel(parcelId: number): Promise<Shipment | undefined> {
    const url = endpoint(this.#base, '/shipments', { ids: String(parcelId) });
    const { data } = await this.#list(url);
    const match = data.find((s) => s.parcels.some((p) => p.id === parcelId));
    return match ? toShipment(match) : undefined;
  }

  /** Pages of `GET /shipments?updated_after=`, following the `Link: rel="next"` cursor to the end. */
  async *updatedSince(
    since: Date,
    filter: { readonly integrationId?: number } = {},
  ): AsyncGenerator<V3Shipment[], void, undefined> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const url = endpoint(this.#base, '/shipments', {
        updated_after: since.toISOString(),
        ...(filter.integrationId === undefined ? {} : { integration_id: filter.integrationId }),
        page_size: PAGE_SIZE,
        cursor,
      });
      const page = await this.#list(url);
      yield page.data;
      cursor = nextCursor(page.next, seen, url);
    } while (cursor);
  }

  /**
   * One page of `GET /shipments`. Its 200 declares `minItems: 1`: a query nothing matches is answered 404,
   * which is read as an empty page. With a cursor a 404 is the documented "Invalid cursor", an error.
   */
  async #list(url: URL): Promise<{ readonly data: V3Shipment[]; readonly next: string | undefined }> {
    const request = { method: 'GET', url, retry: true } as const;
    const response = await this.#http.send(request);
    if (response.status === 404 && !url.searchParams.has('cursor')) return { data: [], next: undefined };
    if (!isOk(response)) throw v3ErrorFromResponse(request, response);
    return { data: parseBody(request, response, ShipmentList).data, next: nextLink(response.headers) };
  }

  /**
   * `POST /shipments/{id}/cancel`: every documented answer is an outcome, with SendCloud's message (the
   * 409's `detail`: "already being cancelled", past the 42 days, delivered). Not retried.
   */
  async cancel(shipmentId: string): Promise<{ readonly outcome: CancelOutcome; readonly message: string }> {
    const request = {
      method: 'POST',
      url: endpoint(this.#base, `/shipments/${encodeURIComponent(shipmentId)}/cancel`),
      retry: false,
    } as const;
    const response = await this.#http.send(request);
    if (response.status === 200 || response.status === 202) {
      const { data } = parseBody(request, response, CancelStatus);
      return { outcome: response.status === 200 ? 'cancelled' : 'queued', message: data.message };
    }
    if (response.status === 404 || response.status === 409) {
      const details = errorDetails(response.body);
      return {
        outcome: response.status === 404 ? 'not_found' : 'rejected',
        message: messageOf(details) ?? `SendCloud answered ${response.status}`,
      };
    }
    throw v3ErrorFromResponse(request, response);
  }

  /** `GET /shipments/{id}/return-portal-url`; null when no portal or brand is set up (404). */
  async returnPortalUrl(shipmentId: string): Promise<string | null> {
    const url = endpoint(this.#base, `/shipments/${encodeURIComponent(shipmentId)}/return-portal-url`);
    try {
      const { data } = await this.#http.json({ method: 'GET', url, retry: true }, ReturnPortalUrl);
      return data.url || null;
    } catch (error) {
      if (error instanceof SendcloudHttpError && error.status === 404) return null;
      throw error;
    }
  }
}

/** One status update per parcel of the page's shipments (parcels updated before `since` are left out). */
export function statusUpdates(shipments: readonly V3Shipment[], since: Date): StatusUpdate[] {
  return shipments.flatMap((wire) => {
    const shipment = toShipment(wire);
    return shipment.parcels.flatMap((parcel): StatusUpdate[] => {
      const updatedAt = parcel.updatedAt ?? since.toISOString();
      const at = Date.parse(updatedAt);
      if (!Number.isNaN(at) && at < since.getTime()) return [];
      return [
        {
          parcelId: parcel.id,
          externalReference: shipment.externalReference,
          status: parcel.status,
          updatedAt: Number.isNaN(at) ? updatedAt : new Date(at).toISOString(),
        },
      ];
    });
  });
}

/** Shipment ids are numeric strings at SendCloud: the larger one is the newer; otherwise by text. */
function newestFirst(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isFinite(x) && Number.isFinite(y) ? y - x : b.localeCompare(a);
}

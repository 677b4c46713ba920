import * as z from '../../validation/zod';
import { CheckoutApi } from '../CheckoutApi';
import type { Address } from '../draft';
import { cursorOf } from '../endpoints';
import { SendcloudHttpError } from '../errors';
import {
  type AccountMethod,
  type AnnounceOutcome,
  type BulkLabelSupport,
  type CancelOutcome,
  type CancelTarget,
  type Catalog,
  type CatalogQuery,
  isAlreadyCancelledMessage,
  type LabelFormat,
  type MethodRef,
  type SendcloudPort,
  type SendcloudReturn,
  type Shipment,
  type ShipmentDraft,
  type StatusUpdate,
} from '../port';
import { type RateLimiter, sleep as realSleep, SlidingWindowRateLimiter } from '../RateLimiter';
import type { RetryPolicy } from '../retry';
import { type SendcloudAttempt, type SendcloudCredentials, SendcloudHttp } from '../SendcloudHttp';
import { ServicePointsApi } from '../ServicePointsApi';
import { OAuth2Authorization, type V3AuthMode } from './auth';
import { CATALOG_TTL_MS, CatalogApi } from './CatalogApi';
import { forEachConcurrent } from './concurrency';
import type { A4Position, ComposeA4 } from './DocumentsApi';
import { DocumentsApi, MAX_BULK_DOCUMENTS } from './DocumentsApi';
import { V3AnnounceManyError } from './errors';
import { toSendcloudReturn, toShipment } from './mapping';
import { OrdersApi } from './OrdersApi';
import { announceThroughOrders, isAnnouncing, liveByOrderNumber, type OrdersBatchDeps } from './OrdersBatch';
import { ReturnsApi } from './ReturnsApi';
import { SenderAddressesApi } from './SenderAddressesApi';
import { ShipmentsApi, statusUpdates } from './ShipmentsApi';
import { V3Http } from './V3Http';
import { draftProblem, toReturnBody, toShipmentBody } from './wire';

export const SENDCLOUD_V3_BASE_URL = 'https://panel.sendcloud.sc/api/v3';
/** v3 accounts keep using the v2 service-points host (REFERENCE.md §7). */
export const SENDCLOUD_V3_SERVICE_POINTS_BASE_URL = 'https://servicepoints.sendcloud.sc/api/v2';

export interface V3PortOptions {
  readonly credentials: SendcloudCredentials & { readonly auth?: V3AuthMode };
  /** Default `https://panel.sendcloud.sc/api/v3`; the simulator's URL locally. */
  readonly baseUrl?: string;
  /** Service points (v2 host, Basic auth). Default `https://servicepoints.sendcloud.sc/api/v2`. */
  readonly servicePointsBaseUrl?: string;
  /** OAuth2 token endpoint. Default `{baseUrl}/oauth2/token`. */
  readonly tokenUrl?: string;
  /** Share one limiter between every client of the same SendCloud account (v2 and v3 alike). */
  readonly rateLimiter?: RateLimiter;
  /** Per attempt, until the response headers arrive. Default 10 s; a synchronous announce waits for the carrier. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly fetch?: typeof globalThis.fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Milliseconds since the epoch: token expiry, catalogue cache, returns windows. Default `Date.now`. */
  readonly clock?: () => number;
  readonly onAttempt?: (attempt: SendcloudAttempt) => void;
  readonly partnerId?: string | undefined;
  /** Synchronous announces in flight in `announceMany`. Default 4 (SendCloud's write burst is 15/s). */
  readonly announceConcurrency?: number;
  /** Ship from this sender address; default the first of `GET /addresses/sender-addresses`. */
  readonly senderAddressId?: number;
  /**
   * The account's SendCloud API integration (Settings → Integrations): with it, `announceMany` goes through
   * the Orders API (a few writes for many labels); without, one synchronous announce per shipment.
   */
  readonly integrationId?: number;
  /** How long `announceMany` waits for Orders API labels to leave `ANNOUNCING`. Default 120 s. */
  readonly settleMs?: number;
  /** How far back a duplicate return reference is looked for. Default 7 days. */
  readonly returnsReconcileLookbackMs?: number;
  /** Composes A4 labels (`labelOnA4`); without it `a4Label` throws, and pdf-lib stays out of the bundle. */
  readonly composeA4?: ComposeA4;
  /** An announce named an option the account no longer has (a catalogue refresh is due). */
  readonly onMethodGone?: () => void;
}

const DAY_MS = 86_400_000;
/** How long `find` waits for a shipment that is still `ANNOUNCING`. */
const FIND_SETTLE_MS = 30_000;
const DEFAULT_RETURNS_WINDOW_DAYS = 90;

/** Our opaque `returnsPage` cursor: the date window of the first page and SendCloud's cursor. */
const ReturnsCursor = z.object({
  f: z.number().check(z.int()),
  t: z.number().check(z.int()),
  c: z.string().check(z.minLength(1)),
});

/**
 * SendCloud API v3 behind the version-neutral port. Every call is rate limited (GET = read; any other
 * method, the shipping-options quote and the token call included, = write), timed out, typed by zod, and
 * fails with an error of the `SendcloudError` family.
 */
export class V3Port implements SendcloudPort {
  readonly version = 'v3' as const;
  readonly shipments: ShipmentsApi;
  readonly returns: ReturnsApi;
  readonly catalogs: CatalogApi;
  readonly senders: SenderAddressesApi;
  readonly documents: DocumentsApi;
  /** The Orders API path (upsert, then labels asynchronously), beside the port, for measuring. */
  readonly orders: OrdersApi;
  /** Dynamic Checkout's delivery options of a configuration, each named by its shipping option code. */
  readonly checkout: CheckoutApi;
  readonly #servicePoints: ServicePointsApi;
  readonly #clock: () => number;
  readonly #concurrency: number;
  readonly #integrationId: number | undefined;
  readonly #ordersBatch: Omit<OrdersBatchDeps, 'integrationId'>;
  readonly #onMethodGone: (() => void) | undefined;

  constructor(options: V3PortOptions) {
    const baseUrl = (options.baseUrl ?? SENDCLOUD_V3_BASE_URL).replace(/\/+$/, '');
    const clock = options.clock ?? Date.now;
    const sleep = options.sleep ?? realSleep;
    const random = options.random ?? Math.random;
    const { auth = 'basic', ...credentials } = options.credentials;
    const common = {
      credentials,
      rateLimiter: options.rateLimiter ?? new SlidingWindowRateLimiter(),
      sleep,
      random,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
    };
    const basic = new SendcloudHttp({ ...common, partnerId: options.partnerId });
    const authorization =
      auth === 'oauth2'
        ? new OAuth2Authorization({
            http: new SendcloudHttp(common),
            tokenUrl: new URL(options.tokenUrl ?? `${baseUrl}/oauth2/token`),
            clock,
          })
        : undefined;
    const panel = authorization
      ? new SendcloudHttp({ ...common, partnerId: options.partnerId, authorization })
      : basic;
    const http = new V3Http(panel);
    this.shipments = new ShipmentsApi(http, { baseUrl, sleep, random });
    this.returns = new ReturnsApi(http, {
      baseUrl,
      sleep,
      random,
      clock,
      ...(options.returnsReconcileLookbackMs === undefined
        ? {}
        : { reconcileLookbackMs: options.returnsReconcileLookbackMs }),
    });
    this.senders = new SenderAddressesApi(http, {
      baseUrl,
      clock,
      ttlMs: CATALOG_TTL_MS,
      senderAddressId: options.senderAddressId,
    });
    this.catalogs = new CatalogApi(http, { baseUrl, clock, senders: this.senders });
    this.documents = new DocumentsApi(http, { baseUrl, composeA4: options.composeA4 });
    this.orders = new OrdersApi(http, { baseUrl });
    this.checkout = new CheckoutApi(panel, { baseUrl, identifierType: 'shipping_option_code' });
    this.#servicePoints = new ServicePointsApi(basic, {
      servicePointsBaseUrl: options.servicePointsBaseUrl ?? SENDCLOUD_V3_SERVICE_POINTS_BASE_URL,
    });
    this.#clock = clock;
    this.#onMethodGone = options.onMethodGone;
    this.#integrationId = options.integrationId;
    this.#ordersBatch = {
      orders: this.orders,
      shipments: this.shipments,
      senderAddressId: async () => (await this.senders.require()).id,
      announce: (draft) => this.announce(draft),
      retryPolicy: http.retryPolicy,
      sleep,
      random,
      clock,
      ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
    };
    this.#concurrency = options.announceConcurrency ?? 4;
    if (!(Number.isInteger(this.#concurrency) && this.#concurrency > 0))
      throw new RangeError('announceConcurrency must be a positive integer');
  }

  catalog(query: CatalogQuery): Promise<Catalog> {
    return this.catalogs.catalog(query);
  }

  accountMethods(): Promise<readonly AccountMethod[]> {
    return this.catalogs.accountOptions();
  }

  forgetCatalog(): void {
    this.catalogs.forget();
  }

  mapLegacyMethods(ids: readonly number[]): Promise<Map<number, MethodRef | null>> {
    return this.catalogs.mapLegacyMethods(ids);
  }

  async announce(draft: ShipmentDraft): Promise<AnnounceOutcome> {
    const problem = draftProblem(draft);
    if (problem) return { outcome: 'rejected', reason: problem };
    if (draft.isReturn) return this.returns.announce(toReturnBody(draft));
    const sender = draft.from ? undefined : (await this.senders.require()).id;
    const outcome = await this.shipments.announce(toShipmentBody(draft, sender));
    // Quotes cached with the vanished option would route the next order to it again.
    if (outcome.outcome === 'carrier_refused' && outcome.methodGone) {
      this.forgetCatalog();
      this.#onMethodGone?.();
    }
    return outcome;
  }

  /**
   * v3 cannot announce a refused shipment again: the draft (under a new external reference) becomes a new
   * shipment. A refused one is cancelled on a best-effort basis (it carries no label); one that is still
   * live must be cancelled first, or nothing is announced — never two live shipments.
   */
  async reannounce(refused: Shipment, draft: ShipmentDraft): Promise<AnnounceOutcome> {
    if (refused.externalReference !== null && draft.externalReference === refused.externalReference)
      throw new RangeError('on v3 a re-announce is a new shipment: the draft needs a new external reference');
    if (refused.state === 'announced' || refused.state === 'unannounced') {
      if (!(await this.#withdraw(refused, draft.isReturn === true)))
        return {
          outcome: 'rejected',
          reason: `shipment ${refused.id} is still live and could not be cancelled; a second one was not announced`,
        };
    } else if (refused.state === 'refused') {
      await this.#withdraw(refused, draft.isReturn === true).catch(() => false);
    }
    return this.announce(draft);
  }

  /** True when SendCloud cancelled (or queued the cancellation of) the shipment, or no longer has it. */
  async #withdraw(shipment: Shipment, isReturn: boolean): Promise<boolean> {
    const { outcome } = await this.cancel({
      id: shipment.id,
      parcelIds: shipment.parcels.map((p) => p.id),
      isReturn,
    });
    // "Already being cancelled" may still fail at the carrier: not proof that it is gone.
    return outcome === 'cancelled' || outcome === 'requested' || outcome === 'not_found';
  }

  /**
   * `POST /shipments/{id}/cancel` (a return: `PATCH /returns/{id}/cancel`, always a request). 200 is
   * cancelled (the simulator's "deleted" for a shipment without a label too), 202 requested, 404 not found,
   * 409 already cancelled or too late — SendCloud's `detail` says which.
   */
  async cancel(target: CancelTarget): Promise<CancelOutcome> {
    if (target.isReturn) {
      const returnId = Number(target.id);
      if (!Number.isInteger(returnId)) throw new RangeError('a return shipment id is the numeric return id');
      const { outcome, message } = await this.returns.cancel(returnId);
      return outcome === 'rejected'
        ? { outcome: isAlreadyCancelledMessage(message) ? 'already_cancelled' : 'too_late', message }
        : { outcome, message };
    }
    const { outcome, message } = await this.shipments.cancel(target.id);
    switch (outcome) {
      case 'cancelled':
      case 'not_found':
        return { outcome, message };
      case 'queued':
        return { outcome: 'requested', message };
      case 'rejected':
        return { outcome: isAlreadyCancelledMessage(message) ? 'already_cancelled' : 'too_late', message };
    }
  }

  /**
   * v3 has no many-shipments call. With the account's `integrationId`, through the Orders API (upsert 100
   * orders a call, labels for 20 a call, then read until made: `announceThroughOrders`); without, one
   * synchronous announce per draft, `announceConcurrency` at a time. If some end in an error rather than an
   * outcome, a `V3AnnounceManyError` carries the outcomes reached.
   */
  async announceMany(drafts: readonly ShipmentDraft[]): Promise<Map<string, AnnounceOutcome>> {
    const refs = drafts.map((draft) => draft.externalReference);
    if (new Set(refs).size !== refs.length) throw new RangeError('external references must be unique');
    let reached = new Map<string, AnnounceOutcome>();
    let failures = new Map<string, unknown>();
    // Several colli, or insurance, go as a shipment of their own: the Orders API batch carries one parcel an
    // order and no insured amount.
    const isColli = (draft: ShipmentDraft) =>
      (draft.colli?.length ?? 0) > 1 || (draft.insuredValueEur ?? 0) > 0;
    const alone = this.#integrationId === undefined ? drafts : drafts.filter(isColli);
    if (this.#integrationId !== undefined) {
      ({ outcomes: reached, failures } = await announceThroughOrders(
        drafts.filter((draft) => !isColli(draft)),
        { ...this.#ordersBatch, integrationId: this.#integrationId },
      ));
    }
    await forEachConcurrent(alone, this.#concurrency, async (draft) => {
      try {
        reached.set(draft.externalReference, await this.announce(draft));
      } catch (error) {
        failures.set(draft.externalReference, error);
      }
    });
    const outcomes = new Map<string, AnnounceOutcome>();
    for (const ref of refs) {
      const outcome = reached.get(ref);
      if (outcome) outcomes.set(ref, outcome);
    }
    if (failures.size > 0) throw new V3AnnounceManyError(outcomes, failures);
    return outcomes;
  }

  /**
   * By `external_reference_id`; on an account that batches through the Orders API also by order number
   * (those shipments carry none). A shipment still `ANNOUNCING` is read again until it is made or refused
   * (bounded): a caller must not take a label that may still fail for one that exists.
   */
  async find(externalReference: string): Promise<Shipment | undefined> {
    const found =
      (await this.shipments.find(externalReference)) ??
      (this.#integrationId === undefined
        ? undefined
        : await liveByOrderNumber(externalReference, this.shipments));
    if (!found || !isAnnouncing(found)) return found;
    return this.#settled(found, externalReference);
  }

  async #settled(shipment: Shipment, externalReference: string): Promise<Shipment> {
    const deadline = this.#clock() + FIND_SETTLE_MS;
    for (let delay = 500; this.#clock() < deadline; delay = Math.min(5_000, delay * 2)) {
      await this.#ordersBatch.sleep(delay);
      const wire = await this.shipments.get(shipment.id);
      if (!wire) break;
      const now = toShipment(wire);
      if (!isAnnouncing(now)) return now.externalReference === null ? { ...now, externalReference } : now;
    }
    throw Object.assign(
      new Error(`shipment ${shipment.id} (${externalReference}) is still being announced; try again later`),
      { retryable: true, code: 'SENDCLOUD_STILL_ANNOUNCING' },
    );
  }

  label(parcelId: number, format: LabelFormat): Promise<Uint8Array> {
    return this.documents.label(parcelId, format);
  }

  readonly bulkLabels: BulkLabelSupport = { formats: ['a6', 'zpl'], maxParcels: MAX_BULK_DOCUMENTS };

  labels(parcelIds: readonly number[], format: LabelFormat): Promise<Uint8Array> {
    return this.documents.labels(parcelIds, format);
  }

  a4Label(parcelId: number, position: A4Position): Promise<Uint8Array> {
    return this.documents.a4Label(parcelId, position);
  }

  /** The customs declaration (CN23 or commercial invoice, SendCloud's choice); a 404 is a parcel without one. */
  async customsDocument(parcelId: number): Promise<Uint8Array | undefined> {
    try {
      return await this.documents.customsDeclaration(parcelId);
    } catch (error) {
      if (error instanceof SendcloudHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  senderAddress(): Promise<Address | undefined> {
    return this.senders.address();
  }

  async servicePointCarrier(servicePointId: number): Promise<string | undefined> {
    try {
      return (await this.#servicePoints.get(servicePointId)).carrier;
    } catch (error) {
      if (error instanceof SendcloudHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  async *updatedSince(since: Date): AsyncGenerator<StatusUpdate[], void, undefined> {
    for await (const page of this.shipments.updatedSince(since)) {
      const updates = statusUpdates(page, since);
      if (updates.length > 0) yield updates;
    }
  }

  /** The shipment's return-portal link; without `shipmentId` the parcel's shipment is looked up first. */
  async returnPortalUrl(parcelId: number, shipmentId?: string): Promise<string | null> {
    const id = shipmentId ?? (await this.shipments.findByParcel(parcelId))?.id;
    return id ? this.shipments.returnPortalUrl(id) : null;
  }

  async returnsPage(
    cursor?: string,
    options: { readonly windowDays?: number } = {},
  ): Promise<{ readonly returns: readonly SendcloudReturn[]; readonly next: string | null }> {
    const now = this.#clock();
    const resumed = cursor === undefined ? undefined : decodeCursor(cursor);
    const window = resumed ?? {
      from: now - (options.windowDays ?? DEFAULT_RETURNS_WINDOW_DAYS) * DAY_MS,
      to: now,
    };
    const page = await this.returns.page(window, resumed?.cursor);
    // The documented return object has no id: such a return is listed (by its parcel) with id null.
    const returns = page.returns.map((ret) => toSendcloudReturn(ret, ret.id ?? null));
    const next = cursorOf(page.next);
    return { returns, next: next ? encodeCursor({ ...window, cursor: next }) : null };
  }

  getReturn(id: number): Promise<SendcloudReturn> {
    return this.returns.getReturn(id);
  }
}

function encodeCursor(value: { from: number; to: number; cursor: string }): string {
  return Buffer.from(JSON.stringify({ f: value.from, t: value.to, c: value.cursor })).toString('base64url');
}

function decodeCursor(cursor: string): { from: number; to: number; cursor: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = ReturnsCursor.safeParse(json);
  if (!parsed.success) throw new RangeError('not a returns cursor of this adapter');
  return { from: parsed.data.f, to: parsed.data.t, cursor: parsed.data.c };
}

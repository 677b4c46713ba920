import { endpoint, nextCursor } from '../endpoints';
import { isSendcloudError, type SendcloudErrorDetail } from '../errors';
import type { AnnounceOutcome, SendcloudReturn } from '../port';
import { backoffDelay } from '../retry';
import { parseBody, type SendcloudRequest, type SendcloudResponse } from '../SendcloudHttp';
import { describeErrors, errorDetails, isCarrierRefusal, messageOf, v3ErrorFromResponse } from './errors';
import { outcomeOf, returnParcelId, returnToShipment, toSendcloudReturn } from './mapping';
import { type Return, ReturnCreated, ReturnList, Return as ReturnSchema } from './schemas';
import type { V3Http } from './V3Http';
import type { ReturnBody } from './wire';

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const PAGE_SIZE = 40;
const DAY_MS = 86_400_000;
/** Clocks differ: a return created "before" our first attempt may be ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** A reconciliation scan reads at most this many pages of returns. */
const MAX_SCAN_PAGES = 50;

export interface ReturnsApiOptions {
  readonly baseUrl: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly clock: () => number;
  /** How far back a duplicate reference is looked for when no attempt of ours dates it. Default 7 days. */
  readonly reconcileLookbackMs?: number;
}

/**
 * v3 Returns API. A reused `external_reference` is refused (400 "External reference has already been used
 * in another return", the document's example), so sending again after a lost answer cannot create a second
 * return; the return is then looked for in `GET /returns` over a date window, by `external_reference` when
 * SendCloud includes it, else by order number, shipping option, the customer's postcode and creation time.
 */
export class ReturnsApi {
  readonly #http: V3Http;
  readonly #base: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #lookbackMs: number;

  constructor(http: V3Http, options: ReturnsApiOptions) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#sleep = options.sleep;
    this.#random = options.random;
    this.#clock = options.clock;
    this.#lookbackMs = options.reconcileLookbackMs ?? 7 * DAY_MS;
  }

  /** `POST /returns/announce-synchronously`, then `GET /returns/{id}` for tracking and status. */
  async announce(body: ReturnBody): Promise<AnnounceOutcome> {
    const request = {
      method: 'POST',
      url: endpoint(this.#base, '/returns/announce-synchronously'),
      json: body,
      retry: false,
    } as const;
    const startedAt = this.#clock();
    const { maxAttempts } = this.#http.retryPolicy;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const response = await this.#http.send(request);
        if (!RETRYABLE_STATUS.has(response.status))
          return await this.#answered(request, response, body, attempt > 1 ? startedAt : undefined);
        failure = v3ErrorFromResponse(request, response);
      } catch (error) {
        if (failure !== undefined || !isSendcloudError(error) || !error.retryable) throw error;
        failure = error;
      }
      if (attempt >= maxAttempts) throw failure;
      const found = await this.find(body, startedAt);
      if (found) return outcomeOf(found.shipment, true);
      await this.#sleep(backoffDelay(attempt, this.#http.retryPolicy, this.#random));
    }
  }

  async #answered(
    request: SendcloudRequest,
    response: SendcloudResponse,
    body: ReturnBody,
    earlierAttemptAt: number | undefined,
  ): Promise<AnnounceOutcome> {
    if (response.status === 201 || response.status === 200) {
      const created = parseBody(request, response, ReturnCreated);
      return this.#created(created.return_id, created.parcel_id, body.external_reference);
    }
    if (response.status !== 400 && response.status !== 422) throw v3ErrorFromResponse(request, response);
    const details = errorDetails(response.body);
    if (isDuplicateReference(details)) {
      const found = await this.find(body, earlierAttemptAt);
      if (found) return outcomeOf(found.shipment, true);
      throw v3ErrorFromResponse(request, response);
    }
    const reason = describeErrors(details);
    return isCarrierRefusal(details)
      ? { outcome: 'carrier_refused', reason }
      : { outcome: 'rejected', reason };
  }

  async #created(returnId: number, parcelId: number, externalReference: string): Promise<AnnounceOutcome> {
    let ret: Return;
    try {
      ret = await this.get(returnId);
    } catch (error) {
      if (!isSendcloudError(error) || !error.retryable) throw error;
      // Created and announced (the call is synchronous); the details can be read later.
      ret = { created_at: new Date(this.#clock()).toISOString() };
    }
    return outcomeOf(returnToShipment(ret, { returnId, parcelId }, externalReference), false);
  }

  get(id: number): Promise<Return> {
    return this.#http.json(
      { method: 'GET', url: endpoint(this.#base, `/returns/${id}`), retry: true },
      ReturnSchema,
    );
  }

  async getReturn(id: number): Promise<SendcloudReturn> {
    return toSendcloudReturn(await this.get(id), id);
  }

  /**
   * One page of returns created between `from` and `to`; `cursor` is SendCloud's. The dates go in whole
   * seconds: `to` is rounded up, or a return created earlier in its last second would be left out.
   */
  async page(
    window: { readonly from: number; readonly to: number },
    cursor?: string,
  ): Promise<{ readonly returns: readonly Return[]; readonly next: string | undefined; readonly url: URL }> {
    const url = endpoint(this.#base, '/returns', {
      from_date: returnsDate(window.from),
      to_date: returnsDate(Math.ceil(window.to / 1000) * 1000),
      page_size: PAGE_SIZE,
      cursor,
    });
    const page = await this.#http.json({ method: 'GET', url, retry: true }, ReturnList);
    return { returns: page.data, next: page.next ?? undefined, url };
  }

  /** The return this body created, if SendCloud holds exactly one that matches. */
  async find(
    body: ReturnBody,
    notBefore?: number,
  ): Promise<
    { readonly returnId: number; readonly shipment: ReturnType<typeof returnToShipment> } | undefined
  > {
    const now = this.#clock();
    const from = notBefore === undefined ? now - this.#lookbackMs : notBefore - CLOCK_SKEW_MS;
    const window = { from, to: now + CLOCK_SKEW_MS };
    const candidates: Return[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_SCAN_PAGES; pages++) {
      const page = await this.page(window, cursor);
      candidates.push(...page.returns.filter((ret) => matches(ret, body, window.from)));
      cursor = nextCursor(page.next, seen, page.url);
      if (!cursor) break;
    }
    const usable = candidates.flatMap((ret) => {
      const parcelId = returnParcelId(ret);
      return ret.id && parcelId ? [{ ret, returnId: ret.id, parcelId }] : [];
    });
    const [only, ...others] = usable;
    if (!only || others.length > 0) return undefined;
    return {
      returnId: only.returnId,
      shipment: returnToShipment(only.ret, only, body.external_reference),
    };
  }

  /** `PATCH /returns/{id}/cancel` requests cancellation (202); 409 when the return is not cancellable. */
  async cancel(
    id: number,
  ): Promise<{ readonly outcome: 'requested' | 'rejected' | 'not_found'; readonly message: string }> {
    const request = {
      method: 'PATCH',
      url: endpoint(this.#base, `/returns/${id}/cancel`),
      retry: false,
    } as const;
    const response = await this.#http.send(request);
    const said = () => {
      const details = errorDetails(response.body);
      return messageOf(details) ?? `SendCloud answered ${response.status}`;
    };
    if (response.status === 202) return { outcome: 'requested', message: said() };
    if (response.status === 409) return { outcome: 'rejected', message: said() };
    if (response.status === 404) return { outcome: 'not_found', message: said() };
    throw v3ErrorFromResponse(request, response);
  }
}

function isDuplicateReference(details: readonly SendcloudErrorDetail[]): boolean {
  return details.some(
    (d) =>
      /external.?reference.*(already|used|exist|unique)/i.test(d.detail ?? '') ||
      (d.pointer?.includes('external_reference') === true && d.code === 'unique'),
  );
}

function matches(ret: Return, body: ReturnBody, notBefore: number): boolean {
  if (ret.external_reference) return ret.external_reference === body.external_reference;
  // No reference in the document's return object: match what we sent, within the window.
  if (!body.order_number || ret.order_number !== body.order_number) return false;
  if (ret.shipping_option?.code && ret.shipping_option.code !== body.ship_with.shipping_option_code)
    return false;
  const postcode = (value: string | null | undefined) => (value ?? '').replace(/\s+/g, '').toUpperCase();
  if (postcode(ret.from_address?.postal_code) !== postcode(body.from_address.postal_code)) return false;
  const created = Date.parse(ret.created_at);
  return Number.isNaN(created) || created >= notBefore;
}

/** `2022-04-06 00:00:00` (UTC), the format of the document's examples. */
export function returnsDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

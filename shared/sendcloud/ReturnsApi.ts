import type { ParcelDraft } from './draft';
import { endpoint, nextCursor } from './endpoints';
import type { CreatedParcel, CreateParcelOptions, ParcelsApi } from './ParcelsApi';
import type { SendcloudHttp } from './SendcloudHttp';
import { type Return, ReturnEnvelope, ReturnList } from './schemas';

export type ReturnDraft = Omit<ParcelDraft, 'isReturn' | 'from'> & {
  readonly from: NonNullable<ParcelDraft['from']>;
};

/** v2 returns: read through `/returns`, created as `is_return` parcels with a return shipping method. */
export class ReturnsApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;
  readonly #parcels: ParcelsApi;

  constructor(http: SendcloudHttp, parcels: ParcelsApi, options: { readonly baseUrl: string }) {
    this.#http = http;
    this.#parcels = parcels;
    this.#base = options.baseUrl;
  }

  async *list(): AsyncGenerator<Return[], void, undefined> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const url = endpoint(this.#base, '/returns', { cursor });
      const page = await this.#http.json({ method: 'GET', url, retry: true }, ReturnList);
      yield page.returns;
      cursor = nextCursor(page.next, seen, url);
    } while (cursor);
  }

  /** One page (SendCloud's order: newest first) and the cursor of the next, for callers that page themselves. */
  async page(cursor?: string): Promise<{ returns: Return[]; next: string | undefined }> {
    const url = endpoint(this.#base, '/returns', { cursor });
    const page = await this.#http.json({ method: 'GET', url, retry: true }, ReturnList);
    return { returns: page.returns, next: nextCursor(page.next, new Set(cursor ? [cursor] : []), url) };
  }

  async listAll(): Promise<Return[]> {
    const all: Return[] = [];
    for await (const page of this.list()) all.push(...page);
    return all;
  }

  async get(id: number): Promise<Return> {
    return this.#http.json(
      { method: 'GET', url: endpoint(this.#base, `/returns/${id}`), retry: true },
      ReturnEnvelope,
    );
  }

  /** Creates the return label: a parcel with `is_return`, the customer as `from`, the shop as recipient. */
  create(draft: ReturnDraft, options: CreateParcelOptions = {}): Promise<CreatedParcel> {
    return this.#parcels.create({ ...draft, isReturn: true }, options);
  }
}

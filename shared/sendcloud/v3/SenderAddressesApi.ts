import { Address } from '../draft';
import { endpoint } from '../endpoints';
import { SendcloudContractError } from '../errors';
import { SenderAddresses, type SenderAddress as WireSenderAddress } from './schemas';
import type { V3Http } from './V3Http';

export interface SenderAddress {
  readonly id: number;
  readonly country: string;
  /** As SendCloud holds it; `address()` turns it into ours. */
  readonly wire: WireSenderAddress;
}

const PATH = '/addresses/sender-addresses';

/**
 * The account's sender address: the one configured by id, else the first `GET /addresses/sender-addresses`
 * lists (v3 marks no default). Outgoing shipments ship from it by `sender_address_id`; the catalogue quotes
 * from its country. Cached for `ttlMs`; a failed read is not cached.
 */
export class SenderAddressesApi {
  readonly #http: V3Http;
  readonly #base: string;
  readonly #clock: () => number;
  readonly #id: number | undefined;
  readonly #ttlMs: number;
  #cached: { readonly at: number; readonly address: Promise<SenderAddress | undefined> } | undefined;

  constructor(
    http: V3Http,
    options: {
      readonly baseUrl: string;
      readonly clock: () => number;
      readonly ttlMs: number;
      readonly senderAddressId?: number | undefined;
    },
  ) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs;
    this.#id = options.senderAddressId;
  }

  get(): Promise<SenderAddress | undefined> {
    const now = this.#clock();
    if (this.#cached && now - this.#cached.at < this.#ttlMs) return this.#cached.address;
    const address = this.#load();
    this.#cached = { at: now, address };
    address.catch(() => {
      if (this.#cached?.address === address) this.#cached = undefined;
    });
    return address;
  }

  /** The sender address, or a `RangeError` saying the account needs one. */
  async require(): Promise<SenderAddress> {
    const address = await this.get();
    if (!address)
      throw new RangeError(
        this.#id === undefined
          ? 'the SendCloud account has no sender address'
          : `sender address ${this.#id} is not on the first page of the account's sender addresses`,
      );
    return address;
  }

  async #load(): Promise<SenderAddress | undefined> {
    const url = endpoint(this.#base, PATH, { page_size: 100 });
    const { data } = await this.#http.json({ method: 'GET', url, retry: true }, SenderAddresses);
    // v3 marks no default sender address and documents no order: without a configured id (`senderAddressId`
    // in the account's credentials) the oldest address (lowest id) ships, the same one whatever the order.
    const chosen =
      this.#id === undefined ? [...data].sort((a, b) => a.id - b.id)[0] : data.find((a) => a.id === this.#id);
    return chosen ? { id: chosen.id, country: chosen.country_code, wire: chosen } : undefined;
  }

  /** The sender address in our shape; undefined when the account has none. */
  async address(): Promise<Address | undefined> {
    const sender = await this.get();
    return sender ? toAddress(sender.wire, endpoint(this.#base, PATH)) : undefined;
  }
}

function toAddress(wire: WireSenderAddress, url: URL): Address {
  const value = (text: string | null | undefined) => (text && text !== 'null' ? text : undefined);
  const parsed = Address.safeParse({
    name: value(wire.name) ?? value(wire.company_name),
    company: value(wire.company_name),
    street: value(wire.address_line_1),
    houseNumber: value(wire.house_number),
    addressLine2: value(wire.address_line_2),
    postalCode: value(wire.postal_code),
    city: value(wire.city),
    country: wire.country_code,
    state: value(wire.state_province_code),
    email: value(wire.email),
    phone: value(wire.phone_number),
  });
  if (parsed.success) return parsed.data;
  // Field names only: the values are an address.
  throw new SendcloudContractError({
    method: 'GET',
    path: url.pathname,
    status: 200,
    issues: parsed.error.issues.map((issue) => ({
      path: `data.sender_address.${issue.path.join('.')}`,
      message: 'missing or not usable as an address',
    })),
  });
}

import type { Address, ParcelItemDraft } from './draft';

/**
 * The version-neutral port between the use cases and SendCloud's wire. The use cases (orders, batches,
 * labels, tracking, returns) speak only these types; `V2Port` (API v2, today's client) and `V3Port`
 * (API v3) translate them. No v2 or v3 wire shape crosses this line.
 */

export type ApiVersion = 'v2' | 'v3';

/**
 * A shipping method as one string: a v2 method id (`"8"`), or a v3 shipping option code with its contract
 * (`"postnl:standard"`, `"postnl:standard@1234"`). Stored records that hold a numeric v2 id read as `"8"`.
 */
export type MethodRef = string;

export const isV2MethodRef = (ref: MethodRef): boolean => /^\d+$/.test(ref);

/** `{code, contractId}` of a v3 reference; undefined for a v2 one. */
export function v3Option(ref: MethodRef): { code: string; contractId?: number } | undefined {
  if (isV2MethodRef(ref)) return undefined;
  const at = ref.lastIndexOf('@');
  if (at === -1) return { code: ref };
  const contract = Number(ref.slice(at + 1));
  return Number.isInteger(contract) && contract > 0
    ? { code: ref.slice(0, at), contractId: contract }
    : { code: ref };
}

export const v3MethodRef = (code: string, contractId?: number | null): MethodRef =>
  contractId ? `${code}@${contractId}` : code;

/** A method of the account's catalogue, as routing sees it. */
export interface CatalogMethod {
  readonly ref: MethodRef;
  readonly name: string;
  /** SendCloud carrier code, e.g. `postnl`. */
  readonly carrier: string;
  readonly minWeightGrams: number;
  readonly maxWeightGrams: number;
  /** Delivers to a service point (needs one). */
  readonly servicePoint: boolean;
  /** Destinations with SendCloud's price in EUR where known. */
  readonly countries: ReadonlyArray<{ readonly country: string; readonly priceEur: number | null }>;
  /** The v2 method id behind it (v2 accounts; v3 options mapped through `compat/shipping-options`). */
  readonly legacyId?: number | undefined;
  /** Carries several parcels as one shipment (v3 `functionalities.multicollo`; v2: see V2Port). */
  readonly multicollo?: boolean;
  /** At most this many parcels in one shipment, where SendCloud says (default 20). */
  readonly maxColli?: number;
  /** The recipient signs for it (v3 `functionalities.signature`; v2: the method's name says so). */
  readonly signature?: boolean;
  /** The recipient's age is checked at the door (v3 `functionalities.age_check`). */
  readonly ageCheck?: number | null;
  /** May be left with a neighbour (v3 `functionalities.neighbor_delivery`); false: never; absent: unknown. */
  readonly neighbourDelivery?: boolean;
  /** What the carrier insures a parcel for, EUR (v3 `functionalities.insurance`). */
  readonly insuranceEur?: number;
}

/** What the catalogue is asked for: v3 quotes shipping options per shipment, v2 lists every method. */
export interface CatalogQuery {
  readonly toCountry: string;
  /** Default: the account's sender country. For returns: the customer's country. */
  readonly fromCountry?: string;
  readonly weightGrams: number;
  readonly dimensionsCm?: { readonly length: number; readonly width: number; readonly height: number };
  readonly servicePointId?: number;
  /** Return methods instead of outgoing ones. */
  readonly returns?: boolean;
}

/** One method of the account's whole catalogue (what a catalogue snapshot keeps): no prices, no limits. */
export interface AccountMethod {
  readonly ref: MethodRef;
  readonly name: string;
  readonly carrier: string;
  /** The v2 method id (v2 accounts); absent for v3 options. */
  readonly legacyId?: number | undefined;
  /** A return method / option. */
  readonly returns: boolean;
}

/** Why a method named by a create is refused when the account no longer has it (port-neutral wording). */
export const methodGoneReason = (ref: MethodRef): string =>
  `shipping method ${ref} no longer exists in the account's SendCloud catalogue`;

export interface Catalog {
  readonly methods: readonly CatalogMethod[];
  /** The sender country of the account's default sender address. */
  readonly fromCountry: string;
}

/**
 * A status as SendCloud reported it, in both vocabularies: the v2 numeric id (which integration webhooks
 * keep sending for v3 accounts too) and the v3 code. Each adapter fills both (mapping through one table);
 * our normalized status is derived from the id (`shared/tracking/normalizedStatus.ts`).
 */
export interface StatusObservation {
  readonly id: number;
  readonly code: string;
  readonly message: string;
}

export interface ShippedParcel {
  /** SendCloud's parcel id (both versions use integers for parcels). */
  readonly id: number;
  readonly trackingNumber: string | null;
  readonly trackingUrl: string | null;
  readonly status: StatusObservation;
  /** 1-based position in a multicollo shipment. */
  readonly colloNumber?: number;
  /** When SendCloud last changed it (polling), ISO 8601. */
  readonly updatedAt?: string | undefined;
  readonly externalReference?: string | null;
}

/** A shipment SendCloud holds: v2 parcel(s) of one external reference, or one v3 shipment. */
export interface Shipment {
  /** v2: the (first) parcel id as a string; v3: the shipment id. */
  readonly id: string;
  readonly externalReference: string | null;
  readonly parcels: readonly ShippedParcel[];
  readonly carrier: string | null;
  readonly method: MethodRef | null;
  readonly methodName: string | null;
  /**
   * `announced`: a label exists or is being made; `refused`: the carrier refused it (v2 status 1002, v3
   * `ANNOUNCEMENT_FAILED`); `unannounced`: held without a label (v2 999); `cancelled`.
   */
  readonly state: 'announced' | 'refused' | 'unannounced' | 'cancelled';
  /** Why the carrier refused it, when `refused`. */
  readonly refusal?: string | undefined;
}

/** A shipment to announce, in our units. */
export interface ShipmentDraft {
  /** Unique per SendCloud account: the key for reconciliation after a crash or a lost answer. */
  readonly externalReference: string;
  readonly orderNumber?: string;
  readonly recipient: Address;
  /** Return shipments: the customer sending goods back; otherwise the account's default sender address. */
  readonly from?: Address;
  /** The box's weight; for several boxes, the heaviest one's. */
  readonly weightGrams: number;
  readonly dimensionsCm?: { readonly length: number; readonly width: number; readonly height: number };
  /**
   * Several boxes (2–20) as one multicollo shipment, in order: v3 sends each parcel; v2 sends `quantity`
   * with the heaviest box's weight for every collo (v2 has one weight per request).
   */
  readonly colli?: ReadonlyArray<{
    readonly weightGrams: number;
    readonly dimensionsCm?: { readonly length: number; readonly width: number; readonly height: number };
  }>;
  readonly method: MethodRef;
  readonly servicePointId?: number;
  readonly orderValue?: { readonly amount: string; readonly currency: string };
  /** Total cover wanted per parcel, EUR (SendCloud tops up what the carrier insures). */
  readonly insuredValueEur?: number;
  /** What the chosen method's carrier covers already, EUR (v3 `functionalities.insurance`). */
  readonly includedInsuranceEur?: number;
  readonly items?: readonly ParcelItemDraft[];
  readonly customs?: {
    readonly invoiceNumber: string;
    readonly shipmentType: 'gift' | 'documents' | 'commercial_goods' | 'commercial_sample' | 'returned_goods';
    readonly exportType?: 'private' | 'commercial_b2c' | 'commercial_b2b';
    /** ISO date of the invoice (SendCloud's default: the day it is announced). */
    readonly invoiceDate?: string;
    readonly taxNumbers?: {
      readonly sender?: readonly TaxNumber[];
      readonly receiver?: readonly TaxNumber[];
      readonly importerOfRecord?: readonly TaxNumber[];
    };
    /** Who imports the goods when it is not the recipient. */
    readonly importerOfRecord?: Address;
  };
  readonly isReturn?: boolean;
}

/** A tax or identification number on customs papers: VAT (also Norway's VOEC), EORI, IOSS, … */
export interface TaxNumber {
  readonly kind: string;
  readonly country: string;
  readonly value: string;
}

export type AnnounceOutcome =
  | {
      readonly outcome: 'announced';
      readonly shipment: Shipment;
      /** Found by external reference (an earlier attempt's) rather than created by this call. */
      readonly reconciled: boolean;
    }
  /**
   * The carrier refused: fall back to another method. `shipment` is what SendCloud keeps, if anything.
   * `methodGone`: not the carrier but the account — the method is no longer in its catalogue (a method taken
   * out after routing chose it); the port has dropped its cached catalogue already.
   */
  | {
      readonly outcome: 'carrier_refused';
      readonly reason: string;
      readonly shipment?: Shipment;
      readonly methodGone?: true;
    }
  /** SendCloud refused the data itself (an address, a weight): final, the caller must change the order. */
  | { readonly outcome: 'rejected'; readonly reason: string };

export type LabelFormat = 'a6' | 'zpl';

/** What an API can merge in one call: the formats, and at most how many parcels a call. */
export interface BulkLabelSupport {
  readonly formats: readonly LabelFormat[];
  readonly maxParcels: number;
}

export interface StatusUpdate {
  readonly parcelId: number;
  readonly externalReference: string | null;
  readonly status: StatusObservation;
  /** ISO 8601; whole seconds where SendCloud gives no more. */
  readonly updatedAt: string;
}

/** SendCloud's side of a return: its status and refund. */
export interface SendcloudReturn {
  /** SendCloud's return id; null when it was listed without one (v3 documents no id in its return objects). */
  readonly id: number | null;
  readonly createdAt: string;
  readonly parcelId: number | null;
  readonly trackingNumber: string | null;
  readonly parcelStatus: { readonly id: number; readonly message: string } | null;
  readonly deliveredAt: string | null;
  readonly refund: unknown;
  readonly isCancellable: boolean | null;
  readonly labelCost: { readonly amount: number; readonly currency: string | null } | null;
}

/** What to cancel at SendCloud: one shipment (v2: its parcels; v3: the shipment, or a return). */
export interface CancelTarget {
  /** v2: the (first) parcel id as a string; v3: the shipment id, or SendCloud's return id for a return. */
  readonly id: string;
  /** The shipment's parcels (v2 cancels parcel by parcel). */
  readonly parcelIds: readonly number[];
  readonly isReturn?: boolean;
}

/**
 * SendCloud's answer to a cancel, version-neutral: `cancelled` (now; v2 200 or 410 deleted, v3 200);
 * `requested` (queued — SendCloud completes it later and tracking shows it: v2 202, v3 202); `too_late`
 * (handed over, past the carrier's deadline, or otherwise not cancellable: v2 400, v3 409);
 * `already_cancelled` (v2 400 / v3 409 "already being cancelled"); `not_found` (404). `message` is
 * SendCloud's own.
 */
export interface CancelOutcome {
  readonly outcome: 'cancelled' | 'requested' | 'too_late' | 'already_cancelled' | 'not_found';
  readonly message: string;
}

/** SendCloud's refusal that says the shipment is already (being) cancelled, rather than too late. */
export const isAlreadyCancelledMessage = (message: string): boolean =>
  /already (being )?cancel/i.test(message);

/**
 * One outcome for the outcomes of a shipment's parcels: too late if any is (the others may be cancelled:
 * SendCloud has no all-or-nothing cancel), else requested, cancelled, already cancelled, not found.
 */
export function combineCancelOutcomes(outcomes: readonly CancelOutcome[]): CancelOutcome {
  for (const kind of ['too_late', 'requested', 'cancelled', 'already_cancelled'] as const) {
    const found = outcomes.find((o) => o.outcome === kind);
    if (found) return found;
  }
  return outcomes[0] ?? { outcome: 'not_found', message: 'no parcel to cancel' };
}

export interface SendcloudPort {
  readonly version: ApiVersion;

  /**
   * The methods that may carry this shipment and the account's sender country. Adapters cache (v2: the whole
   * method list; v3: per destination, weight and service point — each quote is a POST, which counts against
   * the write budget), never longer than 10 minutes: method ids are volatile at SendCloud.
   */
  catalog(query: CatalogQuery): Promise<Catalog>;

  /**
   * Every method the account has, read from SendCloud now (never from the cache), outgoing and return ones:
   * what a catalogue refresh compares with its snapshot. v2: `GET /shipping_methods` (twice: outgoing, returns);
   * v3: `POST /shipping-options` without a destination (twice), which counts against the write budget.
   */
  accountMethods(): Promise<readonly AccountMethod[]>;

  /** Drops the cached catalogue (and quotes): the next `catalog` asks SendCloud. */
  forgetCatalog(): void;

  /**
   * Where a v2 method id points on this account's API: itself on v2, the v3 option (through
   * `POST /compat/shipping-options`) on v3; null for an id that did not map. For moving rule sets to v3.
   */
  mapLegacyMethods(ids: readonly number[]): Promise<Map<number, MethodRef | null>>;

  /**
   * Announces one shipment synchronously. Never creates twice blindly: after a timeout, a lost answer, a 429
   * or a 5xx it looks the shipment up by its external reference before trying again. A duplicate reference
   * that SendCloud answers with the existing shipment is `announced`, `reconciled: true`.
   */
  announce(draft: ShipmentDraft): Promise<AnnounceOutcome>;

  /**
   * Announces again after a carrier refusal, with another method. v2 reuses the refused parcel (PUT); v3 needs
   * a new shipment, so the draft carries a new external reference — the caller records it before calling.
   */
  reannounce(refused: Shipment, draft: ShipmentDraft): Promise<AnnounceOutcome>;

  /** Announces many at once where the version can (v2 batch create); one outcome per external reference. */
  announceMany(drafts: readonly ShipmentDraft[]): Promise<Map<string, AnnounceOutcome>>;

  /** The shipment SendCloud holds for this external reference, if any. */
  find(externalReference: string): Promise<Shipment | undefined>;

  /**
   * Cancels a shipment (its label, so it is not billed). Every documented answer is an outcome; anything
   * else (5xx, timeouts) throws. Never retried blindly: a cancel that may have arrived is asked again by the
   * caller, and SendCloud then answers `already_cancelled` or `requested`.
   */
  cancel(target: CancelTarget): Promise<CancelOutcome>;

  /** A parcel's label: A6 PDF or ZPL. */
  label(parcelId: number, format: LabelFormat): Promise<Uint8Array>;

  /** The formats `labels` merges and its largest call (v2: A6 only, label_printer has no ZPL; v3: both, 20). */
  readonly bulkLabels: BulkLabelSupport;

  /**
   * One merged file of many parcels' labels, asked for in the order given. SendCloud documents no page order
   * and leaves out parcels without a label, so a caller matches pages to parcels by their content. A format
   * outside `bulkLabels.formats` or more than `maxParcels` ids is a RangeError.
   */
  labels(parcelIds: readonly number[], format: LabelFormat): Promise<Uint8Array>;

  /** One parcel's label on A4 (PDF), at position 0–3 of the sheet. */
  a4Label(parcelId: number, position: 0 | 1 | 2 | 3): Promise<Uint8Array>;

  /**
   * The parcel's customs document as PDF — the paper that travels with a box leaving the EU customs union
   * (v2: the commercial invoice, else the CN23; v3: the customs declaration) — or undefined when SendCloud
   * has none (404), as for every parcel within the EU. Never an error for a parcel without one.
   */
  customsDocument(parcelId: number): Promise<Uint8Array | undefined>;

  /** The account's default sender address (where returns go), or undefined when it has none. */
  senderAddress(): Promise<Address | undefined>;

  /** The carrier of a service point, or undefined when the point does not exist. */
  servicePointCarrier(servicePointId: number): Promise<string | undefined>;

  /** Every parcel updated since `since`, page by page (for accounts without webhooks). */
  updatedSince(since: Date): AsyncGenerator<StatusUpdate[], void, undefined>;

  /** The return portal link for an outbound parcel, or null when the account has none. */
  returnPortalUrl(parcelId: number, shipmentId?: string): Promise<string | null>;

  /**
   * One page of the account's returns, newest first. `cursor` is the adapter's own (opaque to callers); v3
   * needs a date window, which the adapter sets to the last `windowDays` (default 90).
   */
  returnsPage(
    cursor?: string,
    options?: { readonly windowDays?: number },
  ): Promise<{ readonly returns: readonly SendcloudReturn[]; readonly next: string | null }>;

  getReturn(id: number): Promise<SendcloudReturn>;
}

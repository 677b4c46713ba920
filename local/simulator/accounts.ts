import * as z from 'zod';
import type { RateLimitRules } from '../../shared/sendcloud/RateLimiter';
import { type BulkPageOrder, DEFAULT_BULK_PAGE_ORDER } from './bulkPageOrder';

/**
 * What a second create with an `external_reference` the account already holds does. Real v2 behaviour is
 * unrecorded (REFERENCE.md §10.4), so each possibility can be played: `accept` creates another parcel (no
 * uniqueness enforced — the worst case: a second billed label), `reject` answers 400, `return-existing`
 * answers the parcel already there, unchanged.
 */
export const DUPLICATE_REFERENCE_MODES = ['accept', 'reject', 'return-existing'] as const;
export type DuplicateReferenceMode = (typeof DUPLICATE_REFERENCE_MODES)[number];
export const DEFAULT_DUPLICATE_REFERENCE_MODE: DuplicateReferenceMode = 'reject';

/**
 * Which API an account may create parcels with. `v3` stands for an account created after 13 April 2026:
 * SendCloud closed v2 `POST /parcels` to those (REFERENCE.md §0), while v3 is open to every account.
 */
export const API_VERSIONS = ['v2', 'v3'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** An account's own limits (SendCloud's differ by account: 1,000 or 420 GETs a minute); `false`: none. */
export type SimRateLimits = RateLimitRules | false;

/** A simulated SendCloud account: its API keys, sender addresses, webhook and return portal. */
export interface SimAccount {
  readonly id: string;
  readonly publicKey: string;
  readonly secretKey: string;
  /** Where `parcel_status_changed` goes; none → no webhooks (accounts that poll). */
  webhookUrl: string | null;
  /** Key for `Sendcloud-Signature`; SendCloud uses the integration's secret key. */
  readonly webhookSecret: string;
  /**
   * The account's one API integration: what the Orders API's `order_details.integration.id` and
   * `integration_id` must name (`PUT /__sim/accounts/{id}/integration-id`).
   */
  integrationId: number;
  /** How long an order's label request stays `ANNOUNCING` on the simulator's clock (`PUT …/async-announce-ms`). */
  asyncAnnounceMs: number;
  /** Brand domain for return-portal links; null → "no portal". */
  readonly brandDomain: string | null;
  /** The account's one brand (`GET /brands`), which its sender addresses name as `brand_id` (as recorded). */
  readonly brandId: number;
  /** What `PUT /integrations/{id}` changed (its webhook lives in `webhookUrl`); null until then. */
  integrationSettings: {
    readonly shopName: string;
    readonly shopUrl: string;
    readonly servicePointEnabled: boolean;
    readonly servicePointCarriers: readonly string[];
    readonly updatedAt: Date;
  } | null;
  readonly senderAddresses: ReadonlyArray<
    Record<string, unknown> & { readonly id: number; readonly country: string }
  >;
  /** Published Dynamic Checkout configuration ids. */
  readonly checkoutConfigurations: readonly string[];
  /** How a create with an external reference already used in this account is answered. */
  duplicateExternalReference: DuplicateReferenceMode;
  /** The page order of merged label files (`PUT …/bulk-page-order`): SendCloud documents none. */
  bulkPageOrder: BulkPageOrder;
  /** Its own rate limits; undefined → the simulator's (SendCloud's documented defaults unless started otherwise). */
  rateLimits: SimRateLimits | undefined;
  /** `v3`: v2 parcel creation is refused with 403. */
  readonly api: ApiVersion;
  /** The integration accepts OAuth2 bearer tokens only: Basic authentication is refused with 401. */
  readonly oauthOnly: boolean;
  /**
   * Catalogue methods (by v2 id; v3 options are the same products) taken out of this account, as when a
   * carrier contract ends or a product is switched off in the panel (`/__sim/accounts/{id}/catalogue`).
   */
  readonly removedMethods: Set<number>;
}

export interface SimAccountInput {
  readonly id: string;
  readonly publicKey: string;
  readonly secretKey: string;
  readonly webhookUrl?: string | null;
  readonly webhookSecret?: string;
  readonly brandDomain?: string | null;
  /** Default `reject`, or the simulator's own default when it is started with one. */
  readonly duplicateExternalReference?: DuplicateReferenceMode;
  /** Default `requested`: merged label files hold pages in the order of the ids asked for. */
  readonly bulkPageOrder?: BulkPageOrder;
  /** Default: the simulator's `rateLimits`; also settable by `PUT /__sim/accounts/{id}/rate-limits`. */
  readonly rateLimits?: SimRateLimits;
  /** Default `v2` (an account from before 13 April 2026); `v3` is refused v2 parcel creation. */
  readonly api?: ApiVersion;
  /** Default false; true: only OAuth2 bearer tokens authenticate (the token endpoint still takes Basic). */
  readonly oauthOnly?: boolean;
  /** Default `FIRST_INTEGRATION_ID` + the account's position in the simulator's list (241526 for the first). */
  readonly integrationId?: number;
  /** Default `DEFAULT_ASYNC_ANNOUNCE_MS`. */
  readonly asyncAnnounceMs?: number;
}

/** The integration id of the first account (an API integration id of the OCA recordings); the next ones count up. */
export const FIRST_INTEGRATION_ID = 241_526;
/** The brand id of the first account (the OCA recordings' brand); the next ones count up. */
export const FIRST_BRAND_ID = 93_524;
/** The wait of an order's label request before the carrier answers: long enough for a client to see `ANNOUNCING`. */
export const DEFAULT_ASYNC_ANNOUNCE_MS = 300;

export function simAccount(
  input: SimAccountInput,
  defaults: {
    readonly duplicateExternalReference?: DuplicateReferenceMode;
    /** The account's place in the simulator's list, for a default integration id that is the same every run. */
    readonly position: number;
  },
): SimAccount {
  const integrationId = input.integrationId ?? FIRST_INTEGRATION_ID + defaults.position;
  const brandId = FIRST_BRAND_ID + defaults.position;
  return {
    id: input.id,
    publicKey: input.publicKey,
    secretKey: input.secretKey,
    webhookUrl: input.webhookUrl ?? null,
    webhookSecret: input.webhookSecret ?? input.secretKey,
    integrationId,
    asyncAnnounceMs: input.asyncAnnounceMs ?? DEFAULT_ASYNC_ANNOUNCE_MS,
    brandDomain: input.brandDomain === undefined ? `${input.id}-shop` : input.brandDomain,
    brandId,
    integrationSettings: null,
    checkoutConfigurations: [`${input.id}-checkout`],
    duplicateExternalReference:
      input.duplicateExternalReference ??
      defaults.duplicateExternalReference ??
      DEFAULT_DUPLICATE_REFERENCE_MODE,
    bulkPageOrder: input.bulkPageOrder ?? DEFAULT_BULK_PAGE_ORDER,
    rateLimits: input.rateLimits,
    api: input.api ?? 'v2',
    oauthOnly: input.oauthOnly ?? false,
    removedMethods: new Set(),
    senderAddresses: [
      {
        id: integrationId * 10 + 1,
        company_name: 'Voorbeeld Webwinkel B.V.',
        contact_name: 'Warehouse',
        email: 'warehouse@example.invalid',
        telephone: '+31401234567',
        street: 'Insulindelaan',
        house_number: '115',
        postal_box: '',
        postal_code: '5642CV',
        city: 'Eindhoven',
        country: 'NL',
        country_state: null,
        vat_number: '',
        eori_number: '',
        brand_id: brandId,
        label: 'Warehouse Eindhoven',
        signature_full_name: '',
        signature_initials: '',
      },
      {
        id: integrationId * 10 + 2,
        company_name: 'Voorbeeld Webwinkel BV',
        contact_name: 'Magazijn Antwerpen',
        email: 'antwerpen@example.invalid',
        telephone: '+3231234567',
        street: 'Noorderlaan',
        house_number: '147',
        postal_box: '',
        postal_code: '2030',
        city: 'Antwerpen',
        country: 'BE',
        country_state: null,
        vat_number: '',
        eori_number: '',
        brand_id: brandId,
        label: 'Warehouse Antwerpen',
        signature_full_name: '',
        signature_initials: '',
      },
    ],
  };
}

const Windows = z
  .array(z.object({ limit: z.number().int().positive(), windowMs: z.number().int().positive() }))
  .min(1);

/**
 * The body of `PUT /__sim/accounts/{id}/rate-limits`: `{"read": [{"limit": 420, "windowMs": 60000}]}` (a
 * kind left out keeps the simulator's default windows) or `{"enabled": false}`.
 */
export const SimRateLimitsInput = z.union([
  z.object({ enabled: z.literal(false) }).strict(),
  z
    .object({ read: Windows.optional(), write: Windows.optional() })
    .strict()
    .refine((input) => input.read || input.write, 'give "read", "write" or both'),
]);

export function rateLimitsFrom(
  input: z.infer<typeof SimRateLimitsInput>,
  defaults: RateLimitRules,
): SimRateLimits {
  if ('enabled' in input) return false;
  return { read: input.read ?? defaults.read, write: input.write ?? defaults.write };
}

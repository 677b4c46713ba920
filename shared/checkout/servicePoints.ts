import type { ServicePoint } from '../sendcloud';
import * as z from '../validation/zod';
import type { CheckoutSource } from './CheckoutSource';
import { type Looked, LookupCache, type Lookups } from './LookupCache';
import { AccountParam, CountryParam, PostalCodeParam } from './params';

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const SHOP_TYPES = ['servicepoint', 'locker', 'post_office', 'carrier_depot'] as const;

const list = (text: string | undefined) =>
  text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `GET /service-points` query: near a postal code or a position, optionally by carrier and type. */
export const ServicePointQuery = z
  .object({
    account: AccountParam,
    country: CountryParam,
    postalCode: z.optional(PostalCodeParam),
    latitude: z.optional(z.coerce.number().check(z.gte(-90), z.lte(90))),
    longitude: z.optional(z.coerce.number().check(z.gte(-180), z.lte(180))),
    radius: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(50_000)), 5_000),
    carrier: z.pipe(
      z.optional(z.string()),
      z.transform((s) => list(s)),
    ),
    type: z.pipe(
      z.pipe(
        z.optional(z.string()),
        z.transform((s) => list(s)),
      ),
      z.optional(z.array(z.enum(SHOP_TYPES))),
    ),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  })
  .check(
    z.refine((q) => q.postalCode !== undefined || (q.latitude !== undefined && q.longitude !== undefined), {
      message: 'give postalCode, or latitude and longitude',
      path: ['postalCode'],
    }),
    z.refine((q) => (q.latitude === undefined) === (q.longitude === undefined), {
      message: 'latitude and longitude go together',
      path: ['longitude'],
    }),
  );
export type ServicePointQuery = z.infer<typeof ServicePointQuery>;

export interface OpeningDay {
  readonly day: (typeof DAYS)[number];
  /** Periods of the day, `HH:MM` local time; empty when closed. */
  readonly periods: ReadonlyArray<{ readonly opens: string; readonly closes: string }>;
  /** What a UI prints: "08:00–12:00, 13:00–18:00" or "closed". */
  readonly text: string;
}

/** A service point as a checkout shows it, and the id to put on the order. */
export interface ServicePointView {
  readonly id: number;
  readonly name: string;
  readonly carrier: string;
  readonly type: string | null;
  readonly address: {
    readonly street: string;
    readonly houseNumber: string;
    readonly postalCode: string;
    readonly city: string;
    readonly country: string;
  };
  readonly position: { readonly latitude: number; readonly longitude: number };
  readonly distanceMeters: number | null;
  readonly openingHours: readonly OpeningDay[];
  readonly openTomorrow: boolean | null;
  readonly active: boolean;
  /** `delivery` for an order that goes to this point. */
  readonly order: { readonly delivery: { readonly type: 'service_point'; readonly servicePointId: number } };
}

export function openingHours(times: Readonly<Record<string, readonly string[]>> | undefined): OpeningDay[] {
  return DAYS.map((day, index) => {
    const periods = (times?.[String(index)] ?? []).flatMap((range) => {
      const match = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(range);
      return match?.[1] && match[2]
        ? [{ opens: match[1].padStart(5, '0'), closes: match[2].padStart(5, '0') }]
        : [];
    });
    return {
      day,
      periods,
      text: periods.length === 0 ? 'closed' : periods.map((p) => `${p.opens}–${p.closes}`).join(', '),
    };
  });
}

export function servicePointView(point: ServicePoint): ServicePointView {
  return {
    id: point.id,
    name: point.name,
    carrier: point.carrier,
    type: point.general_shop_type ?? point.shop_type ?? null,
    address: {
      street: point.street,
      houseNumber: point.house_number,
      postalCode: point.postal_code,
      city: point.city,
      country: point.country,
    },
    position: { latitude: Number(point.latitude), longitude: Number(point.longitude) },
    distanceMeters: point.distance ?? null,
    openingHours: openingHours(point.formatted_opening_times),
    openTomorrow: point.open_tomorrow ?? null,
    active: point.is_active,
    order: { delivery: { type: 'service_point', servicePointId: point.id } },
  };
}

export interface ServicePointsAnswer {
  readonly servicePoints: readonly ServicePointView[];
  readonly stale: boolean;
  readonly fetchedAt: string;
  readonly degradedReason?: string;
}

const answer = (looked: Looked<ServicePoint[]>, limit: number): ServicePointsAnswer => ({
  servicePoints: looked.value
    .filter((p) => p.is_active)
    .slice(0, limit)
    .map(servicePointView),
  stale: looked.stale,
  fetchedAt: looked.fetchedAt,
  ...(looked.degradedReason ? { degradedReason: looked.degradedReason } : {}),
});

/** Nearby points, cached per query (the cache key has no personal data: a postcode area or a position). */
export async function searchServicePoints(
  query: ServicePointQuery,
  deps: { readonly client: CheckoutSource; readonly cache: Lookups },
): Promise<ServicePointsAnswer> {
  const search = {
    country: query.country,
    ...(query.postalCode ? { postal_code: query.postalCode } : {}),
    ...(query.latitude !== undefined && query.longitude !== undefined
      ? {
          latitude: Math.round(query.latitude * 1e4) / 1e4,
          longitude: Math.round(query.longitude * 1e4) / 1e4,
        }
      : {}),
    radius: query.radius,
    ...(query.carrier?.length ? { carrier: query.carrier } : {}),
    ...(query.type?.length ? { general_shop_type: query.type } : {}),
  };
  const key = LookupCache.keyOf('service-points', [query.account, search]);
  const looked = await deps.cache.get(key, () => deps.client.servicePoints.search(search));
  return answer(looked, query.limit);
}

/** One point by id, cached; undefined when SendCloud says it does not exist. */
export async function getServicePoint(
  id: number,
  deps: { readonly client: CheckoutSource; readonly cache: Lookups; readonly account: string },
): Promise<(Looked<ServicePoint> & { readonly view: ServicePointView }) | undefined> {
  const key = LookupCache.keyOf('service-point', [deps.account, id]);
  try {
    const looked = await deps.cache.get(key, () => deps.client.servicePoints.get(id));
    return { ...looked, view: servicePointView(looked.value) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export const isNotFound = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404;

/**
 * A generated, deterministic service-point dataset around real NL/BE/DE/FR postcode areas: the same
 * input always yields the same points, ids, positions and opening times.
 */
interface Anchor {
  readonly country: string;
  readonly postalPrefix: string;
  readonly postalCode: string;
  readonly city: string;
  readonly lat: number;
  readonly lng: number;
  readonly streets: readonly string[];
}

const ANCHORS: readonly Anchor[] = [
  {
    country: 'NL',
    postalPrefix: '101',
    postalCode: '1012AB',
    city: 'Amsterdam',
    lat: 52.3745,
    lng: 4.898,
    streets: ['Damrak', 'Nieuwendijk', 'Kalverstraat', 'Warmoesstraat', 'Spuistraat'],
  },
  {
    country: 'NL',
    postalPrefix: '351',
    postalCode: '3511AB',
    city: 'Utrecht',
    lat: 52.0907,
    lng: 5.1214,
    streets: ['Oudegracht', 'Lange Elisabethstraat', 'Vredenburg'],
  },
  {
    country: 'NL',
    postalPrefix: '301',
    postalCode: '3011AA',
    city: 'Rotterdam',
    lat: 51.9225,
    lng: 4.4792,
    streets: ['Coolsingel', 'Hoogstraat', 'Meent'],
  },
  {
    country: 'NL',
    postalPrefix: '251',
    postalCode: '2511AA',
    city: 'Den Haag',
    lat: 52.0786,
    lng: 4.3111,
    streets: ['Spui', 'Grote Marktstraat', 'Korte Poten'],
  },
  {
    country: 'NL',
    postalPrefix: '564',
    postalCode: '5642CV',
    city: 'Eindhoven',
    lat: 51.4571,
    lng: 5.4833,
    streets: ['Insulindelaan', 'Kastanjelaan', 'Woenselse Markt'],
  },
  {
    country: 'NL',
    postalPrefix: '971',
    postalCode: '9711AA',
    city: 'Groningen',
    lat: 53.2194,
    lng: 6.5665,
    streets: ['Herestraat', 'Oosterstraat', 'Vismarkt'],
  },
  {
    country: 'BE',
    postalPrefix: '100',
    postalCode: '1000',
    city: 'Bruxelles',
    lat: 50.8467,
    lng: 4.3525,
    streets: ['Rue Neuve', 'Boulevard Anspach', 'Rue du Midi'],
  },
  {
    country: 'BE',
    postalPrefix: '200',
    postalCode: '2000',
    city: 'Antwerpen',
    lat: 51.2194,
    lng: 4.4025,
    streets: ['Meir', 'Groenplaats', 'Nationalestraat'],
  },
  {
    country: 'BE',
    postalPrefix: '900',
    postalCode: '9000',
    city: 'Gent',
    lat: 51.0543,
    lng: 3.7174,
    streets: ['Veldstraat', 'Korenmarkt', 'Vrijdagmarkt'],
  },
  {
    country: 'DE',
    postalPrefix: '101',
    postalCode: '10115',
    city: 'Berlin',
    lat: 52.532,
    lng: 13.3849,
    streets: ['Invalidenstraße', 'Chausseestraße', 'Torstraße'],
  },
  {
    country: 'DE',
    postalPrefix: '200',
    postalCode: '20095',
    city: 'Hamburg',
    lat: 53.5511,
    lng: 10.0006,
    streets: ['Mönckebergstraße', 'Spitalerstraße', 'Steinstraße'],
  },
  {
    country: 'DE',
    postalPrefix: '506',
    postalCode: '50667',
    city: 'Köln',
    lat: 50.9384,
    lng: 6.9599,
    streets: ['Hohe Straße', 'Schildergasse', 'Breite Straße'],
  },
  {
    country: 'FR',
    postalPrefix: '750',
    postalCode: '75001',
    city: 'Paris',
    lat: 48.8625,
    lng: 2.3364,
    streets: ['Rue de Rivoli', 'Rue Saint-Honoré', 'Rue du Louvre'],
  },
  {
    country: 'FR',
    postalPrefix: '690',
    postalCode: '69001',
    city: 'Lyon',
    lat: 45.7676,
    lng: 4.8344,
    streets: ['Rue de la République', 'Rue Édouard Herriot', 'Quai Saint-Vincent'],
  },
];

const CARRIERS_BY_COUNTRY: Readonly<Record<string, readonly string[]>> = {
  NL: ['postnl', 'dhl', 'dpd', 'ups'],
  BE: ['bpost', 'postnl', 'dpd', 'ups', 'mondial_relay'],
  DE: ['dhl', 'dpd', 'ups'],
  FR: ['colissimo', 'mondial_relay', 'dpd', 'ups'],
};

const SHOPS = [
  'Albert Heijn',
  'Jumbo',
  'Primera',
  'Bruna',
  'Gamma',
  'Kiosk',
  'Tabac Presse',
  'Spar',
  'Carrefour Express',
  'Pakketwinkel',
];
const LOCKER_NAMES: Readonly<Record<string, string>> = {
  postnl: 'PostNL Pakketautomaat',
  dhl: 'DHL Packstation',
  bpost: 'bpost Pakjesautomaat',
  dpd: 'DPD Pickup Station',
  ups: 'UPS Access Point Locker',
  colissimo: 'Consigne Pickup',
  mondial_relay: 'Locker Mondial Relay',
};
const POINTS_PER_CARRIER = 6;

export interface SimServicePoint {
  readonly id: number;
  readonly code: string;
  readonly is_active: boolean;
  readonly shop_type: string | null;
  readonly general_shop_type: 'servicepoint' | 'locker' | 'post_office';
  readonly extra_data: Record<string, unknown>;
  readonly name: string;
  readonly street: string;
  readonly house_number: string;
  readonly postal_code: string;
  readonly city: string;
  readonly latitude: string;
  readonly longitude: string;
  readonly email: string;
  readonly phone: string;
  readonly homepage: string;
  readonly carrier: string;
  readonly country: string;
  readonly formatted_opening_times: Record<string, string[]>;
  readonly open_tomorrow: boolean;
  readonly open_upcoming_week: boolean;
}

/** mulberry32: a tiny seeded PRNG, so the dataset is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function openingTimes(
  kind: SimServicePoint['general_shop_type'],
  random: () => number,
): Record<string, string[]> {
  if (kind === 'locker')
    return Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, ['00:00 - 23:59']]));
  const open = ['08:00', '08:30', '09:00'][Math.floor(random() * 3)] ?? '09:00';
  const close = ['18:00', '20:00', '21:00'][Math.floor(random() * 3)] ?? '18:00';
  const lunch = random() < 0.3;
  const weekday = lunch ? [`${open} - 12:30`, `13:30 - ${close}`] : [`${open} - ${close}`];
  const sunday = random() < 0.4 ? ['12:00 - 17:00'] : [];
  return {
    '0': weekday,
    '1': weekday,
    '2': weekday,
    '3': weekday,
    '4': weekday,
    '5': ['09:00 - 17:00'],
    '6': sunday,
  };
}

/**
 * PostNL points carry their retail network and terminal type (onesteinbv servicepoints.json: every one of 999
 * has `retail_network_id` "PNPNL-01", `terminal_type` "NRS" or "", `sales_channel` "PKT M", "PKT L", …).
 */
function extraData(
  carrier: string,
  kind: SimServicePoint['general_shop_type'],
  i: number,
): Record<string, string> {
  const salesChannel = kind === 'locker' ? 'LOCKER' : 'AFHAALPUNT';
  if (carrier !== 'postnl') return { partner_name: carrier, sales_channel: salesChannel };
  const channels = ['PKT M', 'PKT L', 'BUPO RET', 'PKT XL'];
  return {
    partner_name: 'PostNL',
    retail_network_id: 'PNPNL-01',
    sales_channel: kind === 'locker' ? '' : (channels[i % channels.length] ?? 'PKT M'),
    terminal_type: kind === 'locker' ? '' : 'NRS',
  };
}

function build(): SimServicePoint[] {
  const points: SimServicePoint[] = [];
  ANCHORS.forEach((anchor, anchorIndex) => {
    for (const [carrierIndex, carrier] of (CARRIERS_BY_COUNTRY[anchor.country] ?? []).entries()) {
      const random = prng(anchorIndex * 1000 + carrierIndex);
      for (let i = 0; i < POINTS_PER_CARRIER; i++) {
        const kind: SimServicePoint['general_shop_type'] =
          i === 0 ? 'locker' : i === 1 && carrierIndex === 0 ? 'post_office' : 'servicepoint';
        const id = 10_000 + anchorIndex * 1000 + carrierIndex * 100 + i;
        const street =
          anchor.streets[Math.floor(random() * anchor.streets.length)] ?? anchor.streets[0] ?? '';
        const suffix =
          anchor.country === 'NL'
            ? String.fromCharCode(65 + Math.floor(random() * 26), 65 + Math.floor(random() * 26))
            : '';
        points.push({
          id,
          code: `${carrier.toUpperCase().slice(0, 3)}${String(id).padStart(6, '0')}`,
          is_active: true,
          shop_type: kind === 'locker' ? 'locker' : null,
          general_shop_type: kind,
          extra_data: extraData(carrier, kind, i),
          name:
            kind === 'locker'
              ? (LOCKER_NAMES[carrier] ?? 'Locker')
              : (SHOPS[Math.floor(random() * SHOPS.length)] ?? 'Shop'),
          street,
          house_number: String(1 + Math.floor(random() * 180)),
          postal_code:
            anchor.country === 'NL' ? `${anchor.postalCode.slice(0, 4)}${suffix}` : anchor.postalCode,
          city: anchor.city,
          latitude: (anchor.lat + (random() - 0.5) * 0.05).toFixed(6),
          longitude: (anchor.lng + (random() - 0.5) * 0.08).toFixed(6),
          email: '',
          phone: '',
          homepage: '',
          carrier,
          country: anchor.country,
          formatted_opening_times: openingTimes(kind, random),
          open_tomorrow: true,
          open_upcoming_week: true,
        });
      }
    }
  });
  return points;
}

export const SERVICE_POINTS: readonly SimServicePoint[] = build();

export function distanceMetres(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return Math.round(6_371_000 * 2 * Math.asin(Math.sqrt(a)));
}

export interface SearchQuery {
  readonly country: string;
  readonly carriers?: readonly string[];
  readonly postalCode?: string;
  readonly address?: string;
  readonly city?: string;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly radius?: number;
  readonly generalShopTypes?: readonly string[];
}

/** The reference position of a query: its coordinates, or the centre of the postcode/city it names. */
function reference(query: SearchQuery): { lat: number; lng: number } | undefined {
  if (query.latitude !== undefined && query.longitude !== undefined)
    return { lat: query.latitude, lng: query.longitude };
  const text = (query.postalCode ?? query.address ?? '').replace(/\s+/g, '').toUpperCase();
  const anchor =
    ANCHORS.find((a) => a.country === query.country && text.startsWith(a.postalPrefix)) ??
    ANCHORS.find(
      (a) =>
        a.country === query.country &&
        query.city !== undefined &&
        a.city.toLowerCase() === query.city.toLowerCase(),
    );
  return anchor ? { lat: anchor.lat, lng: anchor.lng } : undefined;
}

/**
 * A query naming only the country answered 999 points (onesteinbv servicepoints.json, 2020); no cap of a
 * located query was recorded, so those keep the nearest 100.
 */
const COUNTRY_ONLY_CAP = 999;
const LOCATED_CAP = 100;

export function searchServicePoints(query: SearchQuery): Array<SimServicePoint & { distance?: number }> {
  const ref = reference(query);
  const radius = query.radius ?? 5_000;
  return SERVICE_POINTS.filter((p) => p.country === query.country)
    .filter((p) => !query.carriers?.length || query.carriers.includes(p.carrier))
    .filter((p) => !query.generalShopTypes?.length || query.generalShopTypes.includes(p.general_shop_type))
    .map((p): SimServicePoint & { distance?: number } =>
      ref
        ? { ...p, distance: distanceMetres(ref.lat, ref.lng, Number(p.latitude), Number(p.longitude)) }
        : { ...p },
    )
    .filter((p) => p.distance === undefined || p.distance <= radius)
    .sort((a, b) => (a.distance ?? 0) - (b.distance ?? 0) || a.id - b.id)
    .slice(0, ref ? LOCATED_CAP : COUNTRY_ONLY_CAP);
}

export const servicePointById = (id: number): SimServicePoint | undefined =>
  SERVICE_POINTS.find((p) => p.id === id);
export const servicePointCarriers = (): string[] => [...new Set(SERVICE_POINTS.map((p) => p.carrier))].sort();

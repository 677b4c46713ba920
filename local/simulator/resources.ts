/**
 * The `Allow` and `Vary` headers SendCloud sends per resource, as recorded (BloomAndWild 2024 cassettes;
 * OCA 2022 and onesteinbv 2020 where 2024 has nothing). Every recorded v2 JSON response carries both, the
 * 401 included, so the server sets them before authenticating. Resources not in any recording get the
 * method set their verbs imply (marked "inferred").
 */
export interface SimResource {
  readonly allow: readonly string[];
  readonly vary: string;
}

const READ = ['GET', 'HEAD', 'OPTIONS'] as const;
/** Panel views vary on the session cookie; label and document routes also negotiate on `Accept`. */
const PANEL_VARY = 'Origin, Cookie';
const NEGOTIATED_VARY = 'Accept, Origin, Cookie';

const PANEL: ReadonlyArray<readonly [RegExp, SimResource]> = [
  // create_parcel_request/*, parcels_request/*: GET, POST, PUT, HEAD, OPTIONS
  [/^\/parcels\/?$/, { allow: ['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS'], vary: PANEL_VARY }],
  // operation/correct_credentials (and its 401)
  [/^\/parcels\/statuses\/?$/, { allow: READ, vary: PANEL_VARY }],
  // tracking_request/*: GET, PUT, PATCH, HEAD, OPTIONS
  [/^\/parcels\/\d+\/?$/, { allow: ['GET', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'], vary: PANEL_VARY }],
  // cancel_parcel_request/*: POST, OPTIONS
  [/^\/parcels\/\d+\/cancel\/?$/, { allow: ['POST', 'OPTIONS'], vary: PANEL_VARY }],
  // OCA return_portal/*: GET, HEAD, OPTIONS
  [/^\/parcels\/\d+\/return_portal_url\/?$/, { allow: READ, vary: PANEL_VARY }],
  // inferred: content negotiation by Accept (REFERENCE §3.2)
  [/^\/parcels\/\d+\/documents\/[a-z0-9-]+\/?$/, { allow: READ, vary: NEGOTIATED_VARY }],
  // printer_label_request/*: GET, HEAD, OPTIONS with Vary: Accept, Origin, Cookie (the 404 too)
  [/^\/labels\/(label_printer|normal_printer)(\/\d+)?\/?$/, { allow: READ, vary: NEGOTIATED_VARY }],
  // inferred: the deprecated customs route, a PDF like the label routes beside it (S-v2labels)
  [/^\/customs_declaration\/normal_printer\/\d+\/?$/, { allow: READ, vary: NEGOTIATED_VARY }],
  // inferred
  [/^\/labels\/\d+\/?$/, { allow: READ, vary: PANEL_VARY }],
  [/^\/labels\/?$/, { allow: ['POST', 'OPTIONS'], vary: PANEL_VARY }],
  // onesteinbv shipping_methods, OCA shipping_method
  [/^\/shipping_methods(\/\d+)?\/?$/, { allow: READ, vary: PANEL_VARY }],
  [/^\/shipping-price\/?$/, { allow: READ, vary: PANEL_VARY }],
  // inferred: read-only like the shipping methods
  [/^\/shipping-products\/?$/, { allow: READ, vary: PANEL_VARY }],
  // sender_addresses_request/valid_request
  [/^\/user\/addresses\/sender(\/\d+)?\/?$/, { allow: READ, vary: PANEL_VARY }],
  // OCA and onesteinbv brands.json; OCA invoices.json and invoice.json: GET, HEAD, OPTIONS
  [/^\/brands(\/\d+)?\/?$/, { allow: READ, vary: PANEL_VARY }],
  [/^\/user\/invoices(\/\d+)?\/?$/, { allow: READ, vary: PANEL_VARY }],
  // inferred: the user resource, read-only like the invoices below it
  [/^\/user\/?$/, { allow: READ, vary: PANEL_VARY }],
  // OCA integrations.json: GET, PUT, HEAD, OPTIONS with Vary: Origin; update_integration.json (PUT /{id})
  [/^\/integrations\/?$/, { allow: ['GET', 'PUT', 'HEAD', 'OPTIONS'], vary: 'Origin' }],
  [/^\/integrations\/\d+\/?$/, { allow: ['GET', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'], vary: 'Origin' }],
  // OCA returns
  [/^\/returns(\/\d+)?\/?$/, { allow: READ, vary: PANEL_VARY }],
  [/^\/checkout\/configurations\/[^/]+\/delivery-options\/?$/, { allow: READ, vary: PANEL_VARY }],
];

/** The service-points host has no session: `Vary: Origin` (onesteinbv servicepoints 2020). */
const SERVICE_POINTS: ReadonlyArray<readonly [RegExp, SimResource]> = [
  [/^\/service-points\/$/, { allow: READ, vary: 'Origin' }],
  [/^\/service-points\/\d+(\/check-availability)?\/?$/, { allow: READ, vary: 'Origin' }],
  [/^\/carriers\/?$/, { allow: READ, vary: 'Origin' }],
];

export function resourceFor(host: 'panel' | 'servicePoints', path: string): SimResource | undefined {
  return (host === 'panel' ? PANEL : SERVICE_POINTS).find(([pattern]) => pattern.test(path))?.[1];
}

/**
 * `/service-points?…` answers 301 to the trailing-slash form on the real host (onesteinbv servicepoints
 * 2020, REFERENCE §7); the redirect comes from the framework, before authentication.
 */
export const needsTrailingSlash = (host: 'panel' | 'servicePoints', path: string): boolean =>
  host === 'servicePoints' && path === '/service-points';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `Sendcloud-Partner-Id` is optional, but if sent it must be a UUID (REFERENCE §1, S-v2parcels). */
export const isValidPartnerId = (value: string): boolean => UUID.test(value.trim());

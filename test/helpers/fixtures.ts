import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const FIXTURE_ROOT = join(import.meta.dirname, '..', 'fixtures', 'sendcloud');

/** One recorded response: from a VCR cassette, a Webador mock, or a raw peterberkenbosch body. */
export interface RecordedResponse {
  readonly file: string;
  readonly method: string;
  /** Path below `/api/v2`, e.g. `/parcels/123/cancel`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly status: number;
  readonly body: unknown;
  readonly requestBody: unknown;
  readonly contentType: string | undefined;
  /** False for PDFs and redirects, whose bodies were not recorded. */
  readonly hasJsonBody: boolean;
}

export function fixture<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(join(FIXTURE_ROOT, file), 'utf8')) as T;
}

/** Webador's mocks do not record the request; these are the calls its tests make. */
const WEBADOR_ROUTES: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^testCancelParcel/, 'POST', '/parcels/1/cancel'],
  [/^testCreate(Label|Parcel|MultiParcel)/, 'POST', '/parcels'],
  [/^testGetBulkLabelPdf/, 'POST', '/labels'],
  [/^testGetParcel/, 'GET', '/parcels/1'],
  [/^testGetReturnPortalUrl/, 'GET', '/parcels/1/return_portal_url'],
  [/^testGetSenderAddresses/, 'GET', '/user/addresses/sender'],
  [/^testGetServicePoint$/, 'GET', '/service-points/1'],
  [/^testGetShippingMethods/, 'GET', '/shipping_methods'],
  [/^testGetUser/, 'GET', '/user'],
  [/^testParseRequestException/, 'GET', '/user'],
  [/^testSearchServicePoint/, 'GET', '/service-points/'],
  [/^testUpdateParcel/, 'PUT', '/parcels'],
];

/** peterberkenbosch's raw bodies, by file. */
const PB_ROUTES: Readonly<Record<string, readonly [string, string, number]>> = {
  'labels/retrieve.json': ['GET', '/labels/1', 200],
  'labels/retrieve_bulk.json': ['POST', '/labels', 200],
  'parcels/canceled.json': ['POST', '/parcels/1/cancel', 200],
  'parcels/create.json': ['POST', '/parcels', 200],
  'parcels/list.json': ['GET', '/parcels', 200],
  'parcels/retrieve.json': ['GET', '/parcels/1', 200],
  'parcels/update.json': ['PUT', '/parcels', 200],
  'parcels_status/list.json': ['GET', '/parcels/statuses', 200],
  'service_points/carriers.json': ['GET', '/carriers', 200],
  'service_points/check_availability.json': ['GET', '/service-points/1/check-availability', 200],
  'service_points/list.json': ['GET', '/service-points/', 200],
  'shipping_methods/list.json': ['GET', '/shipping_methods', 200],
  'shipping_methods/retrieve.json': ['GET', '/shipping_methods/1', 200],
};

interface Cassette {
  interactions: Array<{
    request: { method: string; url: string; body?: unknown };
    response: {
      status: number;
      headers?: Record<string, string>;
      body?: unknown;
      body_raw?: string;
      body_omitted?: string;
    };
  }>;
}

export function allJsonFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory()
        ? walk(path)
        : name.endsWith('.json')
          ? [relative(FIXTURE_ROOT, path)]
          : [];
    });
  return walk(FIXTURE_ROOT).sort();
}

/** Every recorded response with a JSON body, across all fixture sets. */
export function recordedResponses(): RecordedResponse[] {
  const out: RecordedResponse[] = [];
  for (const file of allJsonFiles()) {
    if (file.endsWith('webhook_signature_vectors.json')) continue;
    const data = fixture<unknown>(file);
    if (isCassette(data)) {
      for (const { request, response } of data.interactions) {
        const url = new URL(request.url);
        out.push({
          file,
          method: request.method,
          path: url.pathname.replace(/^\/api\/v2/, ''),
          query: url.searchParams,
          status: response.status,
          body: response.body,
          requestBody: request.body,
          contentType: response.headers?.['Content-Type'],
          hasJsonBody: response.body !== undefined,
        });
      }
    } else if (file.startsWith('Webador-sendcloud/')) {
      const mock = data as { test: string; status: number; body: unknown };
      const route = WEBADOR_ROUTES.find(([pattern]) => pattern.test(mock.test));
      if (!route) throw new Error(`no route known for ${file}`);
      out.push({
        file,
        method: route[1],
        path: route[2],
        query: new URLSearchParams(),
        status: mock.status,
        body: mock.body,
        requestBody: undefined,
        contentType: 'application/json',
        hasJsonBody: true,
      });
    } else if (file.startsWith('peterberkenbosch-sendcloud/')) {
      const route = PB_ROUTES[file.replace('peterberkenbosch-sendcloud/', '')];
      if (!route) throw new Error(`no route known for ${file}`);
      out.push({
        file,
        method: route[0],
        path: route[1],
        query: new URLSearchParams(),
        status: route[2],
        body: data,
        requestBody: undefined,
        contentType: 'application/json',
        hasJsonBody: true,
      });
    } else {
      throw new Error(`unrecognised fixture ${file}`);
    }
  }
  return out;
}

function isCassette(data: unknown): data is Cassette {
  return (
    typeof data === 'object' &&
    data !== null &&
    Array.isArray((data as { interactions?: unknown }).interactions)
  );
}

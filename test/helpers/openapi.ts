import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Validates requests against SendCloud's own OpenAPI 3.1 documents with Ajv in 2020-12 mode. The whole
 * document is registered under its name, so `#/components/...` references resolve inside it.
 */
const SPEC_DIR = join(import.meta.dirname, '..', 'fixtures', 'specs');
const DOCUMENTS = {
  parcels: 'v2/sendcloud-v2-parcels-openapi.yml',
  labels: 'v2/sendcloud-v2-labels-openapi.yml',
  documents: 'v2/sendcloud-v2-parcel-documents-openapi.yml',
  // v3 (base /api/v3): SendCloud's own OpenAPI 3.1 files, and the merged bundle (OpenAPI 3.0.3, `nullable`
  // rewritten to 2020-12 type lists on load) for what the 3.1 set lacks: shipping options, compat, sender
  // addresses, parcel statuses, OAuth2.
  v3shipments: 'v3/sendcloud-shipments-openapi.yml',
  v3documents: 'v3/sendcloud-v3-parcel-documents-openapi.yml',
  v3returns: 'v3/sendcloud-v3-returns-openapi.yml',
  v3servicePoints: 'v3/sendcloud-v3-service-points-openapi.yml',
  v3orders: 'v3/sendcloud-v3-orders-openapi.yml',
  v3shipAnOrder: 'v3/sendcloud-v3-ship-an-order-openapi.yml',
  v3tracking: 'v3/sendcloud-v3-parcel-tracking-openapi.yml',
  v3eventSubscriptions: 'v3/sendcloud-v3-event-subscriptions-openapi.yml',
  v3webhooks: 'v3/sendcloud-v3-webhooks-openapi.yml',
  v3merged: 'v3/toppynl-v3-merged-openapi.json',
} as const;
export type SpecName = keyof typeof DOCUMENTS;

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  /** Query arrays: false for a comma list; OpenAPI's default (form style) explodes, repeating the key. */
  explode?: boolean;
  schema: Json;
}

const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const docs = new Map<SpecName, Json>();
for (const [name, file] of Object.entries(DOCUMENTS) as Array<[SpecName, string]>) {
  const text = readFileSync(join(SPEC_DIR, file), 'utf8');
  const doc = (file.endsWith('.json') ? nullableToTypeLists(JSON.parse(text)) : parse(text)) as Json;
  docs.set(name, doc);
  ajv.addSchema(doc, name);
}
const compiled = new Map<string, ValidateFunction>();

/** OpenAPI 3.0 `nullable: true` → the 2020-12 form (`type: [t, "null"]`), so null is allowed where documented. */
function nullableToTypeLists(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToTypeLists);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) out[key] = nullableToTypeLists(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (!out.type) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function validatorAt(spec: SpecName, pointer: string, extra: Json = {}): ValidateFunction {
  const key = `${spec}${pointer}${JSON.stringify(extra)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile({ allOf: [{ $ref: `${spec}#${pointer}` }], ...extra });
    compiled.set(key, validate);
  }
  return validate;
}

const escapePointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

function resolve(spec: SpecName, value: Json): Json {
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  let node: unknown = docs.get(spec);
  for (const part of ref.replace(/^#\//, '').split('/'))
    node = (node as Json)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  return node as Json;
}

function coerce(schema: Json, raw: string): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      return raw.split(',').map((item) => coerce((schema.items as Json | undefined) ?? {}, item));
    default:
      return raw;
  }
}

/**
 * A query parameter as the spec reads it: an array with OpenAPI's default style (form, exploded) repeats its
 * key (`?parcels=1&parcels=2`), joined here for `coerce`; one with `explode: false` is a comma list
 * (`?ids=1,2`). A comma list where the key must repeat is a problem, not a value.
 */
function queryValue(
  spec: SpecName,
  param: Parameter,
  query: URLSearchParams,
): { readonly raw: string | undefined } | { readonly problem: string } {
  const values = query.getAll(param.name);
  if (values.length > 1 && (resolve(spec, param.schema).type !== 'array' || param.explode === false))
    return { problem: `query parameter ${param.name} is repeated; the spec takes one value` };
  if (resolve(spec, param.schema).type === 'array' && param.explode !== false) {
    if (values.some((v) => v.includes(',')))
      return { problem: `query ${param.name}=${values.join('&')}: a comma list; the spec repeats the key` };
    return { raw: values.length === 0 ? undefined : values.join(',') };
  }
  return { raw: values[0] };
}

export interface RequestToValidate {
  readonly method: string;
  /** The spec's path template, e.g. `/parcels/{id}/cancel`. */
  readonly template: string;
  /** The actual path below the base, e.g. `/parcels/7/cancel`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
  /** For `oneOf` bodies whose branches lack `required` (POST /parcels): validate against this branch. */
  readonly bodyBranch?: { readonly index: number; readonly required: readonly string[] };
}

/** Every way the request breaks the spec; an empty list means it validates. */
export function validateRequest(spec: SpecName, request: RequestToValidate): string[] {
  const doc = docs.get(spec) as Json;
  const pathItem = (doc.paths as Json)[request.template] as Json | undefined;
  if (!pathItem) return [`the spec has no path ${request.template}`];
  const operation = pathItem[request.method.toLowerCase()] as Json | undefined;
  if (!operation) return [`the spec has no ${request.method} ${request.template}`];
  const problems: string[] = [];
  const params = [
    ...((pathItem.parameters as Json[]) ?? []),
    ...((operation.parameters as Json[]) ?? []),
  ].map((p) => resolve(spec, p) as unknown as Parameter);

  const templateParts = request.template.split('/');
  const pathParts = request.path.split('/');
  const pathValues = new Map<string, string>();
  templateParts.forEach((part, i) => {
    const match = /^\{(.+)\}$/.exec(part);
    if (match?.[1]) pathValues.set(match[1], pathParts[i] ?? '');
  });

  const check = (param: Parameter, raw: string | undefined) => {
    if (raw === undefined) {
      if (param.required) problems.push(`${param.in} parameter ${param.name} is required`);
      return;
    }
    const schema = resolve(spec, param.schema);
    const validate = ajv.compile({ ...schema });
    if (!validate(coerce(schema, raw)))
      problems.push(`${param.in} ${param.name}=${raw}: ${ajv.errorsText(validate.errors)}`);
  };
  for (const param of params) {
    if (param.in === 'path') check(param, pathValues.get(param.name));
    if (param.in === 'query') {
      const value = queryValue(spec, param, request.query);
      if ('problem' in value) problems.push(value.problem);
      else check(param, value.raw);
    }
    if (param.in === 'header' && param.name.toLowerCase() !== 'sendcloud-partner-id') {
      const value = request.headers?.[param.name.toLowerCase()];
      check(param, Array.isArray(value) ? value[0] : value);
    }
  }
  const declared = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of request.query.keys())
    if (!declared.has(name)) problems.push(`query parameter ${name} is not in the spec`);

  if (request.body !== undefined) {
    const base = `/paths/${escapePointer(request.template)}/${request.method.toLowerCase()}/requestBody/content/application~1json/schema`;
    const pointer = request.bodyBranch ? `${base}/oneOf/${request.bodyBranch.index}` : base;
    const validate = validatorAt(
      spec,
      pointer,
      request.bodyBranch ? { required: [...request.bodyBranch.required] } : {},
    );
    if (!validate(request.body))
      problems.push(`body: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
  }
  return problems;
}

/**
 * Where real SendCloud disagrees with its own documents (../shared/sendcloud/SPEC-DEVIATIONS.md, measured on
 * the recordings). Response validation forgives exactly these points and nothing else; each cites the
 * recording that shows it.
 */
export interface Relaxation {
  /** Matched against Ajv's instancePath, e.g. `/parcels/3/to_service_point`. */
  readonly path: RegExp;
  readonly keywords: readonly string[];
  readonly evidence: string;
}

const PARCEL = String.raw`^/(parcel|parcels/\d+)`;
export const SPEC_OVERLAY: readonly Relaxation[] = [
  ...[
    'to_service_point',
    'total_order_value',
    'total_order_value_currency',
    'to_state',
    'shipping_method_checkout_name',
    'shipment_uuid',
    'date_announced',
  ].map(
    (field): Relaxation => ({
      path: new RegExp(`${PARCEL}/${field}$`),
      keywords: ['type'],
      evidence:
        'null when unset, to_service_point an integer when set: BloomAndWild-sendcloud/parcels_request/without_updated_after.json',
    }),
  ),
  {
    path: new RegExp(`${PARCEL}/customs_shipment_type$`),
    keywords: ['enum', 'type'],
    evidence: 'null when unset: BloomAndWild-sendcloud/tracking_request/valid_parcel_id.json',
  },
  {
    path: new RegExp(`${PARCEL}/parcel_items/\\d+/value$`),
    keywords: ['type'],
    evidence: 'decimal string "15.20": OCA-delivery-carrier/parcel.json',
  },
  {
    path: new RegExp(`${PARCEL}/type$`),
    keywords: ['enum'],
    evidence:
      '"letter" / null outside the enum: BloomAndWild-sendcloud/tracking_request/valid_parcel_id.json',
  },
  {
    path: new RegExp(`${PARCEL}/carrier/code$`),
    keywords: ['enum'],
    evidence:
      'carrier codes outside the enum (e.g. "sendcloud"): BloomAndWild-sendcloud/create_parcel_request/valid_request.json',
  },
  {
    path: new RegExp(`${PARCEL}/shipment$`),
    keywords: ['type'],
    evidence:
      'null before a method is chosen (status 999): Webador-sendcloud/testCreateParcelWithVerboseError_1.json (library mock)',
  },
  {
    path: /^\/parcel$/,
    keywords: ['type'],
    evidence:
      'PUT answers {"parcel": {…}}, the spec says an array: peterberkenbosch-sendcloud/parcels/update.json, Webador-sendcloud/testUpdateParcel_1.json (library mocks)',
  },
  {
    path: /^\/(next|previous)$/,
    keywords: ['type'],
    evidence: 'full URLs, not integers: BloomAndWild-sendcloud/parcels_request/with_updated_after.json',
  },
  {
    path: /^\/url$/,
    keywords: ['minLength'],
    evidence: '"" for parcels without a portal: OCA-delivery-carrier/parcels.json',
  },
];

/**
 * v3: where sendcloud-shipments-openapi.yml contradicts itself — no recording of v3 exists, so the document's
 * own examples (and the other v3 documents) are the only evidence of the wire. Nothing else is forgiven.
 */
export const V3_SPEC_OVERLAY: readonly Relaxation[] = [
  {
    path: /^$/,
    keywords: ['type'],
    evidence:
      'its `errors` schema is a bare array, yet every error example it gives (Failed, NotFound, InvalidCursor, CancellationRejected) and every other v3 document write {"errors": [...]}; such bodies are checked against the merged document\'s object form as well',
  },
  {
    path: /^\/data(\/\d+)?\/customs_information$/,
    keywords: ['type'],
    evidence:
      'null when unset in the examples of POST /shipments/announce (line 436), GET /shipments (921), POST /shipments (1220, 1432): sendcloud-shipments-openapi.yml',
  },
  {
    path: /^\/data(\/\d+)?\/to_service_point$/,
    keywords: ['type'],
    evidence:
      'null without a service point in the examples of POST /shipments (line 1431) and POST /shipments/create-with-shipping-rules (3388): sendcloud-shipments-openapi.yml',
  },
];

export interface ResponseToValidate {
  readonly method: string;
  readonly template: string;
  readonly status: number;
  readonly body: unknown;
}

/** Problems of a JSON response against the spec's schema for its status, after the overlay. */
export function validateResponse(
  spec: SpecName,
  response: ResponseToValidate,
  overlay: readonly Relaxation[] = SPEC_OVERLAY,
): string[] {
  const doc = docs.get(spec) as Json;
  const operation = ((doc.paths as Json)[response.template] as Json | undefined)?.[
    response.method.toLowerCase()
  ] as Json | undefined;
  const declared = (operation?.responses as Json | undefined)?.[String(response.status)] as Json | undefined;
  if (!declared)
    return [`the spec declares no ${response.status} for ${response.method} ${response.template}`];
  const resolved = resolve(spec, declared);
  const content = resolved.content as Json | undefined;
  if (!content?.['application/json']) return [];
  const ref =
    typeof declared.$ref === 'string'
      ? declared.$ref.replace(/^#/, '')
      : `/paths/${escapePointer(response.template)}/${response.method.toLowerCase()}/responses/${response.status}`;
  const validate = validatorAt(spec, `${ref}/content/application~1json/schema`);
  if (validate(response.body)) return [];
  return (
    (validate.errors ?? [])
      .filter(
        (error) =>
          !overlay.some((r) => r.path.test(error.instancePath) && r.keywords.includes(error.keyword)),
      )
      // Errors of a oneOf/anyOf parent are explained by their branches' errors.
      .filter((error) => !['oneOf', 'anyOf'].includes(error.keyword))
      .map((error) => `${error.instancePath || '(body)'} ${error.message ?? ''}`)
  );
}

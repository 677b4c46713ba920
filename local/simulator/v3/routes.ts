import type { SimResponse } from '../Simulator';
import { checkoutDeliveryOptions } from './checkout';
import type { V3Context, V3Handler, V3Request } from './context';
import { getContract, listContracts } from './contracts';
import { announceReturn, createReturn } from './createReturn';
import { announceShipment, createShipmentAsync } from './createShipment';
import { bulkDocuments, parcelDocument } from './documents';
import { jsonApiError, notFound } from './errors';
import { createLabelsAsync } from './orderLabels';
import { deleteOrder, getOrder, listOrders, upsertOrders } from './orders';
import { cancelReturn, getReturn, listReturns } from './returns';
import { getSenderAddress, listSenderAddresses, parcelStatuses } from './senderAddresses';
import { cancelShipment, getShipment, listShipments, shipmentReturnPortalUrl } from './shipments';
import { compatShippingOptions, shippingOptions } from './shippingOptions';

/** Every v3 path the simulator answers, below `/api/v3`; a trailing slash is accepted as Django does. */
type Verb = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface Route {
  readonly pattern: RegExp;
  readonly handlers: Readonly<Partial<Record<Verb, V3Handler>>>;
}

export const TOKEN_PATH = /^\/oauth2\/token\/?$/;

const issueToken: V3Handler = (ctx, req) =>
  ctx.tokens.issue(req.account, req.rawBody, req.headers['content-type']);

const ROUTES: readonly Route[] = [
  { pattern: TOKEN_PATH, handlers: { POST: issueToken } },
  { pattern: /^\/shipments\/?$/, handlers: { GET: listShipments, POST: createShipmentAsync } },
  { pattern: /^\/shipments\/announce\/?$/, handlers: { POST: announceShipment } },
  { pattern: /^\/shipments\/([^/]+)\/cancel\/?$/, handlers: { POST: cancelShipment } },
  { pattern: /^\/shipments\/([^/]+)\/return-portal-url\/?$/, handlers: { GET: shipmentReturnPortalUrl } },
  { pattern: /^\/shipments\/([^/]+)\/?$/, handlers: { GET: getShipment } },
  { pattern: /^\/parcels\/statuses\/?$/, handlers: { GET: parcelStatuses } },
  { pattern: /^\/parcels\/(\d+)\/documents\/([^/]+)\/?$/, handlers: { GET: parcelDocument } },
  { pattern: /^\/parcel-documents\/([^/]+)\/?$/, handlers: { GET: bulkDocuments } },
  { pattern: /^\/shipping-options\/?$/, handlers: { POST: shippingOptions } },
  {
    pattern: /^\/checkout\/configurations\/([^/]+)\/delivery-options\/?$/,
    handlers: { GET: checkoutDeliveryOptions },
  },
  { pattern: /^\/compat\/shipping-options\/?$/, handlers: { POST: compatShippingOptions } },
  { pattern: /^\/addresses\/sender-addresses\/?$/, handlers: { GET: listSenderAddresses } },
  { pattern: /^\/addresses\/sender-addresses\/(\d+)\/?$/, handlers: { GET: getSenderAddress } },
  { pattern: /^\/returns\/?$/, handlers: { GET: listReturns, POST: createReturn } },
  { pattern: /^\/returns\/announce-synchronously\/?$/, handlers: { POST: announceReturn } },
  { pattern: /^\/returns\/(\d+)\/?$/, handlers: { GET: getReturn } },
  { pattern: /^\/returns\/(\d+)\/cancel\/?$/, handlers: { PATCH: cancelReturn } },
  { pattern: /^\/contracts\/?$/, handlers: { GET: listContracts } },
  { pattern: /^\/contracts\/(\d+)\/?$/, handlers: { GET: getContract } },
  { pattern: /^\/orders\/?$/, handlers: { GET: listOrders, POST: upsertOrders } },
  { pattern: /^\/orders\/create-labels-async\/?$/, handlers: { POST: createLabelsAsync } },
  { pattern: /^\/orders\/([^/]+)\/?$/, handlers: { GET: getOrder, DELETE: deleteOrder } },
];

const routeFor = (path: string) => ROUTES.find((r) => r.pattern.test(path));

/** The `Allow` header of a v3 path (HEAD with GET, and OPTIONS, as the v2 recordings show the panel does). */
export function allowFor(path: string): readonly string[] | undefined {
  const route = routeFor(path);
  if (!route) return undefined;
  const verbs = Object.keys(route.handlers);
  return [...verbs, ...(verbs.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
}

const INVALID = Symbol('invalid json');

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return INVALID;
  }
}

export type RouteRequest = Omit<V3Request, 'params' | 'body'>;

export async function routeV3(ctx: V3Context, request: RouteRequest): Promise<SimResponse> {
  const route = routeFor(request.path);
  if (!route) return notFound();
  const allow = allowFor(request.path) ?? [];
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (method === 'OPTIONS')
    return { status: 200, json: { renders: ['application/json'], parses: ['application/json'] } };
  const handler = route.handlers[method as Verb];
  if (!handler)
    return {
      ...jsonApiError(405, 'invalid', `Method "${request.method}" not allowed.`),
      headers: { allow: allow.join(', ') },
    };
  const isToken = TOKEN_PATH.test(request.path);
  const body = isToken ? undefined : parseJson(request.rawBody);
  if (body === INVALID) return jsonApiError(400, 'invalid', 'JSON parse error - the body is not valid JSON.');
  const params = route.pattern.exec(request.path)?.slice(1) ?? [];
  return handler(ctx, { ...request, method, params, body });
}

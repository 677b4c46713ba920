import * as S from '../../shared/sendcloud/schemas';
import * as z from '../../shared/validation/zod';

/**
 * Which of our schemas answers which SendCloud v2 route and status. The fixture test parses every
 * recording with it; a route missing here fails that test rather than passing unchecked.
 */
interface ContractRoute {
  readonly method: string;
  readonly path: RegExp;
  readonly statuses: readonly number[];
  readonly schema: z.ZodMiniType;
}

const CreateParcelsResponse = z.union([S.ParcelEnvelope, S.VerboseBatchResponse]);

export const CONTRACT: readonly ContractRoute[] = [
  { method: 'GET', path: /^\/parcels\/statuses$/, statuses: [200], schema: S.ParcelStatusList },
  { method: 'POST', path: /^\/parcels$/, statuses: [200], schema: CreateParcelsResponse },
  { method: 'PUT', path: /^\/parcels$/, statuses: [200], schema: S.ParcelEnvelope },
  { method: 'GET', path: /^\/parcels$/, statuses: [200], schema: S.ParcelList },
  { method: 'GET', path: /^\/parcels\/\d+$/, statuses: [200], schema: S.ParcelEnvelope },
  { method: 'POST', path: /^\/parcels\/\d+\/cancel$/, statuses: [200, 202, 400, 410], schema: S.CancelBody },
  {
    method: 'GET',
    path: /^\/parcels\/\d+\/return_portal_url$/,
    statuses: [200, 404],
    schema: S.ReturnPortalUrl,
  },
  { method: 'GET', path: /^\/labels\/\d+$/, statuses: [200], schema: S.LabelResponse },
  { method: 'POST', path: /^\/labels$/, statuses: [200], schema: S.LabelResponse },
  { method: 'GET', path: /^\/user\/addresses\/sender$/, statuses: [200], schema: S.SenderAddressesResponse },
  { method: 'GET', path: /^\/shipping_methods$/, statuses: [200], schema: S.ShippingMethodsResponse },
  { method: 'GET', path: /^\/shipping_methods\/\d+$/, statuses: [200], schema: S.ShippingMethodEnvelope },
  { method: 'GET', path: /^\/service-points\/?$/, statuses: [200], schema: S.ServicePointList },
  { method: 'GET', path: /^\/service-points\/\d+$/, statuses: [200], schema: S.ServicePoint },
  {
    method: 'GET',
    path: /^\/service-points\/\d+\/check-availability$/,
    statuses: [200],
    schema: S.ServicePointAvailability,
  },
  { method: 'GET', path: /^\/carriers$/, statuses: [200], schema: S.ServicePointCarriers },
  { method: 'GET', path: /^\/returns$/, statuses: [200], schema: S.ReturnList },
  { method: 'GET', path: /^\/integrations$/, statuses: [200], schema: S.IntegrationList },
  { method: 'PUT', path: /^\/integrations\/\d+$/, statuses: [200], schema: S.Integration },
  {
    method: 'POST',
    path: /^\/integrations\/\d+\/shipments$/,
    statuses: [200],
    schema: S.IntegrationShipmentResult,
  },
  { method: 'GET', path: /^\/brands$/, statuses: [200], schema: S.BrandList },
  { method: 'GET', path: /^\/user\/invoices$/, statuses: [200], schema: S.InvoiceList },
  { method: 'GET', path: /^\/user\/invoices\/\d+$/, statuses: [200], schema: S.InvoiceEnvelope },
  { method: 'GET', path: /^\/user$/, statuses: [200], schema: S.User },
  {
    method: 'GET',
    path: /^\/brand\/[^/]+\/return-portal\/outgoing$/,
    statuses: [200],
    schema: S.ReturnPortalOutgoing,
  },
];

/** The schema for a response, or undefined when the contract does not know the route. */
export function schemaFor(method: string, path: string, status: number): z.ZodMiniType | undefined {
  const route = CONTRACT.find((r) => r.method === method && r.path.test(path) && r.statuses.includes(status));
  if (route) return route.schema;
  // Every other 4xx/5xx with a body uses SendCloud's error envelope.
  return status >= 400 ? S.ErrorBody : undefined;
}

import { METHODS } from '../catalogue';
import type { V3Handler } from './context';
import { jsonApiError } from './errors';
import { carrierJson, contractOf } from './options';

/**
 * `GET /contracts` (`carrier_code`, `is_active` filters) and `GET /contracts/{id}`: the one contract each carrier
 * of the catalogue has in a simulated account — the ids shipping options name. Shaped as the merged v3
 * document's `contract` schema (`id, client_id, carrier_code, name`) and its examples (`carrier{code,name},
 * country, is_default_per_carrier, state, type`); nothing was recorded.
 */
const CARRIERS = [...new Set(METHODS.map((m) => m.carrier))];

const contractJson = (carrier: string) => ({
  ...contractOf(carrier),
  carrier: carrierJson(carrier),
  country: 'NL',
  is_default_per_carrier: true,
  state: 'active',
  type: 'direct',
});

export const listContracts: V3Handler = (_ctx, req) => {
  const carrier = req.query.get('carrier_code');
  const active = req.query.get('is_active');
  const data = CARRIERS.filter((c) => carrier === null || c === carrier)
    .filter(() => active === null || active === 'true')
    .map(contractJson);
  return { status: 200, json: { data } };
};

export const getContract: V3Handler = (_ctx, req) => {
  const carrier = CARRIERS.find((c) => String(contractOf(c).id) === req.params[0]);
  return carrier
    ? { status: 200, json: { data: contractJson(carrier) } }
    : jsonApiError(404, 'not_found', 'Contract not found.');
};

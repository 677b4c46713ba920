import * as z from 'zod';
import { integrationJson } from './accountResources';
import type { SimAccount } from './accounts';
import { METHODS, methodById, type SimMethod } from './catalogue';
import type { SimResponse, Simulator } from './Simulator';
import { optionByCode, optionForMethod, SHIPPING_OPTIONS, type SimShippingOption } from './v3/options';

/**
 * An account's own catalogue: the simulator's methods less the ones taken out of it. A method removed from an
 * account is gone for it everywhere SendCloud would stop knowing it — the v2 method list and `GET
 * /shipping_methods/{id}`, v3 shipping options, and every create that names it (v2: `Invalid pk "…" - object
 * does not exist.`, v3: the shipping option "does not exist or is not enabled for this account").
 */
export const accountMethod = (account: SimAccount, id: number): SimMethod | undefined =>
  account.removedMethods.has(id) ? undefined : methodById(id);

export const accountMethods = (account: SimAccount): readonly SimMethod[] =>
  METHODS.filter((m) => !account.removedMethods.has(m.id));

export const accountOption = (account: SimAccount, code: string): SimShippingOption | undefined => {
  const option = optionByCode(code);
  return option && !account.removedMethods.has(option.method.id) ? option : undefined;
};

export const accountOptions = (account: SimAccount): readonly SimShippingOption[] =>
  SHIPPING_OPTIONS.filter((o) => !account.removedMethods.has(o.method.id));

/** A method named by its v2 id (`1030`) or its v3 shipping option code (`dhl:parcel_connect`). */
function methodNamed(name: string): SimMethod | undefined {
  return /^\d+$/.test(name) ? methodById(Number(name)) : optionByCode(name)?.method;
}

const describe = (method: SimMethod) => ({
  id: method.id,
  code: optionForMethod(method.id)?.code ?? null,
  name: method.name,
  carrier: method.carrier,
});

/**
 * `GET /__sim/accounts/{id}/catalogue` — what is taken out; `DELETE …/catalogue/{method}` takes a method out,
 * `PUT …/catalogue/{method}` puts it back (`{method}`: v2 id or v3 code). Either change tells the account's
 * webhook with `integration_updated`, as SendCloud tells an integration of changes to it; `?webhook=false`
 * changes it silently (what a periodic refresh, or a refused announce, has to find out by itself).
 */
export function catalogueControl(
  sim: Simulator,
  request: {
    readonly method: string;
    readonly accountId: string;
    readonly methodName: string | undefined;
    readonly query: URLSearchParams;
  },
): SimResponse {
  const account = sim.accounts.get(request.accountId);
  if (!account) return { status: 404, json: { error: 'no such account' } };
  const answer = (): SimResponse => ({
    status: 200,
    json: {
      account: account.id,
      removed: [...account.removedMethods].flatMap((id) => {
        const method = methodById(id);
        return method ? [describe(method)] : [];
      }),
    },
  });
  if (request.methodName === undefined) {
    return request.method === 'GET' ? answer() : { status: 405, json: { error: 'GET' } };
  }
  if (request.method !== 'DELETE' && request.method !== 'PUT')
    return {
      status: 405,
      json: { error: 'DELETE (take out) or PUT (put back), ?webhook=false to stay silent' },
    };
  const method = methodNamed(request.methodName);
  if (!method) return { status: 404, json: { error: `no catalogue method ${request.methodName}` } };
  const webhook = z
    .enum(['true', 'false'])
    .catch('true')
    .parse(request.query.get('webhook') ?? 'true');
  const changed =
    request.method === 'DELETE'
      ? !account.removedMethods.has(method.id) && Boolean(account.removedMethods.add(method.id))
      : account.removedMethods.delete(method.id);
  if (changed && webhook === 'true')
    sim.webhooks.send(account, {
      action: 'integration_updated',
      timestamp: sim.now().getTime(),
      integration: integrationJson(account, sim.now()),
    });
  return answer();
}

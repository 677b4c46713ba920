/** The account whose deliveries `POST /webhooks/sendcloud` (no account in the path) takes, when one does. */
export const DEFAULT_ROUTE_ACCOUNT = 'default';

/**
 * The account a delivery is verified as: the one its path names, or — on the route without an account — the
 * account named `default` if the stage has one, else the stage's only account. With several accounts and
 * none named `default` the route belongs to nobody (undefined): each account must use
 * `/webhooks/sendcloud/{account}`, so one account's secret never speaks for another's parcels.
 */
export function webhookAccount(
  routeAccount: string | undefined,
  configured: readonly string[],
): string | undefined {
  if (routeAccount !== undefined) return routeAccount;
  if (configured.includes(DEFAULT_ROUTE_ACCOUNT)) return DEFAULT_ROUTE_ACCOUNT;
  return configured.length === 1 ? configured[0] : undefined;
}

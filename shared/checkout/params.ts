import { AccountId } from '../sendcloud/accounts';
import * as z from '../validation/zod';

// Query-string fields the checkout routes share.

/**
 * The account asked about, in the form every configured account id has: a malformed id is refused the same
 * way whether or not such an account could exist, so the answer says nothing about which ones do.
 */
export const AccountParam = z._default(AccountId, 'default');

export const CountryParam = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s) => s.toUpperCase()),
  ),
  z.string().check(z.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. NL')),
);

export const PostalCodeParam = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s) => s.replace(/\s+/g, '').toUpperCase()),
  ),
  z.string().check(z.minLength(3), z.maxLength(10)),
);

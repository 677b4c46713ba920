import * as z from 'zod';
import { AccountId } from '../sendcloud/accounts';

// Query-string fields the checkout routes share.

/**
 * The account asked about, in the form every configured account id has: a malformed id is refused the same
 * way whether or not such an account could exist, so the answer says nothing about which ones do.
 */
export const AccountParam = AccountId.default('default');

export const CountryParam = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. NL'));

export const PostalCodeParam = z
  .string()
  .transform((s) => s.replace(/\s+/g, '').toUpperCase())
  .pipe(z.string().min(3).max(10));

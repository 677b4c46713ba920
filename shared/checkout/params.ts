import * as z from 'zod';

/** Query-string fields the checkout routes share. */
export const CountryParam = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. NL'));

export const PostalCodeParam = z
  .string()
  .transform((s) => s.replace(/\s+/g, '').toUpperCase())
  .pipe(z.string().min(3).max(10));

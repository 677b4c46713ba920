import * as z from '../../validation/zod';

/**
 * Response schemas follow what SendCloud really returns (../shared/sendcloud/fixtures), which is looser
 * than its OpenAPI documents: unset strings come back as null, unknown fields are kept (looseObject).
 */

/** Kilograms as a decimal string, e.g. "1.000". Some clients and old responses send numbers. */
export const KgString = z.union([
  z.string().check(z.regex(/^\d+(\.\d+)?$/, 'kilograms as a decimal string')),
  z.number().check(z.nonnegative()),
]);

/** "DD-MM-YYYY HH:MM:SS", UTC. */
export const SendcloudDate = z
  .string()
  .check(z.regex(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/, 'date as DD-MM-YYYY HH:MM:SS'));

export const NullableString = z.nullable(z.string());

/** `{"error":{"code":404,"request":"api/v2/parcels/0","message":"No Parcel matches the given query."}}` */
export const ErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().check(z.int()),
    request: z.optional(z.string()),
    message: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Cursor-paginated envelopes carry full URLs (the spec says integers; recordings disagree). */
export const PageLink = z.nullable(z.string());

export const CountryRef = z.looseObject({
  iso_2: z.string().check(z.length(2)),
  iso_3: z.optional(z.string().check(z.length(3))),
  name: z.optional(z.string()),
});

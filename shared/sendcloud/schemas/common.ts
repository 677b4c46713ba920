import * as z from 'zod';

/**
 * Response schemas follow what SendCloud really returns (../shared/sendcloud/fixtures), which is looser
 * than its OpenAPI documents: unset strings come back as null, unknown fields are kept (looseObject).
 */

/** Kilograms as a decimal string, e.g. "1.000". Some clients and old responses send numbers. */
export const KgString = z.union([
  z.string().regex(/^\d+(\.\d+)?$/, 'kilograms as a decimal string'),
  z.number().nonnegative(),
]);

/** "DD-MM-YYYY HH:MM:SS", UTC. */
export const SendcloudDate = z
  .string()
  .regex(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/, 'date as DD-MM-YYYY HH:MM:SS');

export const NullableString = z.string().nullable();

/** `{"error":{"code":404,"request":"api/v2/parcels/0","message":"No Parcel matches the given query."}}` */
export const ErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().int(),
    request: z.string().optional(),
    message: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Cursor-paginated envelopes carry full URLs (the spec says integers; recordings disagree). */
export const PageLink = z.string().nullable();

export const CountryRef = z.looseObject({
  iso_2: z.string().length(2),
  iso_3: z.string().length(3).optional(),
  name: z.string().optional(),
});

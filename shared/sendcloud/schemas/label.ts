import * as z from '../../validation/zod';

export const LabelResponse = z.looseObject({
  label: z.looseObject({
    normal_printer: z.array(z.string()),
    label_printer: z.string(),
  }),
  customs_declaration: z.optional(z.unknown()),
});
export type LabelResponse = z.infer<typeof LabelResponse>;

export const BulkLabelRequest = z.object({
  label: z.object({ parcels: z.array(z.number().check(z.int(), z.gte(1))).check(z.minLength(1)) }),
});
export type BulkLabelRequest = z.infer<typeof BulkLabelRequest>;

export const DocumentType = z.enum([
  'label',
  'cp71',
  'cn23',
  'cn23-default',
  'commercial-invoice',
  'air-waybill',
  'qr',
]);
export type DocumentType = z.infer<typeof DocumentType>;

export const DocumentFormat = z.enum(['pdf', 'zpl', 'png']);
export type DocumentFormat = z.infer<typeof DocumentFormat>;

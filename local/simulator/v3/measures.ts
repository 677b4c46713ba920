/**
 * v3 weights and dimensions come with their unit (`kg|g|lbs|oz`, `cm|mm|m|yd|ft|in`, REFERENCE.md §12); the
 * shared parcel model keeps v2's kilograms and centimetres, so conversion happens once, here.
 */
export const WEIGHT_UNITS = ['kg', 'g', 'lbs', 'oz'] as const;
export const DIMENSION_UNITS = ['cm', 'mm', 'm', 'yd', 'ft', 'in'] as const;
export type WeightUnit = (typeof WEIGHT_UNITS)[number];
export type DimensionUnit = (typeof DIMENSION_UNITS)[number];

const KG_PER: Readonly<Record<WeightUnit, number>> = { kg: 1, g: 0.001, lbs: 0.45359237, oz: 0.028349523125 };
const CM_PER: Readonly<Record<DimensionUnit, number>> = {
  cm: 1,
  mm: 0.1,
  m: 100,
  yd: 91.44,
  ft: 30.48,
  in: 2.54,
};

export const toGrams = (value: number, unit: WeightUnit): number => Math.round(value * KG_PER[unit] * 1000);

export const toCm = (value: number, unit: DimensionUnit): number => value * CM_PER[unit];

/** 1320 → "1.320", the kilogram string both APIs answer with. */
export const kgString = (grams: number): string => (grams / 1000).toFixed(3);

/** A decimal string as v3 documents it (`"1.320"`, `"15"`); numbers are not accepted where strings are. */
export const DECIMAL = /^\d+(\.\d+)?$/;

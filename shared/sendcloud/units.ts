/**
 * Our domain speaks grams and centimetres as integers; SendCloud v2 speaks kilograms as decimal strings
 * ("1.200") and centimetres as strings. Conversions happen here and nowhere else.
 */

/** 1200 → "1.200". Exact for integer grams: no floating point is involved. */
export function gramsToKgString(grams: number): string {
  if (!Number.isInteger(grams) || grams < 0)
    throw new RangeError(`grams must be a non-negative integer, got ${grams}`);
  const whole = Math.floor(grams / 1000);
  const fraction = String(grams % 1000).padStart(3, '0');
  return `${whole}.${fraction}`;
}

/** "1.2", "1.200", 1.2 → 1200. Rounds to the nearest gram. */
export function kgToGrams(kg: string | number): number {
  const value = typeof kg === 'number' ? kg : Number.parseFloat(kg);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a weight in kilograms: ${String(kg)}`);
  return Math.round(value * 1000);
}

export function cmToString(cm: number): string {
  if (!Number.isFinite(cm) || cm <= 0) throw new RangeError(`centimetres must be positive, got ${cm}`);
  return Number.isInteger(cm) ? String(cm) : cm.toFixed(1);
}

/** "DD-MM-YYYY HH:MM:SS" in UTC (SendCloud v2's parcel dates) → Date. */
export function parseSendcloudDate(value: string): Date {
  const match = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!match) throw new RangeError(`not a SendCloud date: ${value}`);
  const [, day, month, year, hour, minute, second] = match.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
}

/** Date → "DD-MM-YYYY HH:MM:SS" in UTC. */
export function formatSendcloudDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}-${pad(date.getUTCMonth() + 1)}-${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

import { EU, type ServiceLevel } from '../orders/OrderRequest';

export interface Schedule {
  /** `HH:MM` in `timeZone`: orders after it are handed over the next working day. */
  readonly cutOff: string;
  readonly timeZone: string;
}

/** Working days in transit: the carriers' usual promise by service level and distance. */
export function transitDays(level: ServiceLevel, toCountry: string, fromCountry: string): number {
  if (level === 'express' || level === 'evening') return 1;
  const days = toCountry === fromCountry ? 1 : EU.has(toCountry) ? 2 : 4;
  return level === 'economy' ? days + 1 : days;
}

/** Hand-over today before the cut-off on a working day, else the next working day; delivery Monday–Saturday. */
export function deliveryDates(
  level: ServiceLevel,
  toCountry: string,
  fromCountry: string,
  schedule: Schedule,
  now: Date,
): { handoverDate: string; expectedDeliveryDate: string } {
  const local = localParts(now, schedule.timeZone);
  let handover = Date.UTC(local.year, local.month - 1, local.day);
  const day = 86_400_000;
  const weekday = (t: number) => new Date(t).getUTCDay();
  const isWorkday = (t: number) => weekday(t) >= 1 && weekday(t) <= 5;
  if (!isWorkday(handover) || local.time >= schedule.cutOff) {
    handover += day;
    while (!isWorkday(handover)) handover += day;
  }
  let delivery = handover;
  for (let left = transitDays(level, toCountry, fromCountry); left > 0; ) {
    delivery += day;
    if (weekday(delivery) !== 0) left--;
  }
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { handoverDate: iso(handover), expectedDeliveryDate: iso(delivery) };
}

function localParts(now: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    time: `${parts.hour}:${parts.minute}`,
  };
}

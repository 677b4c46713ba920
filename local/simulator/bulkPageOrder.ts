/**
 * In which order a merged label file holds its parcels' pages. SendCloud documents none, so a client must
 * not rely on the order it asked in: `requested` (what the simulator did so far), `reversed`, or `shuffled`
 * — a fixed permutation of the ids asked for (the same ids give the same order, so tests repeat), never the
 * order requested when there are two or more.
 */
export const BULK_PAGE_ORDERS = ['requested', 'reversed', 'shuffled'] as const;
export type BulkPageOrder = (typeof BULK_PAGE_ORDERS)[number];
export const DEFAULT_BULK_PAGE_ORDER: BulkPageOrder = 'requested';

export function inBulkPageOrder<T extends { readonly id: number }>(
  items: readonly T[],
  order: BulkPageOrder,
): T[] {
  if (order === 'requested' || items.length < 2) return [...items];
  if (order === 'reversed') return [...items].reverse();
  // Fisher–Yates over a small LCG seeded by the ids, then rotated if it happened to change nothing.
  let seed = items.reduce((s, item) => (s * 31 + item.id) >>> 0, 7);
  const random = () => {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    return seed / 2 ** 32;
  };
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
  }
  return shuffled.every((item, i) => item === items[i]) ? [...shuffled.slice(1), shuffled[0] as T] : shuffled;
}

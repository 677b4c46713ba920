/**
 * Cursor pagination as the v3 documents describe it: the cursor is base64 of `p=<position>` (forward) or
 * `r=1&p=<position>` (backward) — `cj0xJnA9MzAw` is `r=1&p=300` in the `Cursor` parameter's description —
 * over items ordered by a numeric key, newest first. Shipments and sender addresses carry the links in a
 * `Link` header (RFC 8288), returns in `next`/`previous` body fields; both come from here.
 */
export interface Cursor {
  readonly position: number;
  readonly reverse: boolean;
}

export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(cursor.reverse ? `r=1&p=${cursor.position}` : `p=${cursor.position}`).toString('base64');

/** undefined for no cursor, null for one that is not a cursor. */
export function decodeCursor(text: string | null): Cursor | undefined | null {
  if (text === null || text === '') return undefined;
  const params = new URLSearchParams(Buffer.from(text, 'base64').toString('utf8'));
  const position = Number(params.get('p'));
  return params.get('p') !== null && Number.isInteger(position)
    ? { position, reverse: params.get('r') === '1' }
    : null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next: Cursor | undefined;
  readonly previous: Cursor | undefined;
}

/** One page of `all` (sorted by `key` descending) after the cursor. */
export function pageOf<T>(
  all: readonly T[],
  key: (item: T) => number,
  cursor: Cursor | undefined,
  size: number,
): Page<T> {
  const items = cursor?.reverse
    ? all.filter((item) => key(item) > cursor.position).slice(-size)
    : all.filter((item) => cursor === undefined || key(item) < cursor.position).slice(0, size);
  const first = items[0];
  const last = items.at(-1);
  return {
    items,
    next:
      last !== undefined && all.some((item) => key(item) < key(last))
        ? { position: key(last), reverse: false }
        : undefined,
    previous:
      first !== undefined && all.some((item) => key(item) > key(first))
        ? { position: key(first), reverse: true }
        : undefined,
  };
}

/** The page's URL for a cursor, keeping the request's other query parameters. */
export function pageUrl(base: string, query: URLSearchParams, cursor: Cursor): string {
  const params = new URLSearchParams(query);
  params.delete('cursor');
  return `${base}?${new URLSearchParams([['cursor', encodeCursor(cursor)], ...params]).toString()}`;
}

/** `<…>; rel="prev", <…>; rel="next"`, or undefined on a single page. */
export function linkHeader(base: string, query: URLSearchParams, page: Page<unknown>): string | undefined {
  const links = [
    ...(page.previous ? [`<${pageUrl(base, query, page.previous)}>; rel="prev"`] : []),
    ...(page.next ? [`<${pageUrl(base, query, page.next)}>; rel="next"`] : []),
  ];
  return links.length > 0 ? links.join(', ') : undefined;
}

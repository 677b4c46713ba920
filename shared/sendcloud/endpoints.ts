import { SendcloudContractError } from './errors';

/** Builds absolute URLs under a base such as `https://panel.sendcloud.sc/api/v2`. */
export type Query = Readonly<
  Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>
>;

export function endpoint(base: string, path: string, query: Query = {}): URL {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return url;
}

/** The `cursor` of a `next`/`previous` link. Links are never followed as given: they name another host. */
export function cursorOf(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  try {
    return new URL(link).searchParams.get('cursor') ?? undefined;
  } catch {
    return undefined;
  }
}

/** The next page's cursor; a cursor seen before would loop forever, so it breaks the contract. */
export function nextCursor(
  next: string | null | undefined,
  seen: Set<string>,
  current: URL,
): string | undefined {
  const cursor = cursorOf(next);
  if (cursor === undefined) return undefined;
  if (seen.has(cursor)) {
    throw new SendcloudContractError({
      method: 'GET',
      path: current.pathname,
      status: 200,
      issues: [{ path: 'next', message: 'points back to a page already read' }],
    });
  }
  seen.add(cursor);
  return cursor;
}

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

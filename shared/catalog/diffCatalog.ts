import type { AccountMethod } from '../sendcloud/port';

export interface CatalogDiff {
  readonly removed: readonly AccountMethod[];
  readonly added: readonly AccountMethod[];
}

/**
 * The methods that left (`removed`) and joined (`added`) the catalogue, by reference. A method whose name or
 * carrier changed under the same reference is neither: routing and rules name references.
 */
export function diffCatalog(before: readonly AccountMethod[], now: readonly AccountMethod[]): CatalogDiff {
  const key = (m: AccountMethod) => `${m.returns ? 'return' : 'out'}:${m.ref}`;
  const had = new Set(before.map(key));
  const has = new Set(now.map(key));
  return {
    removed: dedupe(
      before.filter((m) => !has.has(key(m))),
      key,
    ),
    added: dedupe(
      now.filter((m) => !had.has(key(m))),
      key,
    ),
  };
}

/** `before` with the changes applied (what a partial commit of a large diff stores). */
export function applyDiff(before: readonly AccountMethod[], diff: CatalogDiff): AccountMethod[] {
  const key = (m: AccountMethod) => `${m.returns ? 'return' : 'out'}:${m.ref}`;
  const gone = new Set(diff.removed.map(key));
  return [...before.filter((m) => !gone.has(key(m))), ...diff.added];
}

function dedupe(methods: readonly AccountMethod[], key: (m: AccountMethod) => string): AccountMethod[] {
  const seen = new Set<string>();
  return methods.filter((m) => !seen.has(key(m)) && Boolean(seen.add(key(m))));
}

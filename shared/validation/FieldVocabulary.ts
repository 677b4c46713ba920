import * as z from './zod';

/**
 * The field names of a family of strict objects (an order's, a rule set's): what "did you mean" chooses
 * from when a body carries a field none of them knows. One vocabulary per kind of body, so a misspelt rule
 * field is never told to be an order field.
 */
export class FieldVocabulary {
  readonly #fields = new Set<string>();

  constructor() {
    LOADED.add(this);
  }

  /** An object that refuses fields it does not know (a misspelt field must not be dropped in silence). */
  strict<Shape extends z.ZodRawShape>(shape: Shape) {
    for (const key of Object.keys(shape)) this.#fields.add(key);
    return z.strictObject(shape);
  }

  /** The known field a misspelt one most likely meant: the same but for case, or at most two edits away. */
  nearest(key: string): string | undefined {
    return nearestOf(key, this.#fields);
  }

  fields(): string[] {
    return [...this.#fields];
  }
}

const LOADED = new Set<FieldVocabulary>();

/**
 * Every vocabulary this bundle has loaded, as one: for the HTTP layer's answer to a body error it did not
 * parse itself. A function loads the vocabularies of the bodies it reads (its order schema, its rule schema),
 * so the error mapper need not import every schema to suggest a field — nor bundle them into functions that
 * read no such body.
 */
export const loadedVocabulary: Pick<FieldVocabulary, 'nearest'> = {
  nearest: (key) =>
    nearestOf(
      key,
      [...LOADED].flatMap((v) => v.fields()),
    ),
};

/** The candidate a misspelt word most likely meant: the same but for case, or at most two edits away. */
export function nearestOf(word: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(candidate, word);
    if (distance <= Math.min(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length] ?? 0;
}

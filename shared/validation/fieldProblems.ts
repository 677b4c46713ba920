import type { FieldVocabulary } from './FieldVocabulary';
import type * as z from './zod';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * A field that is not there. zod leaves the input out of its issues (it may be personal data), so an absent
 * field is told from a wrong type by its message: "expected string, received undefined".
 */
const isMissing = (issue: z.core.$ZodIssue): boolean =>
  issue.code === 'invalid_type' && /received undefined$/.test(issue.message);

/**
 * zod issues → `[{path: "recipient.postalCode", message}]`, every one of them. A field the schema does not
 * know is one problem of its own, with the nearest field of `vocabulary` where there is one; a value of the
 * wrong type says what was expected and what came.
 */
export function fieldProblems(
  error: z.ZodError,
  vocabulary: Pick<FieldVocabulary, 'nearest'>,
): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => {
        const near = vocabulary.nearest(key);
        return {
          path: [...path, key].join('.'),
          message: `unknown field: ${near ? `did you mean "${near}"?` : 'remove it'} (an unknown field is refused, never ignored)`,
        };
      });
    return [
      { path: path.join('.') || '(body)', message: isMissing(issue) ? 'required' : typeMessage(issue) },
    ];
  });
}

/** "Invalid input: expected number, received string" → "expected a number, received a string". */
function typeMessage(issue: z.core.$ZodIssue): string {
  // Only zod's own wording is rewritten; a schema's message ("whole grams") stays as written.
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input')) return issue.message;
  const received = /received (\w+)$/.exec(issue.message)?.[1];
  const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
  return received
    ? `expected ${article(issue.expected)}, received ${article(received)}`
    : `expected ${article(issue.expected)}`;
}

/** Problems as one line for a message: `rules.2.choose.carriers.0: "postnll" is not …; …`. */
export const describeProblems = (problems: readonly FieldProblem[]): string =>
  problems.map((p) => `${p.path}: ${p.message}`).join('; ');

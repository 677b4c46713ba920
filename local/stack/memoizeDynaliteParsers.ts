import { createRequire } from 'node:module';

/**
 * Makes dynalite parse each distinct expression once. dynalite 4.0.0 runs its PEG parsers
 * (`db/conditionParser.js`, `updateParser.js`, `projectionParser.js`) on every request's Update-, Condition-,
 * KeyCondition-, Filter- and ProjectionExpression: in the benchmark's end of day that was 30 % of the emulator
 * process's CPU, taken from the two cores the service under test runs on (DynamoDB runs on AWS's machines).
 * The service sends the same few dozen expressions with new values each time, so the parse is memoised.
 *
 * The result is exactly what the parser would return. A parse depends on the expression, the attribute names
 * (they are resolved into the tree), which values are defined and their DynamoDB types (operand type checks),
 * and, for BETWEEN and attribute_type, on the values themselves — those two are never memoised. The key holds
 * all the rest; values enter the tree by identity (`resolveAttrVal` returns the request's own object), so a hit
 * rebuilds the tree with this request's value objects in their places. A parse that fails is not kept (its error
 * comes from the parser every time), and the names and values a kept parse used are crossed off this request's
 * "unused" lists as the parser would have. Idempotent.
 */
export function memoizeDynaliteParsers(): void {
  if (installed) return;
  installed = true;
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  for (const name of ['conditionParser', 'updateParser', 'projectionParser'])
    memoize(name, fromDynalite(`./db/${name}`) as Parser);
}

let installed = false;

/** A dynalite parser module as validations/index.js calls it: `parser.parse(expression, { context })`. */
interface Parser {
  parse(input: string, options: { context: ParseContext }): unknown;
}

/** What dynalite's `validateExpressions` hands the parsers (and `parse` adds: isReserved, compare). */
interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, unknown>;
  unusedAttrNames: Record<string, true>;
  unusedAttrVals: Record<string, true>;
  isKeyCondition?: boolean;
  [other: string]: unknown;
}

/** A kept parse: its tree with `{ [VALUE]: ':name' }` where a request's value sits, and what it used. */
interface Kept {
  readonly tree: unknown;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

const VALUE = Symbol('dynalite expression value');
/** Expressions whose parse looks at values, not only their types. */
const VALUE_DEPENDENT = /\bbetween\b|attribute_type/i;
const LIMIT = 2000;

function memoize(name: string, parser: Parser): void {
  const parse = parser.parse.bind(parser);
  const kept = new Map<string, Kept>();
  parser.parse = (input, options) => {
    const context = options.context;
    if (VALUE_DEPENDENT.test(input)) return parse(input, options);
    const key = keyOf(name, input, context);
    const hit = kept.get(key);
    if (hit) {
      for (const used of hit.usedNames) delete context.unusedAttrNames[used];
      for (const used of hit.usedValues) delete context.unusedAttrVals[used];
      return rebuild(hit.tree, context.attrVals ?? {});
    }
    // Parsed against full "unused" lists of its own, so what it uses is known whatever parsed before it.
    const names = Object.keys(context.attrNames ?? {});
    const values = Object.keys(context.attrVals ?? {});
    const own: ParseContext = {
      ...context,
      unusedAttrNames: Object.fromEntries(names.map((n) => [n, true as const])),
      unusedAttrVals: Object.fromEntries(values.map((v) => [v, true as const])),
    };
    const tree = parse(input, { context: own });
    const usedNames = names.filter((n) => !(n in own.unusedAttrNames));
    const usedValues = values.filter((v) => !(v in own.unusedAttrVals));
    for (const used of usedNames) delete context.unusedAttrNames[used];
    for (const used of usedValues) delete context.unusedAttrVals[used];
    if (tree !== null && typeof tree === 'object') {
      if (kept.size >= LIMIT) kept.delete(kept.keys().next().value as string);
      kept.set(key, { tree: template(tree, context.attrVals ?? {}), usedNames, usedValues });
    }
    return tree;
  };
}

/** Parser, expression, names, and each value's name and DynamoDB type(s): everything else a parse reads. */
function keyOf(parser: string, input: string, context: ParseContext): string {
  const values = Object.entries(context.attrVals ?? {})
    .map(([key, value]) => `${key}=${typeSignature(value)}`)
    .sort();
  return JSON.stringify([parser, input, context.attrNames ?? null, values, Boolean(context.isKeyCondition)]);
}

/** The type keys a value carries (`S`, `N`, `M`, …; the parser's type checks read no more). */
const typeSignature = (value: unknown): string =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.keys(value)
        .filter((type) => (value as Record<string, unknown>)[type] != null)
        .join('+')
    : typeof value;

/** A deep copy of `tree` with each of the request's value objects replaced by a marker naming it. */
function template(tree: unknown, values: Record<string, unknown>): unknown {
  const names = new Map<unknown, string>();
  for (const [key, value] of Object.entries(values)) if (!names.has(value)) names.set(value, key);
  return copyTree(tree, (node) => {
    const name = names.get(node);
    return name === undefined ? undefined : { [VALUE]: name };
  });
}

/** A fresh tree from a template, this request's value objects where the markers are. */
function rebuild(tree: unknown, values: Record<string, unknown>): unknown {
  return copyTree(tree, (node) => (VALUE in node ? values[(node as { [VALUE]: string })[VALUE]] : undefined));
}

/** A deep copy of a parse tree (objects keep their prototype); `swap` may give a node's replacement instead. */
function copyTree(node: unknown, swap: (node: object) => unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  const swapped = swap(node);
  if (swapped !== undefined) return swapped;
  if (Array.isArray(node)) return node.map((child) => copyTree(child, swap));
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(node));
  for (const [key, child] of Object.entries(node)) out[key] = copyTree(child, swap);
  return out;
}

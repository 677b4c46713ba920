import type { RuleSet } from '../routing';
import type { RulesStore } from '../store';
import type { FieldProblem } from '../validation';
import { type CheckRules, readRuleSet } from './readRuleSet';

export type StoreOutcome =
  | { readonly outcome: 'stored'; readonly rules: RuleSet; readonly warnings: readonly string[] }
  | { readonly outcome: 'invalid'; readonly problems: readonly FieldProblem[] }
  /** Its version is not higher than the current one (optimistic concurrency). */
  | { readonly outcome: 'stale'; readonly version: number; readonly currentVersion: number };

export interface StoreRuleSetDeps {
  readonly rules: Pick<RulesStore, 'put' | 'current'>;
  readonly check: CheckRules;
}

/** `PUT /routing/rules/{account}`: a new version, stored only when it is valid for the account and newer. */
export async function storeRuleSet(
  input: unknown,
  deps: StoreRuleSetDeps,
  target: { readonly account: string; readonly storedBy?: string },
): Promise<StoreOutcome> {
  const read = await readRuleSet(input, deps.check);
  if (read.outcome === 'invalid') return read;
  return putChecked(read.rules, read.warnings, deps, target);
}

/** Stores a checked rule set, or says which version is current. */
export async function putChecked(
  rules: RuleSet,
  warnings: readonly string[],
  deps: Pick<StoreRuleSetDeps, 'rules'>,
  target: { readonly account: string; readonly storedBy?: string },
): Promise<StoreOutcome> {
  const options = target.storedBy ? { storedBy: target.storedBy } : {};
  if (await deps.rules.put(target.account, rules, options)) return { outcome: 'stored', rules, warnings };
  const current = await deps.rules.current(target.account);
  return { outcome: 'stale', version: rules.version, currentVersion: current?.version ?? 0 };
}

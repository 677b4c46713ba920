import {
  checkRuleSet,
  RULE_FIELDS,
  type RuleSet,
  type RuleSetCheck,
  RuleSet as RuleSetSchema,
} from '../routing';
import type { SendcloudPort } from '../sendcloud/port';
import { type FieldProblem, fieldProblems } from '../validation';

/** Checks a parsed rule set against the account (`checkRuleSet` bound to its port). */
export type CheckRules = (rules: RuleSet) => Promise<RuleSetCheck>;

/** The check against this account's catalogue, through its port (v2 methods or v3 shipping options). */
export const checkAgainst =
  (port: Pick<SendcloudPort, 'version' | 'catalog'>): CheckRules =>
  (rules) =>
    checkRuleSet(rules, { api: port.version, catalog: (query) => port.catalog(query) });

export type ReadRuleSet =
  | { readonly outcome: 'valid'; readonly rules: RuleSet; readonly warnings: readonly string[] }
  | { readonly outcome: 'invalid'; readonly problems: readonly FieldProblem[] };

/**
 * A rule set as a caller sent it (a PUT body, an explain draft): its shape first — strict, an unknown field
 * named with the rule field it most likely meant — then its names against the account's catalogue.
 */
export async function readRuleSet(input: unknown, check: CheckRules): Promise<ReadRuleSet> {
  const parsed = RuleSetSchema.safeParse(input);
  if (!parsed.success) return { outcome: 'invalid', problems: fieldProblems(parsed.error, RULE_FIELDS) };
  const checked = await check(parsed.data);
  if (checked.problems.length > 0) return { outcome: 'invalid', problems: checked.problems };
  return { outcome: 'valid', rules: parsed.data, warnings: checked.warnings };
}

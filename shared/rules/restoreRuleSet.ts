import type { RulesStore } from '../store';
import type { CheckRules } from './readRuleSet';
import { putChecked, type StoreOutcome } from './storeRuleSet';

export type RestoreOutcome =
  | (StoreOutcome & { readonly restoredFrom: number })
  | { readonly outcome: 'not_found'; readonly version: number };

/**
 * Makes an older version current again: its content stored as a new version — the current one + 1, or
 * `asVersion` — so history only grows and a concurrent PUT or restore is refused as stale, as a PUT is. The
 * old content is checked again first: a method it names may have left the account since.
 */
export async function restoreRuleSet(
  version: number,
  deps: { readonly rules: Pick<RulesStore, 'put' | 'current' | 'version'>; readonly check: CheckRules },
  target: { readonly account: string; readonly storedBy?: string; readonly asVersion?: number },
): Promise<RestoreOutcome> {
  const old = await deps.rules.version(target.account, version);
  if (!old) return { outcome: 'not_found', version };
  const current = await deps.rules.current(target.account);
  const rules = { ...old.rules, version: target.asVersion ?? (current?.version ?? 0) + 1 };
  const checked = await deps.check(rules);
  if (checked.problems.length > 0)
    return { outcome: 'invalid', problems: checked.problems, restoredFrom: version };
  return { ...(await putChecked(rules, checked.warnings, deps, target)), restoredFrom: version };
}

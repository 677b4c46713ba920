import type { MethodRef } from '../sendcloud/port';
import { RuleSet } from './RuleSet';

/** What did not map, rule by rule, so a person can decide. */
export interface MigrationProblem {
  readonly rule: string;
  readonly methodId: number;
  readonly problem: string;
}

export interface Migration {
  /** The rule set for the account on v3: version + 1, `methodIds` replaced by `methods`. */
  readonly rules: RuleSet;
  /** Each v2 id and the option it became (null: none). */
  readonly mapped: ReadonlyArray<{ readonly methodId: number; readonly method: MethodRef | null }>;
  readonly problems: readonly MigrationProblem[];
  /** True when every id mapped: the proposal can be PUT as it is. */
  readonly complete: boolean;
}

/**
 * Moves a v2 rule set to v3: rules that choose by carrier or name need nothing; `methodIds` become `methods`
 * (v3 shipping option references) through SendCloud's `compat/shipping-options`. An id that maps to nothing
 * is left out of its rule and reported; a rule left with no method at all keeps its carriers (or, with none,
 * is reported as choosing any method). Nothing is stored: the caller PUTs the proposal once it agrees.
 */
export async function migrateToV3(
  current: RuleSet,
  mapLegacyMethods: (ids: readonly number[]) => Promise<ReadonlyMap<number, MethodRef | null>>,
): Promise<Migration> {
  const ids = [
    ...new Set([...current.rules, ...current.returns].flatMap((rule) => rule.choose.methodIds ?? [])),
  ];
  const mapping = ids.length > 0 ? await mapLegacyMethods(ids) : new Map<number, MethodRef | null>();
  const problems: MigrationProblem[] = [];
  const migrate = (rules: RuleSet['rules']) =>
    rules.map((rule) => {
      const { methodIds, ...choose } = rule.choose;
      if (!methodIds) return rule;
      const methods: MethodRef[] = [];
      for (const id of methodIds) {
        const method = mapping.get(id) ?? null;
        if (method) methods.push(method);
        else
          problems.push({
            rule: rule.name,
            methodId: id,
            problem: `v2 method ${id} has no v3 shipping option on this account`,
          });
      }
      if (methods.length === 0 && choose.carriers.length === 0)
        problems.push({
          rule: rule.name,
          methodId: methodIds[0] ?? 0,
          problem: 'no method of this rule mapped: as proposed it would choose any method',
        });
      return { ...rule, choose: { ...choose, ...(methods.length > 0 ? { methods } : {}) } };
    });
  const rules = RuleSet.parse({
    ...current,
    version: current.version + 1,
    rules: migrate(current.rules),
    returns: migrate(current.returns),
  });
  return {
    rules,
    mapped: ids.map((methodId) => ({ methodId, method: mapping.get(methodId) ?? null })),
    problems,
    complete: problems.length === 0,
  };
}

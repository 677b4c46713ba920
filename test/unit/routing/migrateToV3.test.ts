import { describe, expect, it } from 'vitest';
import { defaultRules, migrateToV3, RuleSet } from '../../../shared/routing';

const v2Rules = RuleSet.parse({
  name: 'bol',
  version: 4,
  rules: [
    { name: 'DPD then PostNL', choose: { methodIds: [1040, 1010] } },
    { name: 'retired method', choose: { methodIds: [4242] } },
    { name: 'by carrier', choose: { carriers: ['dhl'] } },
  ],
});
const compat = new Map<number, string | null>([
  [1040, 'dpd:home@5130'],
  [1010, 'postnl:standard@517'],
  [4242, null],
]);

describe('moving a v2 rule set to v3', () => {
  it('maps method ids to option references in their order, one version up, and reports what did not map', async () => {
    const asked: number[][] = [];
    const migration = await migrateToV3(v2Rules, async (ids) => {
      asked.push([...ids]);
      return compat;
    });
    expect(asked).toEqual([[1040, 1010, 4242]]);
    expect(migration.rules.version).toBe(5);
    expect(migration.rules.rules[0]?.choose).toMatchObject({
      methods: ['dpd:home@5130', 'postnl:standard@517'],
    });
    expect(migration.rules.rules[0]?.choose.methodIds).toBeUndefined();
    expect(migration.rules.rules[2]).toEqual(v2Rules.rules[2]);
    expect(migration.problems).toEqual([
      {
        rule: 'retired method',
        methodId: 4242,
        problem: 'v2 method 4242 has no v3 shipping option on this account',
      },
      {
        rule: 'retired method',
        methodId: 4242,
        problem: 'no method of this rule mapped: as proposed it would choose any method',
      },
    ]);
    expect(migration.complete).toBe(false);
  });

  it('leaves a rule set without method ids as it is (one version up) and asks SendCloud nothing', async () => {
    const migration = await migrateToV3(defaultRules(), async () => {
      throw new Error('no lookup needed');
    });
    expect(migration).toMatchObject({ complete: true, problems: [], mapped: [] });
    expect(migration.rules.rules).toEqual(defaultRules().rules);
  });
});

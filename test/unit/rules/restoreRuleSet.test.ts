import { describe, expect, it } from 'vitest';
import { RuleSet, type RuleSetCheck } from '../../../shared/routing';
import { restoreRuleSet, storeRuleSet } from '../../../shared/rules';
import { InMemoryRulesStore } from '../../helpers/InMemoryRulesStore';

const accepted = async (): Promise<RuleSetCheck> => ({ problems: [], warnings: [] });
const target = { account: 'shop', storedBy: 'arn:aws:iam::123456789012:user/ops' };
const v1 = { name: 'PostNL first', version: 1, rules: [{ name: 'all', choose: { carriers: ['postnl'] } }] };
const v2 = { name: 'DPD first', version: 2, rules: [{ name: 'all', choose: { carriers: ['dpd'] } }] };

async function storeWithTwoVersions() {
  const rules = new InMemoryRulesStore();
  await storeRuleSet(v1, { rules, check: accepted }, target);
  await storeRuleSet(v2, { rules, check: accepted }, target);
  return rules;
}

describe('restoring an older rule set version', () => {
  it('stores the old content as a new, higher version and keeps every version', async () => {
    // Prepare
    const rules = await storeWithTwoVersions();
    // Act
    const outcome = await restoreRuleSet(1, { rules, check: accepted }, target);
    // Assess
    expect(outcome).toMatchObject({
      outcome: 'stored',
      restoredFrom: 1,
      rules: { version: 3, name: 'PostNL first' },
    });
    expect(await rules.current('shop')).toEqual({ ...RuleSet.parse(v1), version: 3 });
    const versions = await rules.versions('shop');
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    // equal content hashes equally whatever its version
    expect(versions[0]?.sha256).toBe(versions[2]?.sha256);
    expect(versions[0]?.sha256).not.toBe(versions[1]?.sha256);
    expect(versions[0]?.storedBy).toBe(target.storedBy);
  });

  it('is refused as stale when another version landed first, as a PUT is', async () => {
    const rules = await storeWithTwoVersions();
    await storeRuleSet({ ...v2, version: 3 }, { rules, check: accepted }, target);
    const outcome = await restoreRuleSet(1, { rules, check: accepted }, { ...target, asVersion: 3 });
    expect(outcome).toEqual({ outcome: 'stale', version: 3, currentVersion: 3, restoredFrom: 1 });
    expect((await rules.current('shop'))?.name).toBe('DPD first');
  });

  it('checks the old content again and stores nothing when the account no longer has what it names', async () => {
    const rules = await storeWithTwoVersions();
    const problem = {
      path: 'rules.0.choose.carriers.0',
      message: '"postnl" is not a carrier of this account',
    };
    const outcome = await restoreRuleSet(
      1,
      { rules, check: async () => ({ problems: [problem], warnings: [] }) },
      target,
    );
    expect(outcome).toEqual({ outcome: 'invalid', problems: [problem], restoredFrom: 1 });
    expect((await rules.current('shop'))?.version).toBe(2);
  });

  it('says so for a version that was never stored', async () => {
    const rules = await storeWithTwoVersions();
    expect(await restoreRuleSet(7, { rules, check: accepted }, target)).toEqual({
      outcome: 'not_found',
      version: 7,
    });
  });
});

import { type RuleSet, ruleSetHash } from '../../shared/routing';
import type { RuleSetVersion, RulesStore } from '../../shared/store';

/** The rules store port in memory, with the Dynamo store's contract: higher versions only, every one kept. */
export class InMemoryRulesStore implements RulesStore {
  readonly #versions = new Map<string, Array<RuleSetVersion & { readonly rules: RuleSet }>>();
  readonly #clock: () => Date;

  constructor(options: { readonly clock?: () => Date } = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  async current(account: string): Promise<RuleSet | undefined> {
    return this.#versions.get(account)?.at(-1)?.rules;
  }

  async put(account: string, rules: RuleSet, options: { readonly storedBy?: string } = {}): Promise<boolean> {
    const versions = this.#versions.get(account) ?? [];
    if ((versions.at(-1)?.version ?? 0) >= rules.version) return false;
    versions.push({
      version: rules.version,
      rules,
      storedAt: this.#clock().toISOString(),
      storedBy: options.storedBy ?? null,
      sha256: ruleSetHash(rules),
    });
    this.#versions.set(account, versions);
    return true;
  }

  async versions(account: string): Promise<RuleSetVersion[]> {
    return (this.#versions.get(account) ?? []).map(({ rules: _rules, ...summary }) => summary).reverse();
  }

  async version(account: string, version: number) {
    return this.#versions.get(account)?.find((v) => v.version === version);
  }
}

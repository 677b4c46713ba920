import { canonicalJson, sha256 } from '../orders/canonical';
import type { RuleSet } from './RuleSet';

/** SHA-256 of a rule set's content, its version left out: equal rules under two versions hash equally. */
export function ruleSetHash(rules: RuleSet): string {
  const { version: _version, ...content } = rules;
  return sha256(canonicalJson(content));
}

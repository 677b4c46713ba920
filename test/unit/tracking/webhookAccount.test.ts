import { describe, expect, it } from 'vitest';
import { webhookAccount } from '../../../shared/tracking';

describe('the account a webhook route speaks for', () => {
  it('is the one the path names', () => {
    expect(webhookAccount('shopb', ['default', 'shopb'])).toBe('shopb');
  });

  it('on the route without an account: the account named default', () => {
    expect(webhookAccount(undefined, ['shopb', 'default', 'shopc'])).toBe('default');
  });

  it('on the route without an account: the only account, whatever its name', () => {
    expect(webhookAccount(undefined, ['shopa'])).toBe('shopa');
  });

  it('on the route without an account: nobody, when several accounts and none is named default', () => {
    expect(webhookAccount(undefined, ['shopa', 'shopb'])).toBeUndefined();
    expect(webhookAccount(undefined, [])).toBeUndefined();
  });
});

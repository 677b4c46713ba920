import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIALS_PLACEHOLDER,
  CredentialsConfigError,
  fileCredentials,
  parseCredentials,
} from '../../../shared/config';

const keys = { publicKey: 'pk', secretKey: 'sk', api: 'v3' } as const;
const parse = (eventSubscription: unknown) =>
  parseCredentials({ default: { ...keys, eventSubscription } }, 'test.json');
const problem = (eventSubscription: unknown): string => {
  try {
    parse(eventSubscription);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsConfigError);
    return (error as Error).message;
  }
  throw new Error('parsed');
};

describe('eventSubscription in the credentials document', () => {
  it('is optional, and takes the three auth types of a SendCloud webhook connection', () => {
    expect(parseCredentials({ default: keys }, 'test.json').default?.eventSubscription).toBeUndefined();
    expect(parse({ auth: 'bearer', token: 't0ken' }).default?.eventSubscription).toEqual({
      auth: 'bearer',
      token: 't0ken',
    });
    expect(
      parse({ auth: 'basic', username: 'sendcloud', password: 'pw' }).default?.eventSubscription,
    ).toEqual({
      auth: 'basic',
      username: 'sendcloud',
      password: 'pw',
    });
    expect(parse({ auth: 'api_key', header: 'X-Api-Key', value: 'k' }).default?.eventSubscription).toEqual({
      auth: 'api_key',
      header: 'X-Api-Key',
      value: 'k',
    });
  });

  it('refuses `none`, unknown types and stray fields, naming the account and field', () => {
    expect(problem({ auth: 'none' })).toMatch(
      /default\.eventSubscription\.auth: eventSubscription\.auth is "bearer", "basic" or "api_key"/,
    );
    expect(problem({ auth: 'hmac', token: 'x' })).toContain('"none" is refused');
    expect(problem({ auth: 'bearer', token: 'x', header: 'X-Api-Key' })).toMatch(/eventSubscription/);
    expect(problem({ auth: 'bearer', token: 'x', header: 'X-Api-Key' })).toMatch(/header/);
    expect(problem('a-token')).toMatch(/default\.eventSubscription/);
  });

  it('refuses empty, missing and placeholder secrets with a hint where the value comes from', () => {
    expect(problem({ auth: 'bearer', token: '' })).toContain('eventSubscription.token is empty');
    expect(problem({ auth: 'bearer' })).toContain('eventSubscription.token is required');
    expect(problem({ auth: 'basic', username: 'u' })).toContain('eventSubscription.password is required');
    expect(problem({ auth: 'api_key', header: 'X-Api-Key', value: CREDENTIALS_PLACEHOLDER })).toContain(
      'event-subscription connection',
    );
  });

  it('refuses a Basic username with a colon, and api_key headers that are no header name or are reserved', () => {
    expect(problem({ auth: 'basic', username: 'a:b', password: 'p' })).toContain('cannot contain ":"');
    expect(problem({ auth: 'api_key', header: 'X Api Key', value: 'k' })).toContain(
      'not an HTTP header name',
    );
    expect(problem({ auth: 'api_key', header: 'Content-Type', value: 'k' })).toContain(
      'use e.g. "X-Api-Key"',
    );
    expect(problem({ auth: 'api_key', value: 'k' })).toContain('eventSubscription.header is required');
  });

  it('the directory hands an account its eventSubscription, and nothing for others or unknown accounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credentials-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(
      file,
      JSON.stringify({
        default: { ...keys, eventSubscription: { auth: 'bearer', token: 'default-token' } },
        shopb: keys,
      }),
    );
    const directory = fileCredentials(file);
    expect(await directory.eventSubscriptionAuth('default')).toEqual({
      auth: 'bearer',
      token: 'default-token',
    });
    expect(await directory.eventSubscriptionAuth('shopb')).toBeUndefined();
    expect(await directory.eventSubscriptionAuth('nobody')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  clientIdOf,
  clientKeyOf,
  clientNetwork,
  EDGE_TOKEN_HEADER,
  VIEWER_ADDRESS_HEADER,
} from '../../../shared/checkout';

const TOKEN = 'edge-token-0123456789abcdefghijklmnopqrstuv';
const request = (sourceIp: string, headers: Record<string, string> = {}) => ({
  sourceIp,
  header: (name: string) => headers[name.toLowerCase()],
});

describe('which client is asking', () => {
  it('is the source address API Gateway saw when the stage has no edge, whatever the headers claim', () => {
    const forged = request('198.51.100.4', {
      [VIEWER_ADDRESS_HEADER]: '203.0.113.1:443',
      [EDGE_TOKEN_HEADER]: TOKEN,
      'x-forwarded-for': '203.0.113.2',
    });
    expect(clientAddress(forged)).toBe('198.51.100.4');
  });

  it("is CloudFront's viewer address on requests that carry the edge token", () => {
    const via = (viewer: string) =>
      clientAddress(request('130.176.1.1', { [VIEWER_ADDRESS_HEADER]: viewer, [EDGE_TOKEN_HEADER]: TOKEN }), {
        edgeToken: TOKEN,
      });
    expect(via('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(via('2001:db8:5:6::17:51234')).toBe('2001:db8:5:6::17');
    expect(via('[2001:db8:5:6::18]:443')).toBe('2001:db8:5:6::18');
  });

  it('stays the source address for a caller that goes around CloudFront and names its own viewer address', () => {
    const around = (headers: Record<string, string>) =>
      clientAddress(request('198.51.100.4', headers), { edgeToken: TOKEN });
    expect(around({ [VIEWER_ADDRESS_HEADER]: '203.0.113.1:443' })).toBe('198.51.100.4');
    expect(around({ [VIEWER_ADDRESS_HEADER]: '203.0.113.1:443', [EDGE_TOKEN_HEADER]: `${TOKEN}x` })).toBe(
      '198.51.100.4',
    );
    expect(around({ [VIEWER_ADDRESS_HEADER]: 'not an address', [EDGE_TOKEN_HEADER]: TOKEN })).toBe(
      '198.51.100.4',
    );
    expect(around({ 'x-forwarded-for': '203.0.113.1', [EDGE_TOKEN_HEADER]: TOKEN })).toBe('198.51.100.4');
  });

  it('counts an IPv6 client by its /64 and an IPv4 client on a dual-stack socket as IPv4', () => {
    expect(clientNetwork('2001:db8:5:6::17')).toBe(clientNetwork('2001:0db8:0005:0006:ffff:1:2:3'));
    expect(clientNetwork('2001:db8:5:6::17')).not.toBe(clientNetwork('2001:db8:5:7::17'));
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientNetwork('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientNetwork('192.0.2.1')).toBe('192.0.2.1');
    expect(clientNetwork('unknown')).toBe('unknown');
  });

  it('is stored as a keyed hash: stable, without the address, unlinkable without the key', () => {
    const key = clientKeyOf({ default: { secretKey: 'sk-1' } });
    const id = clientIdOf('203.0.113.7', key);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(clientIdOf('203.0.113.7', key)).toBe(id);
    expect(clientIdOf('203.0.113.8', key)).not.toBe(id);
    expect(clientIdOf('203.0.113.7', clientKeyOf({ default: { secretKey: 'sk-2' } }))).not.toBe(id);
    // the same key from the same keys, whatever order the document lists its accounts in
    expect(clientKeyOf({ a: { secretKey: 'x' }, b: { secretKey: 'y' } }).toString()).toBe(
      clientKeyOf({ b: { secretKey: 'y' }, a: { secretKey: 'x' } }).toString(),
    );
  });
});

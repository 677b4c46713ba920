import { createHmac, hkdfSync } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a client is counted by: an IPv4 address as it is; an IPv6 client by its /64, the prefix one
 * subscriber is given and can pick any address from (counting single IPv6 addresses would let one client
 * be billions). Anything unparsable is counted as itself.
 */
export function clientNetwork(address: string): string {
  if (isIPv4(address)) return address;
  const groups = isIPv6(address) ? ipv6Groups(address) : undefined;
  if (!groups) return address;
  // An IPv4 client on a dual-stack socket (::ffff:192.0.2.1) is that IPv4 client.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6] ?? 0, groups[7] ?? 0].flatMap((g) => [g >> 8, g & 0xff]).join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/**
 * The client's id in the table: a keyed hash (HMAC-SHA-256) of its network. An address is personal data,
 * and a plain hash of an IPv4 address is undone by trying all 2³² of them; without the key it cannot be.
 */
export function clientIdOf(address: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(clientNetwork(address)).digest('hex').slice(0, 32);
}

const KEYS = new WeakMap<object, Uint8Array>();

/**
 * The key client ids are made with, derived (HKDF) from the SendCloud secret keys the function already
 * holds: no new secret to provision or rotate. A rotated SendCloud key changes it, which only starts every
 * client with a fresh (full) share.
 */
export function clientKeyOf(
  credentials: Readonly<Record<string, { readonly secretKey: string }>>,
): Uint8Array {
  const known = KEYS.get(credentials);
  if (known) return known;
  const material = Object.entries(credentials)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([account, { secretKey }]) => `${account}\u0000${secretKey}`)
    .join('\u0001');
  const key = new Uint8Array(hkdfSync('sha256', material, 'sendcloud-bridge', 'checkout client ids v1', 32));
  KEYS.set(credentials, key);
  return key;
}

/** The eight 16-bit groups of an IPv6 address (a zone id dropped, an IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] | undefined {
  const text = (address.split('%')[0] ?? '').replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_, a: string, b: string, c: string, d: string) =>
      `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const groups = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

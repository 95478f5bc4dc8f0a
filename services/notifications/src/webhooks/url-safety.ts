import { isIP } from 'node:net';

/** A destination we refuse to call (scheme, or an address inside our own network). */
export class UnsafeDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeDestinationError';
  }
}

/** IPv4 ranges that are not the public internet (RFC 6890 special-purpose registry, abridged). */
const V4_BLOCKED: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function v4Blocked(ip: string): boolean {
  const value = v4ToInt(ip);
  return V4_BLOCKED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    return value >= start && value < start + size;
  });
}

/** The eight 16-bit groups of an IPv6 address (accepts `::` and a trailing dotted IPv4). */
export function parseV6(ip: string): number[] {
  let text = ip.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = v4ToInt(dotted[1]!);
    text = text.slice(0, -dotted[1]!.length) + `${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<number>(zeros).fill(0), ...right];
}

function embeddedV4(groups: number[]): string {
  const [a, b] = [groups[6]!, groups[7]!];
  return `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
}

function v6Blocked(ip: string): boolean {
  const g = parseV6(ip);
  const first = g[0]!;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const zerosUpTo = (n: number) => zeros(0, n);
  if (zerosUpTo(8)) return true; // ::
  if (zerosUpTo(7) && g[7] === 1) return true; // ::1
  if (zerosUpTo(5) && g[5] === 0xffff) return v4Blocked(embeddedV4(g)); // ::ffff:a.b.c.d
  if (zerosUpTo(6)) return v4Blocked(embeddedV4(g)); // ::a.b.c.d (deprecated IPv4-compatible)
  if (first === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4Blocked(embeddedV4(g)); // NAT64
  if (first === 0x2002) return v4Blocked(`${g[1]! >> 8}.${g[1]! & 0xff}.${g[2]! >> 8}.${g[2]! & 0xff}`); // 6to4
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (first === 0x2001 && g[1] === 0x0db8) return true; // documentation
  // Tunnels whose endpoint is an IPv4 address we cannot check from here: refuse them whole.
  if (first === 0x64 && g[1] === 0xff9b && g[2] === 1) return true; // 64:ff9b:1::/48 local NAT64
  if (first === 0x2001 && g[1] === 0) return true; // 2001::/32 Teredo
  if (first === 0x0100 && zeros(1, 4)) return true; // 100::/64 discard
  return false;
}

/** True for loopback, private, link-local and other non-public addresses (IPv4 or IPv6). */
export function isNonPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return v4Blocked(ip);
  if (family === 6) return v6Blocked(ip);
  return true;
}

/** The host of a URL without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Checks an endpoint URL when it is registered: http(s) only, no fragments, and unless private
 * destinations are allowed no `localhost` name and no literal non-public address. Names are
 * resolved (and checked again) at each delivery, because DNS can change after registration.
 */
export function checkEndpointUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeDestinationError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeDestinationError(`only http and https URLs are allowed, got ${url.protocol}`);
  }
  if (url.hash) throw new UnsafeDestinationError('the URL must not have a fragment');
  if (allowPrivate) return url;
  const host = bareHost(url).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) {
    throw new UnsafeDestinationError('loopback destinations are not allowed');
  }
  if (isIP(host) && isNonPublicAddress(host)) {
    throw new UnsafeDestinationError(`${host} is a loopback, private or reserved address`);
  }
  return url;
}

/** The URL without credentials, for logs and events (an endpoint URL may carry basic-auth userinfo). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '[invalid url]';
  }
}

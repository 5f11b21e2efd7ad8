/**
 * Which IP addresses a webhook may be sent to. A subscription URL is chosen by an API client,
 * so without this check the dispatcher could be pointed at the cloud metadata service
 * (169.254.169.254), at services inside the VPC, or at the machine itself (SSRF).
 *
 * IPv4 is a deny list of the special-purpose ranges (IANA registry). IPv6 is an allow list:
 * only global unicast (2000::/3) minus its special blocks, because everything outside it is
 * local, multicast or reserved. IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64,
 * 6to4) are judged by the IPv4 address they lead to, so `::ffff:127.0.0.1` is loopback.
 */
import { BlockList, isIP } from 'node:net';

/** IPv4 ranges that are not reachable on the public internet, or must not be reached. */
const V4_NOT_PUBLIC: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. the metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
];

/** Special blocks inside IPv6 global unicast (2000::/3). */
const V6_GLOBAL_NOT_PUBLIC: readonly (readonly [string, number])[] = [
  // IETF protocol assignments: Teredo (hides an IPv4 address), benchmarking, ORCHID, and a few
  // anycast services no webhook receiver lives on. Denied as a whole rather than picked apart.
  ['2001::', 23],
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
];

const v4NotPublic = new BlockList();
for (const [net, prefix] of V4_NOT_PUBLIC) v4NotPublic.addSubnet(net, prefix, 'ipv4');

const v6GlobalUnicast = new BlockList();
v6GlobalUnicast.addSubnet('2000::', 3, 'ipv6');

const v6NotPublic = new BlockList();
for (const [net, prefix] of V6_GLOBAL_NOT_PUBLIC) v6NotPublic.addSubnet(net, prefix, 'ipv6');

/** The 16 bytes of a valid IPv6 address (as `isIP` accepts it, without a zone). */
function ipv6Bytes(ip: string): Uint8Array {
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [Number.parseInt(g, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = ip.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]; // ::ffff:0:0/96
const NAT64_PREFIX = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]; // 64:ff9b::/96
const SIX_TO_FOUR_PREFIX = [0x20, 0x02]; // 2002::/16

/**
 * The IPv4 address an IPv6 address stands for, if it is one of the forms that lead to one:
 * IPv4-mapped (the socket is really IPv4), NAT64 (the gateway connects to it), 6to4 (the
 * relay does).
 */
function embeddedIpv4(bytes: Uint8Array): string | undefined {
  const quad = (at: number) => Array.from(bytes.subarray(at, at + 4)).join('.');
  if (startsWith(bytes, MAPPED_PREFIX) || startsWith(bytes, NAT64_PREFIX)) return quad(12);
  if (startsWith(bytes, SIX_TO_FOUR_PREFIX)) return quad(2);
  return undefined;
}

/**
 * True when `ip` is an address on the public internet that a webhook may be sent to.
 * Anything that is not a plain IPv4 or IPv6 address (hostnames, `[::1]`, a `%zone` suffix,
 * `0x7f.1`-style forms) is not public: callers pass addresses from a resolver or a parsed URL.
 */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !v4NotPublic.check(ip, 'ipv4');
  if (family !== 6 || ip.includes('%')) return false;
  const v4 = embeddedIpv4(ipv6Bytes(ip));
  if (v4 !== undefined) return isPublicAddress(v4);
  return v6GlobalUnicast.check(ip, 'ipv6') && !v6NotPublic.check(ip, 'ipv6');
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x: the machine itself. */
export function isLoopbackAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return ip.startsWith('127.');
  if (family !== 6 || ip.includes('%')) return false;
  const bytes = ipv6Bytes(ip);
  if (startsWith(bytes, MAPPED_PREFIX)) return bytes[12] === 127;
  return startsWith(bytes, [...new Array(15).fill(0), 1]);
}

/**
 * The one rule for where a webhook may go: a public address, or loopback when the local
 * stack allows it (`EVENTS_ALLOW_LOOPBACK`, so a developer can receive events).
 */
export function isAllowedAddress(ip: string, opts: { allowLoopback: boolean }): boolean {
  return isPublicAddress(ip) || (opts.allowLoopback && isLoopbackAddress(ip));
}

import { describe, expect, it } from 'vitest';
import {
  isAllowedAddress,
  isLoopbackAddress,
  isPublicAddress,
} from '../../../lib/events/ip-ranges.ts';

describe('isPublicAddress', () => {
  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '93.184.216.34',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above CGNAT
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above
    '192.0.1.1',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255', // last below multicast
    '2606:4700:4700::1111',
    '2a00:1450:4001:81b::200e',
    '2001:200::1', // just above 2001::/23
    '2001:db9::1', // just above documentation
    '::ffff:8.8.8.8',
    '::ffff:808:808', // the same in hex
    '64:ff9b::808:808', // NAT64 to a public address
    '2002:808:808::1', // 6to4 of a public address
    '2606:4700:4700:0:0:0:0:1111',
  ])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it.each([
    ['0.0.0.0', 'this network'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'metadata service'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'IETF'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['192.88.99.1', '6to4 relay'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback, long form'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback in hex'],
    ['::FFFF:7F00:1', 'uppercase hex'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped metadata service'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:0:0', 'IPv4-mapped 0.0.0.0'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['::ffff:0:808:808', 'IPv4-translated'],
    ['64:ff9b::7f00:1', 'NAT64 to loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 to the metadata service'],
    ['64:ff9b::192.168.0.1', 'NAT64 to private, dotted'],
    ['64:ff9b:1::808:808', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:a9fe:a9fe::1', '6to4 of the metadata service'],
    ['2002:0a00:0001::', '6to4 of private'],
    ['100::1', 'discard-only'],
    ['2001::1', 'Teredo'],
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'ORCHID'],
    ['2001:1ff:ffff::1', 'end of 2001::/23'],
    ['2001:db8::1', 'documentation'],
    ['2001:DB8:ffff::1', 'documentation, uppercase'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['FE80::1', 'link-local, uppercase'],
    ['febf::1', 'link-local, end'],
    ['fe80::1%eth0', 'with a zone'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'site-local (deprecated)'],
    ['4000::1', 'outside global unicast'],
  ])('%s is not public (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    '',
    'localhost',
    'example.com',
    '[::1]',
    '[2606:4700:4700::1111]',
    '8.8.8.8:443',
    '0x7f.1',
    '2130706433',
    '08.08.08.08',
    ' 8.8.8.8',
  ])('%j is not an address, so not public', (input) => {
    expect(isPublicAddress(input)).toBe(false);
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::FFFF:7F00:0001',
  ])('%s is loopback', (ip) => {
    expect(isLoopbackAddress(ip)).toBe(true);
  });

  it.each([
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '128.0.0.1',
    '::2',
    '1::1',
    '::1%lo',
    '[::1]',
    'localhost',
    '64:ff9b::7f00:1',
    '::ffff:128.0.0.1',
    '8.8.8.8',
  ])('%s is not loopback', (ip) => {
    expect(isLoopbackAddress(ip)).toBe(false);
  });
});

describe('isAllowedAddress', () => {
  it('allows public addresses whatever allowLoopback says', () => {
    expect(isAllowedAddress('8.8.8.8', { allowLoopback: false })).toBe(true);
    expect(isAllowedAddress('8.8.8.8', { allowLoopback: true })).toBe(true);
  });

  it('allows loopback only when allowLoopback is set', () => {
    expect(isAllowedAddress('127.0.0.1', { allowLoopback: false })).toBe(false);
    expect(isAllowedAddress('127.0.0.1', { allowLoopback: true })).toBe(true);
    expect(isAllowedAddress('::1', { allowLoopback: true })).toBe(true);
  });

  it('never allows private or link-local addresses, even with allowLoopback', () => {
    for (const ip of ['10.0.0.1', '169.254.169.254', '::ffff:a9fe:a9fe', 'fe80::1', '0.0.0.0']) {
      expect(isAllowedAddress(ip, { allowLoopback: true })).toBe(false);
    }
  });
});

import { type LookupAddress, lookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Where a webhook may be sent (issue 15, item 4): https anywhere public; plain http, and
// private, loopback or link-local addresses, only to hosts the configuration allows
// (WEBHOOK_ALLOWED_HOSTS). Addresses are checked after DNS resolution, on every delivery,
// in the lookup the connection itself uses: a name cannot resolve to a public address for
// the check and to a private one for the connection.

/** Ranges a webhook never reaches unless its host is allowed: private, loopback, link-local, and the like. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
// IPv6 that embeds IPv4 (NAT64, 6to4, the deprecated IPv4-compatible and SIIT forms) is
// refused whole: the address inside may be a private one.
for (const [network, prefix] of [
  ['::', 96], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2002::', 16], ['::ffff:0:0:0', 96],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** Whether `address` (v4 or v6) lies outside the public internet; an IPv4 address mapped into IPv6 is judged as IPv4. */
export function isNotPublic(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return NOT_PUBLIC.check(mapped, 'ipv4');
  return NOT_PUBLIC.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Why `url` may not be a webhook's target, or undefined when it may (as far as can be told without resolving it). */
export function targetRefusal(url: URL, allowedHosts: readonly string[]): string | undefined {
  const host = hostOf(url);
  const allowed = allowedHosts.includes(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    return allowed || url.protocol !== 'http:' ? 'must be an https:// URL' : `must be an https:// URL; http:// only to hosts allowed by WEBHOOK_ALLOWED_HOSTS (${host} is not)`;
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (isIP(host) && isNotPublic(host) && !allowed) return `must not point at a private, loopback or link-local address (${host}) unless WEBHOOK_ALLOWED_HOSTS allows it`;
  return undefined;
}

/** The URL's host as the allowlist names it: lower case, an IPv6 address without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** A DNS lookup for the connection to a webhook: it fails on any address that is not public, unless the host is allowed. */
export function publicOnlyLookup(allowedHosts: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = allowedHosts.includes(hostname.toLowerCase()) ? undefined : addresses.find(({ address }) => isNotPublic(address));
      if (refused) {
        const refusal = Object.assign(new Error(`${hostname} resolves to ${refused.address}, a private, loopback or link-local address, which WEBHOOK_ALLOWED_HOSTS does not allow`), { code: 'ENOTPUBLIC' });
        return callback(refusal, '', 0);
      }
      if (options.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

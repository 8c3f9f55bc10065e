// Where the gateway may connect (the SSRF guard): every upstream it reaches (providers, tool
// servers, the action gate's downstream) is checked at connect time, on the addresses its name
// resolves to, not on the name. A public name that resolves (or is rebound) to a loopback,
// private or link-local address is refused unless the entry is owned or says `private_network:
// true`; cloud metadata (link-local) only with `private_network: true`; multicast and reserved
// ranges never. An address written in the config itself is the operator's word for it: a
// loopback literal (or `localhost`) is allowed, a private one for owned entries or with the flag.
// node:net's BlockList does the range matching (it sees IPv4 inside IPv4-mapped IPv6 too).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Ownership } from './provider.js';

/** The kinds of address the rules tell apart. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'unusable';

function blockList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [network, prefix] = range.split('/') as [string, string];
    list.addSubnet(network, Number(prefix), network.includes(':') ? 'ipv6' : 'ipv4');
  }
  return list;
}

// 0.0.0.0/8 and :: connect to this host on Linux: loopback, for the rules.
const loopback = blockList(['127.0.0.0/8', '0.0.0.0/8', '::1/128', '::/128']);
// Link-local, and the cloud metadata services that answer elsewhere (AWS over IPv6, Google over IPv6, Alibaba).
const linkLocal = blockList([
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254/128',
  'fd20:ce::254/128',
  '100.100.100.200/32',
]);
const privateRanges = blockList([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10', // carrier-grade NAT
  '192.0.0.0/24', // IETF protocol assignments
  '198.18.0.0/15', // benchmarking
  'fc00::/7', // unique local
  'fec0::/10', // site-local (deprecated, still routed inside some networks)
]);
const unusable = blockList([
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and the broadcast address
  'ff00::/8', // multicast
  '2001:db8::/32', // documentation
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
]);

/**
 * The IPv4 address an IPv6 address carries, if any: IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96),
 * IPv4-compatible (::/96, but for :: and ::1), NAT64 (64:ff9b::/96 and the local 64:ff9b:1::/48) and 6to4 (2002::/16).
 */
function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address.toLowerCase());
  if (words === undefined) return undefined;
  const quad = (high: number, low: number): string => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const zero = (from: number, to: number): boolean => words.slice(from, to).every((word) => word === 0);
  if (zero(0, 5) && words[5] === 0xffff) return quad(words[6]!, words[7]!);
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0) return quad(words[6]!, words[7]!);
  if (zero(0, 6) && !(words[6] === 0 && words[7]! <= 1)) return quad(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && (zero(2, 6) || words[2] === 1)) return quad(words[6]!, words[7]!);
  if (words[0] === 0x2002) return quad(words[1]!, words[2]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a dotted IPv4 tail read as two words), or undefined. */
function expandIpv6(address: string): number[] | undefined {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined): number[] =>
    part ? part.split(':').map((word) => Number.parseInt(word, 16)) : [];
  const start = parse(head);
  const end = parse(tail);
  const fill = tail === undefined ? 0 : 8 - start.length - end.length;
  const words = [...start, ...new Array<number>(Math.max(0, fill)).fill(0), ...end];
  return words.length === 8 && words.every((word) => Number.isInteger(word)) ? words : undefined;
}

/** What kind of address an IP address (v4 or v6) is. */
export function addressKind(address: string): AddressKind {
  const family = isIP(address);
  if (family === 0) return 'unusable';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (family === 6) {
    const inner = embeddedIpv4(address);
    if (inner !== undefined) return addressKind(inner);
  }
  if (loopback.check(address, type)) return 'loopback';
  if (linkLocal.check(address, type)) return 'link-local';
  if (privateRanges.check(address, type)) return 'private';
  if (unusable.check(address, type)) return 'unusable';
  return 'public';
}

/** Who an upstream is, for the rules: its ownership and its `private_network` setting. */
export interface AddressRule {
  /** Names the upstream in refusals, e.g. `provider "cloud"`. */
  name: string;
  ownership: Ownership;
  /** `private_network`: true lets it reach private, loopback and link-local addresses whoever owns it. */
  privateNetwork?: boolean;
}

/** Why an address may not be reached for a rule, or undefined when it may; `literal`: written in the config. */
export function refusal(rule: AddressRule, address: string, literal: boolean): string | undefined {
  const kind = addressKind(address);
  if (kind === 'public') return undefined;
  const what = literal ? `${address} is` : `it resolved to ${address},`;
  if (kind === 'unusable') return `${what} a multicast, reserved or documentation address`;
  if (rule.privateNetwork === true) return undefined;
  if (kind === 'link-local')
    return `${what} a link-local address (where cloud metadata services answer); set private_network: true to allow it`;
  if (kind === 'loopback' && literal) return undefined;
  if (rule.ownership === 'owned') return undefined;
  return `${what} ${kind === 'loopback' ? 'a loopback' : 'a private'} address, and the ${rule.ownership} upstream does not say private_network: true`;
}

/** The host of a URL as an address when it is one (brackets removed), `localhost` as 127.0.0.1. */
function literalAddress(hostname: string): string | undefined {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(host) !== 0) return host;
  const lower = host.toLowerCase().replace(/\.$/, '');
  // RFC 6761: localhost and its subdomains are this host, whatever a resolver says.
  if (lower === 'localhost' || lower.endsWith('.localhost')) return '127.0.0.1';
  return undefined;
}

/**
 * Why a configured URL whose host is an address (or localhost) may not be reached, or undefined: such an address never
 * changes, so it is refused at start (the caller names the entry). Names are checked when they are resolved, by guardedLookup.
 */
export function checkConfiguredUrl(rule: AddressRule, url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined; // not a URL: the schema's own check says so
  }
  const address = literalAddress(host);
  if (address === undefined) return undefined;
  return refusal(rule, address, true);
}

/** The error a refused resolution fails the connection with (undici reports it as the connect error). */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefusedError';
  }
}

/**
 * A `lookup` for net.connect and tls.connect (undici's `connect` options) that resolves as the system does and keeps
 * only the addresses the rule allows; none left fails the connection with AddressRefusedError. Checked at every
 * connection, so a name rebound between two connections is caught.
 */
export function guardedLookup(
  rule: AddressRule,
  resolve: LookupFunction = dnsLookup as LookupFunction,
): LookupFunction {
  return (hostname, options, callback) => {
    // localhost names are this host (RFC 6761), answered without a resolver, as the config's check read them.
    if (literalAddress(hostname) === '127.0.0.1') {
      const refused = refusal(rule, '127.0.0.1', true);
      if (refused !== undefined)
        callback(new AddressRefusedError(`${rule.name}: ${hostname} refused: ${refused}`), '', 0);
      else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }] as never);
      else callback(null, '127.0.0.1', 4);
      return;
    }
    resolve(hostname, { ...options, all: true }, (error, found) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const addresses = found as unknown as LookupAddress[];
      const allowed: LookupAddress[] = [];
      let why: string | undefined;
      for (const entry of addresses) {
        const refused = refusal(rule, entry.address, false);
        if (refused === undefined) allowed.push(entry);
        else why ??= refused;
      }
      if (allowed.length === 0) {
        const reason = why ?? 'it resolved to no address';
        callback(new AddressRefusedError(`${rule.name}: ${hostname} refused: ${reason}`), '', 0);
        return;
      }
      if (options.all) callback(null, allowed as never);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** The AddressRefusedError behind an error (fetch and SDKs wrap it as a cause), if there is one. */
export function addressRefusal(error: unknown): AddressRefusedError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof AddressRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

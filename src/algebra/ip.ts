import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface IPAddress {
  readonly family: Family;
  readonly value: bigint;
}

export interface CIDR {
  readonly family: Family;
  readonly prefix: number;
  /** First and last address of the network; host bits of the input are ignored, as Go's ParseCIDR does. */
  readonly first: bigint;
  readonly last: bigint;
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128);

/**
 * Kubernetes parses addresses "sloppily": IPv4 octets may carry leading zeros
 * and are read as decimal (k8s.io/utils/net ParseIPSloppy). We normalise them
 * before handing the text to a strict parser.
 */
function normaliseSloppyIPv4(text: string): string {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((o) => /^[0-9]{1,3}$/.test(o))) return text;
  return octets.map((o) => String(Number(o))).join('.');
}

export function parseIP(text: string): IPAddress | undefined {
  const quad = dottedQuad(text);
  if (quad !== undefined) return quad < 0 ? undefined : { family: 4, value: BigInt(quad) };
  if (text.includes('%')) return undefined; // zones are never valid in a policy
  const v4 = normaliseSloppyIPv4(text);
  if (isIPv4(v4)) return { family: 4, value: bytesToBigint(ipaddr.IPv4.parse(v4).toByteArray()) };
  if (isIPv6(text)) return { family: 6, value: bytesToBigint(ipaddr.IPv6.parse(text).toByteArray()) };
  return undefined;
}

/**
 * The commonest address, four groups of one to three digits (a pod's IP), read without the
 * general path: its value, -1 if a group is past 255 (no address, as the general path finds too),
 * undefined for any other text.
 */
function dottedQuad(text: string): number | undefined {
  let value = 0;
  let group = 0;
  let digits = 0;
  let groups = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return undefined;
      group = group * 10 + (c - 0x30);
    } else if (c === 0x2e /* . */ && digits > 0 && groups < 4) {
      if (group > 255) value = -1;
      else if (value >= 0) value = value * 256 + group;
      group = 0;
      digits = 0;
      groups++;
    } else {
      return undefined;
    }
  }
  if (groups !== 4 || digits === 0) return undefined;
  return value < 0 || group > 255 ? -1 : value * 256 + group;
}

export function parseCIDR(text: string): CIDR | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = familyBits(address.family);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (address.value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { family: address.family, prefix, first, last };
}

export function formatIP(family: Family, value: bigint): string {
  const bytes: number[] = [];
  for (let i = familyBits(family) / 8 - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

const addressTexts = new WeakMap<IPAddress, string>();

/** An address as text, kept per address object: endpoints keep their address objects from one build to the next. */
export function formatAddress(ip: IPAddress): string {
  let text = addressTexts.get(ip);
  if (text === undefined) addressTexts.set(ip, (text = formatIP(ip.family, ip.value)));
  return text;
}

function bytesToBigint(bytes: number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

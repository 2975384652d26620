import { compareStrings } from '../util/order.js';
import type { ConnSet } from '../algebra/connset.js';
import { type AddressRange, formatAddressRange } from '../algebra/ipset.js';
import type { Endpoint } from '../model/endpoints.js';
import { objectKey } from '../resources/source.js';
import type { Connectivity } from './connectivity.js';

/** One line of the connectivity list: a workload or external range to another, and what it may open. */
export interface ConnLine {
  readonly src: string;
  readonly dst: string;
  readonly conns: ConnSet;
}

/** `NAMESPACE/NAME[KIND]`: the replicas of a workload are one peer. */
export const workloadName = (e: Endpoint): string =>
  `${objectKey({ namespace: e.namespace, name: e.owner.name })}[${e.owner.kind}]`;

/** `NAME[Domain]`: a destination a rule names by DNS name, whose addresses only DNS knows. */
export const domainName = (name: string): string => `${name}[Domain]`;

/** `FIRST-LAST[External]` */
export const rangeName = (r: AddressRange): string => `${formatAddressRange(r)}[External]`;

/**
 * Folds identity-level connectivity into workload-level lines. A workload
 * may open a connection when any of its pods may (its replicas normally
 * share one identity, so this is exact for them). A workload's traffic to
 * itself and pairs with nothing allowed are left out. Sorted by source, then destination.
 */
export function workloadConnections(connectivity: Connectivity): ConnLine[] {
  const namesOf = connectivity.identities.map((i) => [...new Set(i.endpoints.map(workloadName))]);
  const lines = new Map<string, { src: string; dst: string; conns: ConnSet }>();
  const add = (src: string, dst: string, conns: ConnSet): void => {
    if (src === dst) return;
    const key = `${src}\u0000${dst}`;
    const line = lines.get(key);
    if (line === undefined) lines.set(key, { src, dst, conns });
    else line.conns = line.conns.union(conns);
  };
  for (const { src, dst, conns } of connectivity.pairs) {
    for (const s of namesOf[src.index]!) for (const d of namesOf[dst.index]!) add(s, d, conns);
  }
  // A range's name once per range, not once per line it is on.
  const names = new Map<AddressRange, string>();
  const nameOf = (range: AddressRange): string => {
    let name = names.get(range);
    if (name === undefined) names.set(range, (name = rangeName(range)));
    return name;
  };
  for (const { src, dst, conns } of connectivity.fromRanges)
    for (const d of namesOf[dst.index]!) add(nameOf(src), d, conns);
  for (const { src, dst, conns } of connectivity.toRanges)
    for (const s of namesOf[src.index]!) add(s, nameOf(dst), conns);
  for (const { src, dst, conns } of connectivity.toDomains)
    for (const s of namesOf[src.index]!) add(s, domainName(dst), conns);
  return [...lines.values()].sort((a, b) => compareStrings(a.src, b.src) || compareStrings(a.dst, b.dst));
}

export interface Focus {
  /** Workloads, each as `name`, `namespace/name` or `namespace/name[Kind]`: the lines that concern any of them. */
  readonly workloads?: readonly string[];
  readonly direction?: 'ingress' | 'egress';
}

/** A list peer's name as a focus may give it: `namespace/name[Kind]`, `namespace/name` or `name`. */
export function focusForm(peer: string, wanted: string): string {
  if (wanted.includes('[')) return peer;
  const bare = peer.replace(/\[[^\]]*\]$/, '');
  return wanted.includes('/') ? bare : bare.slice(bare.indexOf('/') + 1);
}

/** Whether a list peer (`namespace/name[Kind]`) is a workload the focus names. */
export const focusMatches = (peer: string, wanted: string): boolean => focusForm(peer, wanted) === wanted;

/** Keeps the lines that concern the focused workloads, in the focused direction. */
export function focusLines(lines: readonly ConnLine[], focus: Focus): ConnLine[] {
  const workloads = focus.workloads ?? [];
  if (workloads.length === 0) return [...lines];
  const matches = (peer: string): boolean => workloads.some((w) => focusMatches(peer, w));
  return lines.filter(
    (l) => (focus.direction !== 'egress' && matches(l.dst)) || (focus.direction !== 'ingress' && matches(l.src)),
  );
}

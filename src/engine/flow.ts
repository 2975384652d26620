import type { Protocol } from '../algebra/connset.js';
import { type IPAddress, parseIP } from '../algebra/ip.js';
import { type Cluster } from '../policy/cluster.js';
import { addressKey } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import { namedPortNumbers } from '../policy/named-port.js';
import { DEFAULT_NAMESPACE } from '../resources/defaults.js';
import { workloadName } from './connlist.js';
import type { Flow } from './verdict.js';
import type { FlowPeer } from '../policy/evaluate.js';
import { compareStrings } from '../util/order.js';

/** What a user names as one end of a flow: an endpoint, or an address. */
export type PeerSpec = { readonly endpoint: Endpoint } | { readonly ip: IPAddress };

export class UnknownPeerError extends Error {}

/** The endpoints a name stands for, under the name `list` prints for them. */
export interface NamedEndpoints {
  readonly name: string;
  readonly endpoints: readonly Endpoint[];
}

/**
 * Resolves what `list` prints, or a pod, to the endpoints it stands for: `ns/name` or `name` (namespace
 * `default`) of a workload, a pod or an Ironcore object, the same with `[Kind]`, or an address (an endpoint's
 * or an external one). A name that fits two things, a Deployment and a StatefulSet `web`, or a pod `web` and a
 * workload `web`, is an error that lists them.
 */
export function resolveEndpoints(cluster: Cluster, text: string): NamedEndpoints | { readonly ip: IPAddress } {
  const ip = parseIP(text);
  if (ip !== undefined) {
    const endpoint = cluster.endpointByAddress.get(addressKey(ip));
    return endpoint !== undefined ? { name: endpoint.id, endpoints: [endpoint] } : { ip };
  }
  const { namespace, name, kind } = parseName(text);
  const units = new Map<string, Endpoint[]>();
  const add = (unit: string, e: Endpoint): void => {
    const list = units.get(unit);
    if (list === undefined) units.set(unit, [e]);
    else list.push(e);
  };
  const inNamespace = cluster.endpoints.filter((e) => e.namespace === namespace);
  for (const e of inNamespace) {
    if (e.name === name && (kind === undefined || kind === e.kind)) add(e.id, e);
    if (e.owner.name === name && (kind === undefined || kind === e.owner.kind)) add(workloadName(e), e);
  }
  const found = distinct(units);
  if (found.length === 1) return found[0]!;
  if (found.length > 1)
    throw new UnknownPeerError(
      `${JSON.stringify(text)} names ${found.length} things: say which, as ${found.map((f) => f.name).join(' or ')}`,
    );
  const known = [...new Set(inNamespace.map(workloadName))];
  const more = known.length > 20 ? `, and ${known.length - 20} more` : '';
  const hint =
    known.length > 0
      ? `; in ${namespace}: ${known.slice(0, 20).join(', ')}${more}`
      : `; no endpoints in namespace ${namespace}`;
  throw new UnknownPeerError(`no workload, pod or IP address ${JSON.stringify(text)}${hint}`);
}

/**
 * One end of a flow, named as for `resolveEndpoints`. A workload with several pods is decided for its first pod
 * by name, which every selector and named port treats as the others; if its pods differ in labels or container
 * ports, the error asks for one of them.
 */
export function resolvePeerSpec(cluster: Cluster, text: string): PeerSpec {
  const resolved = resolveEndpoints(cluster, text);
  if ('ip' in resolved) return resolved;
  const [first, ...others] = resolved.endpoints;
  if (others.some((e) => !alikeToPolicy(first!, e)))
    throw new UnknownPeerError(
      `${resolved.name} stands for ${resolved.endpoints.length} pods that policies tell apart ` +
        `(their labels or ports differ): name one, as ${resolved.endpoints.map((e) => e.id).join(' or ')}`,
    );
  return { endpoint: first! };
}

/**
 * The port number a destination port stands for: a number as it is, a name resolved on the destination pod as
 * NetworkPolicy resolves named ports (its container port of that name and protocol).
 */
export function resolveDestinationPort(dst: PeerSpec, port: number | string, protocol: Protocol): number {
  if (typeof port === 'number') return port;
  if ('ip' in dst)
    throw new UnknownPeerError(`the port name ${JSON.stringify(port)} resolves on a destination pod, not an address`);
  const [number] = namedPortNumbers(dst.endpoint.ports, port, protocol);
  if (number !== undefined) return number;
  const named = dst.endpoint.ports
    .filter((p) => p.name !== undefined)
    .map((p) => `${p.name} (${p.protocol} ${p.port})`);
  const known = named.length > 0 ? `; its named ports: ${named.join(', ')}` : '; it names no ports';
  throw new UnknownPeerError(
    `${dst.endpoint.id} has no container port named ${JSON.stringify(port)} for ${protocol}${known}`,
  );
}

/** `ns/name`, `name` (namespace default), each with an optional `[Kind]`. */
function parseName(text: string): { namespace: string; name: string; kind: string | undefined } {
  const withKind = /^(.*)\[([A-Za-z][A-Za-z0-9]*)\]$/.exec(text);
  const bare = withKind?.[1] ?? text;
  const slash = bare.indexOf('/');
  return {
    namespace: slash >= 0 ? bare.slice(0, slash) : DEFAULT_NAMESPACE,
    name: slash >= 0 ? bare.slice(slash + 1) : bare,
    kind: withKind?.[2],
  };
}

/** The units found, each once: a bare pod is both a pod and its own workload; the workload's name is kept. */
function distinct(units: ReadonlyMap<string, Endpoint[]>): NamedEndpoints[] {
  const bySet = new Map<string, NamedEndpoints>();
  for (const [name, endpoints] of units) {
    const key = endpoints.map((e) => e.id).join('\u0000');
    const seen = bySet.get(key);
    if (seen === undefined || name.endsWith(']')) bySet.set(key, { name, endpoints });
  }
  return [...bySet.values()];
}

/** Whether every selector and named port treats two endpoints alike. */
const alikeToPolicy = (a: Endpoint, b: Endpoint): boolean => policyView(a) === policyView(b);

const policyView = (e: Endpoint): string =>
  JSON.stringify([
    e.kind,
    e.hostNetwork,
    Object.entries(e.labels).sort(([x], [y]) => compareStrings(x, y)),
    e.ports.map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`).sort(),
  ]);

/**
 * A flow between two named ends. Pod addresses are chosen in one family:
 * the destination's primary address, and the source's address of that family.
 */
export function makeFlow(src: PeerSpec, dst: PeerSpec, protocol: Protocol, port: number): Flow {
  const family =
    'ip' in dst
      ? dst.ip.family
      : (dst.endpoint.ips[0]?.family ?? ('ip' in src ? src.ip.family : src.endpoint.ips[0]?.family));
  const toPeer = (spec: PeerSpec): FlowPeer =>
    'ip' in spec
      ? { kind: 'external', ip: spec.ip }
      : { kind: 'endpoint', endpoint: spec.endpoint, ip: spec.endpoint.ips.find((ip) => ip.family === family) };
  return { src: toPeer(src), dst: toPeer(dst), protocol, port };
}

export function endpointFlow(src: Endpoint, dst: Endpoint, protocol: Protocol, port: number): Flow {
  return makeFlow({ endpoint: src }, { endpoint: dst }, protocol, port);
}

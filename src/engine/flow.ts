import type { Protocol } from '../algebra/connset.js';
import { type IPAddress, parseIP } from '../algebra/ip.js';
import { type Cluster, addressKey } from '../model/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import type { Flow, FlowPeer } from './verdict.js';

/** What a user names as one end of a flow: an endpoint by `namespace/name`, or an address. */
export type PeerSpec = { readonly endpoint: Endpoint } | { readonly ip: IPAddress };

export class UnknownPeerError extends Error {}

/**
 * Resolves `ns/name`, `name` (namespace `default`), an Ironcore object as
 * `ns/name[Kind]` (or `ns/name` when no other endpoint has that name), or an
 * IP address. An address that belongs to an endpoint means that endpoint;
 * any other address is an external peer.
 */
export function resolvePeerSpec(cluster: Cluster, text: string): PeerSpec {
  const ip = parseIP(text);
  if (ip !== undefined) {
    const endpoint = cluster.endpointByAddress.get(addressKey(ip));
    return endpoint !== undefined ? { endpoint } : { ip };
  }
  const id = text.includes('/') ? text : `default/${text}`;
  const endpoint = cluster.endpointById.get(id);
  if (endpoint !== undefined) return { endpoint };
  const [namespace, name] = id.split('/') as [string, string];
  const inNamespace = cluster.endpoints.filter((e) => e.namespace === namespace);
  const named = inNamespace.filter((e) => e.name === name);
  if (named.length === 1) return { endpoint: named[0]! };
  if (named.length > 1)
    throw new UnknownPeerError(
      `${JSON.stringify(text)} names ${named.length} endpoints: say which, as ${named.map((e) => e.id).join(' or ')}`,
    );
  const hint =
    inNamespace.length > 0
      ? `; endpoints in ${namespace}: ${inNamespace
          .slice(0, 20)
          .map((e) => e.id.slice(namespace.length + 1))
          .join(', ')}`
      : `; no endpoints in namespace ${namespace}`;
  throw new UnknownPeerError(`no endpoint or IP address ${JSON.stringify(text)}${hint}`);
}

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

import { type Protocol, isProtocol } from '../algebra/connset.js';

/**
 * The values the API server fills in where a manifest says nothing, kept in one place so that every reader
 * fills in the same.
 */

/** The namespace kubectl and the API server give a namespaced object that names none. */
export const DEFAULT_NAMESPACE = 'default';

/**
 * The protocol of a port that names none: NetworkPolicy ports and container ports are defaulted to it by the
 * API server, and Ironcore's and the cluster-wide tiers' CRDs say the same.
 */
export const DEFAULT_PROTOCOL: Protocol = 'TCP';

export const protocolOrDefault = (protocol: unknown): Protocol => (isProtocol(protocol) ? protocol : DEFAULT_PROTOCOL);

export const namespaceOrDefault = (namespace: string | undefined): string => namespace ?? DEFAULT_NAMESPACE;

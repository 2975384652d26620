import type { Protocol } from '../algebra/connset.js';

/** A container port as policies see it. */
export interface NamedContainerPort {
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * What a named port means on one pod, as NetworkPolicy resolves it: the numbers of the pod's container ports
 * with that name and that protocol (a name is unique within a pod, so at most one; a port of that name for
 * another protocol does not count).
 */
export function namedPortNumbers(ports: readonly NamedContainerPort[], name: string, protocol: Protocol): number[] {
  return ports.filter((p) => p.name === name && p.protocol === protocol).map((p) => p.port);
}

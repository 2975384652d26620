import { definedFields, portErrors } from './apiserver-checks.js';

/** The protocols a NetworkPolicy port may name. */
export enum NetworkProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** A port as the API takes it. A string port is a container port name. */
export interface KubeNetworkPolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

export interface NetworkPolicyPortProps {
  /** A port number, or the name of a container port. Default: every port of the protocol. */
  readonly port?: number | string;
  /** The last port of a range starting at `port`. */
  readonly endPort?: number;
  /** Default: TCP (the API server's default; left out of the YAML, as cdk8s-plus does). */
  readonly protocol?: NetworkProtocol;
}

/**
 * Where traffic may go, by port. Unlike cdk8s-plus's: all ports of a protocol
 * leave `port` out (cdk8s-plus writes `port: 0`, which the API server refuses),
 * named ports are accepted, and every port is checked as the API server checks
 * it, when it is made, with the API server's words.
 */
export class NetworkPolicyPort {
  static tcp(port: number | string): NetworkPolicyPort {
    return new NetworkPolicyPort(port, undefined, NetworkProtocol.TCP);
  }

  static tcpRange(startPort: number, endPort: number): NetworkPolicyPort {
    return new NetworkPolicyPort(startPort, endPort, NetworkProtocol.TCP);
  }

  static allTcp(): NetworkPolicyPort {
    return new NetworkPolicyPort(undefined, undefined, NetworkProtocol.TCP);
  }

  static udp(port: number | string): NetworkPolicyPort {
    return new NetworkPolicyPort(port, undefined, NetworkProtocol.UDP);
  }

  static udpRange(startPort: number, endPort: number): NetworkPolicyPort {
    return new NetworkPolicyPort(startPort, endPort, NetworkProtocol.UDP);
  }

  static allUdp(): NetworkPolicyPort {
    return new NetworkPolicyPort(undefined, undefined, NetworkProtocol.UDP);
  }

  static of(props: NetworkPolicyPortProps): NetworkPolicyPort {
    return new NetworkPolicyPort(props.port, props.endPort, props.protocol);
  }

  private constructor(
    readonly port: number | string | undefined,
    readonly endPort: number | undefined,
    readonly protocol: NetworkProtocol | undefined,
  ) {
    const errors = portErrors(definedFields({ port, endPort, protocol }));
    if (errors.length > 0) throw new Error(`Invalid NetworkPolicyPort: ${errors.join('; ')}`);
  }

  /** @internal */
  _toKube(): KubeNetworkPolicyPort {
    return { port: this.port, endPort: this.endPort, protocol: this.protocol };
  }
}

import { rejectUnsupported } from './unsupported.js';

/** Container port protocols. */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

export interface ContainerPort {
  readonly number: number;
  /** A name policies can refer to (`NetworkPolicyPort.tcp('http')`). */
  readonly name?: string;
  /** Default TCP. */
  readonly protocol?: Protocol;
  readonly hostPort?: number;
  readonly hostIp?: string;
}

/** The network-relevant part of cdk8s-plus's `ContainerProps`. */
export interface ContainerProps {
  readonly image: string;
  /** Default `main`. */
  readonly name?: string;
  /** The main TCP port; it also gets cdk8s-plus's default startup probe. */
  readonly portNumber?: number;
  readonly ports?: ContainerPort[];
}

const CONTAINER_PROPS = ['image', 'name', 'portNumber', 'ports'] as const;
const PORT_PROPS = ['number', 'name', 'protocol', 'hostPort', 'hostIp'] as const;

/** A container of a managed pod or workload: what it runs and the ports it listens on. */
export class Container {
  readonly image: string;
  readonly name: string;
  readonly portNumber?: number;
  private readonly _ports: ContainerPort[] = [];

  constructor(props: ContainerProps) {
    rejectUnsupported('container', props, CONTAINER_PROPS);
    this.image = props.image;
    this.name = props.name ?? 'main';
    this.portNumber = props.portNumber;
    if (this.portNumber) this.addPort({ number: this.portNumber });
    for (const port of props.ports ?? []) this.addPort(port);
  }

  get ports(): ContainerPort[] {
    return [...this._ports];
  }

  /** cdk8s-plus's checks: one port per name, and per number and protocol. */
  addPort(port: ContainerPort): void {
    rejectUnsupported('container port', port, PORT_PROPS);
    const protocol = port.protocol ?? Protocol.TCP;
    if (port.name && this._ports.some((p) => p.name === port.name)) {
      throw new Error(`Port with name ${port.name} already exists`);
    }
    if (this._ports.some((p) => p.number === port.number && (p.protocol ?? Protocol.TCP) === protocol)) {
      throw new Error(`Port with number ${port.number} and protocol ${protocol} already exists`);
    }
    this._ports.push(port);
  }

  /**
   * The container as cdk8s-plus renders it, defaults included (resources,
   * security context, pull policy, a TCP startup probe on `portNumber`), so
   * that switching libraries changes no workload.
   * @internal
   */
  _toKube(): Record<string, unknown> {
    const ports = this._ports.map((p) => ({
      containerPort: p.number,
      protocol: p.protocol,
      name: p.name,
      hostPort: p.hostPort,
      hostIP: p.hostIp,
    }));
    return {
      name: this.name,
      image: this.image,
      imagePullPolicy: 'Always',
      ports: ports.length > 0 ? ports : undefined,
      startupProbe: this.portNumber ? { tcpSocket: { port: this.portNumber }, failureThreshold: 3 } : undefined,
      resources: { limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } },
      securityContext: {
        runAsNonRoot: true,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      },
    };
  }
}

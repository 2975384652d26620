import { PortSet } from './portset.js';

/** The transport protocols NetworkPolicy is defined for, in the order their names sort. */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const isProtocol = (value: unknown): value is Protocol =>
  typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value);

type PortsByProtocol = Readonly<Record<Protocol, PortSet>>;

/** A set of connections: for each protocol, the destination ports it covers. */
export class ConnSet {
  private constructor(private readonly ports: PortsByProtocol) {}

  static readonly none = new ConnSet({ SCTP: PortSet.empty, TCP: PortSet.empty, UDP: PortSet.empty });
  static readonly all = new ConnSet({ SCTP: PortSet.all, TCP: PortSet.all, UDP: PortSet.all });

  static of(protocol: Protocol, ports: PortSet = PortSet.all): ConnSet {
    return ConnSet.none.with(protocol, ports);
  }

  static port(protocol: Protocol, port: number, endPort: number = port): ConnSet {
    return ConnSet.of(protocol, PortSet.range(port, endPort));
  }

  portsFor(protocol: Protocol): PortSet {
    return this.ports[protocol];
  }

  has(protocol: Protocol, port: number): boolean {
    return this.ports[protocol].has(port);
  }

  /** The union of many at once, in one pass per protocol (unioning one by one may be quadratic). */
  static unionAll(sets: readonly ConnSet[]): ConnSet {
    if (sets.length === 0) return ConnSet.none;
    if (sets.length === 1) return sets[0]!;
    const distinct = [...new Set(sets)];
    if (distinct.length === 1) return distinct[0]!;
    const of = (protocol: Protocol): PortSet => PortSet.unionAll(distinct.map((s) => s.portsFor(protocol)));
    return new ConnSet({ SCTP: of('SCTP'), TCP: of('TCP'), UDP: of('UDP') });
  }

  union(other: ConnSet): ConnSet {
    return this.combine(other, (a, b) => a.union(b));
  }

  intersect(other: ConnSet): ConnSet {
    return this.combine(other, (a, b) => a.intersect(b));
  }

  subtract(other: ConnSet): ConnSet {
    return this.combine(other, (a, b) => a.subtract(b));
  }

  isEmpty(): boolean {
    return PROTOCOLS.every((p) => this.ports[p].isEmpty());
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => this.ports[p].isAll());
  }

  equals(other: ConnSet): boolean {
    return PROTOCOLS.every((p) => this.ports[p].equals(other.ports[p]));
  }

  isSubsetOf(other: ConnSet): boolean {
    return this.subtract(other).isEmpty();
  }

  /**
   * The canonical text: `All Connections`, `No Connections`, or entries sorted
   * by protocol name such as `SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535`.
   */
  toString(): string {
    if (this.isAll()) return 'All Connections';
    if (this.isEmpty()) return 'No Connections';
    return PROTOCOLS.filter((p) => !this.ports[p].isEmpty())
      .map((p) => `${p} ${this.ports[p].toString()}`)
      .join(',');
  }

  private with(protocol: Protocol, ports: PortSet): ConnSet {
    return new ConnSet({ ...this.ports, [protocol]: ports });
  }

  private combine(other: ConnSet, op: (a: PortSet, b: PortSet) => PortSet): ConnSet {
    return new ConnSet({
      SCTP: op(this.ports.SCTP, other.ports.SCTP),
      TCP: op(this.ports.TCP, other.ports.TCP),
      UDP: op(this.ports.UDP, other.ports.UDP),
    });
  }
}

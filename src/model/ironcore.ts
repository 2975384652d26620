import { type IPAddress, parseIP } from '../algebra/ip.js';
import type { EndpointKind } from './endpoints.js';
import type { Endpoint } from './endpoints.js';
import { type KnownKind, knownKind } from '../resources/kinds.js';
import type {
  LoadBalancer,
  Machine,
  NetworkInterface,
  NetworkInterfaceSpec,
  ObjectMeta,
  VirtualIP,
} from '../resources/types.js';
import type { Location } from '../util/location.js';
import type { SourcedObject } from '../resources/source.js';
import { typedView } from '../validate/typed.js';

/**
 * Ironcore's network objects as endpoints: NetworkInterfaces (and the
 * ephemeral ones a Machine's template declares), LoadBalancers and
 * VirtualIPs, each in its network. A NetworkInterface carries traffic when
 * its status says so (see stateCarriesTraffic); one without a state (a manifest
 * not yet applied) is taken as it will be once it does.
 */
export function ironcoreEndpoints(
  objects: readonly SourcedObject[],
  namespaceOf: (o: SourcedObject) => string,
): Endpoint[] {
  const interfaces = networkInterfaces(objects, namespaceOf);
  const byName = new Map(interfaces.map((nic) => [`${nic.namespace}/${nic.name}`, nic]));
  const endpoints: Endpoint[] = interfaces
    .filter((nic) => nic.carriesTraffic)
    .map((nic) => endpoint('NetworkInterface', nic));
  for (const o of objects) {
    const kind = knownKind(o.apiVersion, o.kind);
    const namespace = namespaceOf(o);
    if (kind === 'LoadBalancer') {
      const lb = typedView<LoadBalancer>(o);
      const ips = [...(lb.spec?.ips ?? []).map((ip) => ip.value), ...(lb.status?.ips ?? [])];
      endpoints.push(
        endpoint('LoadBalancer', {
          namespace,
          name: o.name,
          metadata: lb.metadata,
          network: lb.spec?.networkRef?.name,
          ips: addresses(ips),
          node: undefined,
          origin: o.origin,
        }),
      );
    } else if (kind === 'VirtualIP') {
      const vip = typedView<VirtualIP>(o);
      // A virtual IP belongs to the network of the interface it points at; unbound, it is in none.
      const target =
        vip.spec?.targetRef?.name === undefined ? undefined : byName.get(`${namespace}/${vip.spec.targetRef.name}`);
      endpoints.push(
        endpoint('VirtualIP', {
          namespace,
          name: o.name,
          metadata: vip.metadata,
          network: target?.network,
          ips: addresses([vip.status?.ip]),
          node: target?.node,
          origin: o.origin,
        }),
      );
    }
  }
  return endpoints;
}

interface IroncoreObject {
  readonly namespace: string;
  readonly name: string;
  readonly metadata: ObjectMeta | undefined;
  readonly network: string | undefined;
  readonly ips: readonly IPAddress[];
  readonly node: string | undefined;
  readonly origin: Location;
}

interface Interface extends IroncoreObject {
  readonly carriesTraffic: boolean;
}

/**
 * NetworkInterface objects, and the ephemeral interfaces of Machines
 * (named `<machine>-<interface>`, as ironcore names them).
 */
function networkInterfaces(objects: readonly SourcedObject[], namespaceOf: (o: SourcedObject) => string): Interface[] {
  const machines = new Map<string, Machine>();
  const kinds = (kind: KnownKind): SourcedObject[] => objects.filter((o) => knownKind(o.apiVersion, o.kind) === kind);
  for (const o of kinds('Machine')) machines.set(`${namespaceOf(o)}/${o.name}`, typedView<Machine>(o));
  const nodeOf = (namespace: string, machine: string | undefined): string | undefined =>
    machine === undefined ? undefined : machines.get(`${namespace}/${machine}`)?.spec?.machinePoolRef?.name;
  // A machine names the interfaces it uses, and an interface bound to one names it back: either places it.
  const machineOf = new Map<string, string>();
  for (const [key, machine] of machines) {
    const [namespace, name] = key.split('/') as [string, string];
    for (const entry of machine.spec?.networkInterfaces ?? []) {
      if (entry.networkInterfaceRef?.name !== undefined)
        machineOf.set(`${namespace}/${entry.networkInterfaceRef.name}`, name);
    }
  }
  const interfaces: Interface[] = kinds('NetworkInterface').map((o) => {
    const namespace = namespaceOf(o);
    const nic = typedView<NetworkInterface>(o);
    return {
      ...fromSpec(namespace, o.name, nic.metadata, nic.spec, nic.status?.ips ?? [], o.origin),
      node: nodeOf(namespace, nic.spec?.machineRef?.name) ?? nodeOf(namespace, machineOf.get(`${namespace}/${o.name}`)),
      carriesTraffic: stateCarriesTraffic(nic.status?.state),
    };
  });
  const declared = new Set(interfaces.map((nic) => `${nic.namespace}/${nic.name}`));
  for (const o of kinds('Machine')) {
    const namespace = namespaceOf(o);
    const machine = typedView<Machine>(o);
    machine.spec?.networkInterfaces?.forEach((entry, i) => {
      const template = entry.ephemeral?.networkInterfaceTemplate;
      const name = `${o.name}-${entry.name ?? ''}`;
      if (template === undefined || declared.has(`${namespace}/${name}`)) return;
      const origin = o.locate(['spec', 'networkInterfaces', i, 'ephemeral', 'networkInterfaceTemplate']);
      interfaces.push({
        ...fromSpec(namespace, name, template.metadata, template.spec, [], origin),
        node: machine.spec?.machinePoolRef?.name,
        carriesTraffic: true,
      });
    });
  }
  return interfaces;
}

/**
 * networking.ironcore.dev reports an interface Pending, Available or Error; only Available carries
 * traffic (machinepoollet attaches nothing else). Ready is apinet's word for the same state
 * (core.apinet.ironcore.dev, which apinetlet reports as Available): it is taken too, because
 * manifests are written from either API and apinet's object is the one dpservice programs.
 */
const TRAFFIC_STATES: ReadonlySet<string> = new Set(['Available', 'Ready']);

const stateCarriesTraffic = (state: string | undefined): boolean => state === undefined || TRAFFIC_STATES.has(state);

function fromSpec(
  namespace: string,
  name: string,
  metadata: ObjectMeta | undefined,
  spec: NetworkInterfaceSpec | undefined,
  statusIPs: readonly string[],
  origin: Location,
): Omit<IroncoreObject, 'node'> {
  return {
    namespace,
    name,
    metadata,
    network: spec?.networkRef?.name,
    ips: addresses([...(spec?.ips ?? []).map((ip) => ip.value), ...statusIPs]),
    origin,
  };
}

function addresses(texts: readonly (string | undefined)[]): IPAddress[] {
  const seen = new Set<string>();
  return texts.flatMap((text) => {
    const ip = text === undefined ? undefined : parseIP(text);
    if (ip === undefined || seen.has(`${ip.family}/${ip.value}`)) return [];
    seen.add(`${ip.family}/${ip.value}`);
    return [ip];
  });
}

function endpoint(kind: EndpointKind, o: IroncoreObject): Endpoint {
  return {
    id: `${o.namespace}/${o.name}[${kind}]`,
    kind,
    network: o.network,
    namespace: o.namespace,
    name: o.name,
    labels: o.metadata?.labels ?? {},
    ips: o.ips,
    node: o.node,
    hostIP: undefined,
    ports: [],
    owner: { kind, name: o.name },
    hostNetwork: false,
    origin: o.origin,
  };
}

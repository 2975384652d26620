import { formatAddress, formatIP, parseIP } from '../../algebra/ip.js';
import { type Cluster, buildCluster } from '../../policy/cluster.js';
import type { Endpoint } from '../../model/endpoints.js';
import { type JSONObject, isJSONObject } from '../../util/json.js';
import { type SourcedObject, objectFromData } from '../../resources/source.js';
import { isDNS1123Subdomain } from '../../validate/names.js';
import { completeInterface, named } from './ironcore.js';

/** Every name the lab creates starts with this, so nothing outside a lab is ever touched. */
export const LAB_PREFIX = 'npl-';
export const DEFAULT_NODE = 'lab-node-1';
export const GATEWAY = '169.254.1.1';
/** Marks the objects the lab adds to the manifests (nodes, Ironcore machines), which it makes again on every change. */
const MADE_BY_LAB = { 'netpol.dev/made-by-lab': 'true' };

const madeByLab = (o: JSONObject): boolean =>
  isJSONObject(o['metadata']) &&
  isJSONObject(o['metadata']['annotations']) &&
  o['metadata']['annotations']['netpol.dev/made-by-lab'] === 'true';

/**
 * What the lab runs: pods and Ironcore interfaces, each in a namespace of its own, and pods in their node's network
 * (`hostNetwork`) in their node's namespace. Load balancers and virtual IPs front interfaces; they send nothing of
 * their own.
 */
export const hostedByLab = (e: Endpoint): boolean => e.kind === 'Pod' || e.kind === 'NetworkInterface';

/** A pod that runs in its node's network namespace and has its node's addresses. */
const inNodeNetwork = (e: Endpoint): boolean => e.kind === 'Pod' && e.nodeNetwork === true;

export interface LabNode {
  readonly name: string;
  readonly netns: string;
  /** The node's address on the fabric that joins the nodes: its InternalIP, as the manifests give it. */
  readonly address: string;
  /** Every IPv4 address the node holds, `address` first: those the manifests give it (Node, hostIP, hostNetwork). */
  readonly addresses: readonly string[];
}

export interface LabPod {
  /** `namespace/name`, as the engine names the endpoint. */
  readonly id: string;
  readonly node: string;
  /** Names the pod's agent and its control socket: its own namespace's name, or one of its own in its node's. */
  readonly key: string;
  /** Where it runs: its own namespace, or its node's for a pod in the node's network. */
  readonly netns: string;
  /** The veth end inside the node's namespace; none for a pod in the node's network. */
  readonly hostInterface: string | undefined;
  readonly nodeNetwork: boolean;
  readonly ip: string;
  /** `port/PROTOCOL` of each port it serves: its declared container ports, and the lab's extra ports. */
  readonly ports: readonly string[];
}

export interface LabPlan {
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  /** The manifests, completed so that every endpoint is a Pod with a node and an IPv4 address. */
  readonly objects: readonly JSONObject[];
}

export interface LabPlanOptions {
  /**
   * Ports (`port/TCP`, `port/UDP`) every pod in a namespace of its own serves beside its declared container ports,
   * as a test image serves ports it does not declare. Pods in their node's network serve their declared ports only:
   * those are the node's ports, which two such pods on one node cannot share.
   */
  readonly serve?: readonly string[];
}

/**
 * A lab's name: a DNS label, less the hyphen (namespaces are found by the prefix `npl-<lab>-`, so
 * `a` must not be a prefix of `a-b`'s) and at most 10 characters (interface and namespace names are
 * made of it). It also names the lab's directory, so it can never be `..`, empty, or a path.
 */
export const validLabName = (name: string): boolean => /^[a-z0-9]{1,10}$/.test(name);
export const LAB_NAME_RULE = 'a lab name is 1 to 10 lower-case letters and digits';

/** Refuses what is not a lab name, before it names a directory or a namespace. */
export function checkLabName(name: string): string {
  if (!validLabName(name)) throw new Error(`${LAB_NAME_RULE}, not ${JSON.stringify(name)}`);
  return name;
}
export const fabricNetns = (lab: string): string => `${LAB_PREFIX}${lab}-fab`;

/**
 * Lays a cluster out on one machine. Pods keep their IPs and nodes from the manifests, and nodes the addresses
 * the manifests give them; endpoints without them (workload templates, pods not yet scheduled) become Pods owned
 * by their workload, placed on a node and given an address (a pod in its node's network, its node's), and a node
 * with no address in the manifests gets one on the fabric, so that the engine and the lab see the same cluster.
 */
export function planLab(
  lab: string,
  raw: readonly JSONObject[],
  previous?: LabPlan,
  { serve = [] }: LabPlanOptions = {},
): LabPlan {
  // What the lab made is made again, from the pods as they are now.
  const own = completeEndpoints(raw.filter((o) => !madeByLab(o)));
  const placed = buildCluster(own.map((o) => objectFromData(o)));
  const nodeNames = [
    ...new Set([...(previous?.nodes.map((n) => n.name) ?? []), ...placed.endpoints.map((e) => e.node ?? DEFAULT_NODE)]),
  ];
  // Node names name the agents' files in the lab's directory: never a path (the validator says so too).
  for (const name of nodeNames) {
    const problems = isDNS1123Subdomain(name);
    if (problems.length > 0) throw new Error(`node name ${JSON.stringify(name)}: ${problems.join('; ')}`);
  }
  const addresses = nodeAddresses(own, placed, nodeNames);
  const nodes = nodeNames.map((name, i): LabNode => {
    const kept = previous?.nodes.find((n) => n.name === name);
    const [address, ...others] = addresses.get(name)!;
    return {
      name,
      netns: kept?.netns ?? `${LAB_PREFIX}${lab}-n${i}`,
      address: address!,
      addresses: [address!, ...others],
    };
  });
  const objects = completeNodeNetworkPods(own, placed, nodes);
  const cluster = buildCluster(objects.map((o) => objectFromData(o)));
  const used = new Set(previous?.pods.map((p) => p.key) ?? []);
  const fresh = (kind: 'p' | 'h'): string => {
    let next = 0;
    while (used.has(`${LAB_PREFIX}${lab}-${kind}${next}`)) next++;
    used.add(`${LAB_PREFIX}${lab}-${kind}${next}`);
    return `${LAB_PREFIX}${lab}-${kind}${next}`;
  };
  const pods = cluster.endpoints.filter(hostedByLab).map((e): LabPod => {
    const nodeNetwork = inNodeNetwork(e);
    const node = nodes.find((n) => n.name === (e.node ?? DEFAULT_NODE))!;
    const kept = previous?.pods.find((p) => p.id === e.id && p.nodeNetwork === nodeNetwork);
    const key = kept?.key ?? fresh(nodeNetwork ? 'h' : 'p');
    const declared = e.ports.filter((p) => p.protocol !== 'SCTP').map((p) => `${p.port}/${p.protocol}`);
    return {
      id: e.id,
      node: node.name,
      key,
      netns: nodeNetwork ? node.netns : key,
      hostInterface: nodeNetwork ? undefined : `v${key.slice(key.lastIndexOf('-p') + 2)}`,
      nodeNetwork,
      ip: v4Address(e),
      ports: [...new Set(nodeNetwork ? declared : [...declared, ...serve])],
    };
  });
  checkHostPorts(pods);
  checkAddresses(nodes, pods);
  return { nodes, pods, objects: [...objects, ...nodeObjects(objects, nodes, pods)] };
}

/**
 * Each node's IPv4 addresses, its InternalIP first: those the manifests give it (its Node object, its pods'
 * hostIP, its hostNetwork pods' podIP), or else one on the fabric, 100.64.0.x, that no other node has.
 */
function nodeAddresses(
  objects: readonly JSONObject[],
  cluster: Cluster,
  names: readonly string[],
): Map<string, readonly string[]> {
  const internal = new Map<string, string>();
  for (const o of objects) {
    if (o['kind'] !== 'Node' || !isJSONObject(o['metadata']) || !isJSONObject(o['status'])) continue;
    const found = arrayOf(o['status']['addresses']).find(
      (a) => a['type'] === 'InternalIP' && parseIP(String(a['address']))?.family === 4,
    );
    if (found !== undefined) internal.set(String(o['metadata']['name']), formatIPv4(String(found['address'])));
  }
  const given = new Map(
    names.map((name) => {
      const known = (cluster.nodes.get(name)?.addresses ?? []).filter((ip) => ip.family === 4).map(formatAddress);
      const first = internal.get(name);
      return [name, [...new Set([...(first === undefined ? [] : [first]), ...known])]] as const;
    }),
  );
  const taken = new Set([...given.values()].flat());
  let counter = 1;
  return new Map(
    names.map((name) => {
      const addresses = given.get(name)!;
      if (addresses.length > 0) return [name, addresses];
      while (taken.has(`100.64.0.${counter}`)) counter++;
      taken.add(`100.64.0.${counter}`);
      return [name, [`100.64.0.${counter}`]];
    }),
  );
}

/** Places the pods in their node's network that lack a node or an address: on the lab's node, with their node's. */
function completeNodeNetworkPods(
  objects: readonly JSONObject[],
  cluster: Cluster,
  nodes: readonly LabNode[],
): JSONObject[] {
  const out = [...objects];
  for (const e of cluster.endpoints) {
    if (!inNodeNetwork(e) || (e.ips.some((ip) => ip.family === 4) && e.node !== undefined)) continue;
    const node = nodes.find((n) => n.name === (e.node ?? DEFAULT_NODE))!;
    const ip = e.ips.find((a) => a.family === 4) ? formatAddress(e.ips.find((a) => a.family === 4)!) : node.address;
    placePod(out, e, node.name, ip, node.address);
  }
  return out;
}

/** Two pods in one node's network cannot serve one port: the scheduler would not place them together. */
function checkHostPorts(pods: readonly LabPod[]): void {
  const owner = new Map<string, string>();
  for (const pod of pods.filter((p) => p.nodeNetwork)) {
    for (const port of pod.ports) {
      const key = `${pod.node} ${port}`;
      const other = owner.get(key);
      if (other !== undefined)
        throw new Error(
          `${other} and ${pod.id} both serve ${port} in the network of node ${pod.node}: ` +
            "pods in their node's network share its ports, " +
            'and the scheduler places no two that declare one port together',
        );
      owner.set(key, pod.id);
    }
  }
}

/** Every address is routed to one place: a node's addresses are its own, and no pod in its own namespace has one. */
function checkAddresses(nodes: readonly LabNode[], pods: readonly LabPod[]): void {
  const holder = new Map<string, string>();
  const claim = (address: string, who: string): void => {
    const other = holder.get(address);
    if (other !== undefined && other !== who)
      throw new Error(`${other} and ${who} both have the address ${address}: the lab cannot route it to both`);
    holder.set(address, who);
  };
  for (const node of nodes) for (const address of node.addresses) claim(address, `node ${node.name}`);
  for (const pod of pods) if (!pod.nodeNetwork) claim(pod.ip, pod.id);
}

/**
 * A Node object for every lab node the manifests do not describe, with the address the lab gave it and pod
 * networks that are its pods' own addresses: the agent then drops traffic of any local address it has not
 * programmed, as it would on a real node.
 */
function nodeObjects(objects: readonly JSONObject[], nodes: readonly LabNode[], pods: readonly LabPod[]): JSONObject[] {
  const described = new Set(
    objects
      .filter((o) => o['kind'] === 'Node' && isJSONObject(o['metadata']))
      .map((o) => (o['metadata'] as JSONObject)['name']),
  );
  return nodes
    .filter((node) => !described.has(node.name))
    .map((node) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name }, annotations: { ...MADE_BY_LAB } },
      spec: { podCIDRs: pods.filter((p) => p.node === node.name && !p.nodeNetwork).map((p) => `${p.ip}/32`) },
      status: { addresses: node.addresses.map((address) => ({ type: 'InternalIP', address })) },
    }));
}

const formatIPv4 = (text: string): string => formatIP(4, parseIP(text)!.value);
const arrayOf = (value: unknown): JSONObject[] => (Array.isArray(value) ? value.filter(isJSONObject) : []);

function v4Address(e: Endpoint): string {
  const ip = e.ips.find((a) => a.family === 4);
  if (ip === undefined) throw new Error(`${e.id} has no IPv4 address: the lab runs IPv4 only`);
  return formatIP(4, ip.value);
}

/**
 * Gives every endpoint the lab hosts and that lacks one a node and an address: as a Pod of its own, or as
 * Ironcore places an interface.
 */
function completeEndpoints(raw: readonly JSONObject[]): JSONObject[] {
  const sourced: SourcedObject[] = raw.map((o) => objectFromData(o));
  const cluster = buildCluster(sourced);
  const taken = new Set(cluster.endpoints.flatMap((e) => e.ips.map((ip) => formatIP(ip.family, ip.value))));
  let counter = 10;
  const allocate = (): string => {
    let ip: string;
    do ip = `10.250.${Math.floor(counter / 250)}.${(counter++ % 250) + 1}`;
    while (taken.has(ip));
    taken.add(ip);
    return ip;
  };
  const objects = [...raw];
  for (const e of cluster.endpoints) {
    if (!hostedByLab(e) || inNodeNetwork(e) || (e.ips.length > 0 && e.node !== undefined)) continue;
    const ip = e.ips.find((a) => a.family === 4) ? formatIP(4, e.ips.find((a) => a.family === 4)!.value) : allocate();
    const node = e.node ?? DEFAULT_NODE;
    if (e.kind === 'NetworkInterface') completeInterface(objects, e, ip, node, MADE_BY_LAB);
    else placePod(objects, e, node, ip);
  }
  return objects;
}

/**
 * Puts a pod on a node with an address: the loaded pod itself, or a Pod the lab makes for a workload's template,
 * owned by the workload. A pod in its node's network also reports the node's address as its hostIP.
 */
function placePod(objects: JSONObject[], e: Endpoint, node: string, ip: string, hostIP?: string): void {
  const status = { podIP: ip, podIPs: [{ ip }], ...(hostIP === undefined ? {} : { hostIP }) };
  if (standsForPodObject(e)) {
    const index = objects.findIndex((o) => isPod(o, e));
    const pod = structuredClone(objects[index]!);
    pod['spec'] = { ...(isJSONObject(pod['spec']) ? pod['spec'] : {}), nodeName: node };
    pod['status'] = { ...(isJSONObject(pod['status']) ? pod['status'] : {}), ...status };
    objects[index] = pod;
    return;
  }
  objects.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: e.name,
      namespace: e.namespace,
      labels: { ...e.labels },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: e.owner.kind, name: e.owner.name, controller: true }],
    },
    spec: {
      nodeName: node,
      ...(e.nodeNetwork === true ? { hostNetwork: true } : {}),
      containers: [
        {
          name: 'main',
          ports: e.ports.map((p) => ({
            ...(p.name ? { name: p.name } : {}),
            containerPort: p.port,
            protocol: p.protocol,
          })),
        },
      ],
    },
    status,
  });
}

/**
 * Whether a pod endpoint is a loaded pod rather than a workload's template: a bare pod reports itself, and a pod
 * whose controller is not loaded reports that controller, which never has the pod's own name.
 */
const standsForPodObject = (e: Endpoint): boolean => e.owner.kind === 'Pod' || e.owner.name !== e.name;

function isPod(o: JSONObject, e: Endpoint): boolean {
  return o['kind'] === 'Pod' && named(o, e.namespace, e.name);
}

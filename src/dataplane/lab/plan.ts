import { formatIP } from '../../algebra/ip.js';
import { buildCluster } from '../../policy/cluster.js';
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
 * What the lab runs in a namespace of its own: pods and Ironcore interfaces.
 * Load balancers and virtual IPs front interfaces; they send nothing of their own.
 */
export const hostedByLab = (e: Endpoint): boolean =>
  !e.hostNetwork && (e.kind === 'Pod' || e.kind === 'NetworkInterface');

export interface LabNode {
  readonly name: string;
  readonly netns: string;
  /** The node's address on the fabric that joins the nodes. */
  readonly address: string;
}

export interface LabPod {
  /** `namespace/name`, as the engine names the endpoint. */
  readonly id: string;
  readonly node: string;
  readonly netns: string;
  /** The veth end inside the node's namespace. */
  readonly hostInterface: string;
  readonly ip: string;
  /** `port/PROTOCOL` of each declared container port. */
  readonly ports: readonly string[];
}

export interface LabPlan {
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  /** The manifests, completed so that every endpoint is a Pod with a node and an IPv4 address. */
  readonly objects: readonly JSONObject[];
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
 * Lays a cluster out on one machine. Pods keep their IPs and nodes from the
 * manifests; endpoints without them (workload templates, pods not yet
 * scheduled) become Pods owned by their workload, placed on a node and given
 * an address, so that the engine and the lab see the same cluster.
 */
export function planLab(lab: string, raw: readonly JSONObject[], previous?: LabPlan): LabPlan {
  // What the lab made is made again, from the pods as they are now.
  const objects = completeEndpoints(raw.filter((o) => !madeByLab(o)));
  const cluster = buildCluster(objects.map((o) => objectFromData(o)));
  const nodeNames = [
    ...new Set([
      ...(previous?.nodes.map((n) => n.name) ?? []),
      ...cluster.endpoints.map((e) => e.node ?? DEFAULT_NODE),
    ]),
  ];
  // Node names name the agents' files in the lab's directory: never a path (the validator says so too).
  for (const name of nodeNames) {
    const problems = isDNS1123Subdomain(name);
    if (problems.length > 0) throw new Error(`node name ${JSON.stringify(name)}: ${problems.join('; ')}`);
  }
  const nodes = nodeNames.map(
    (name, i) =>
      previous?.nodes.find((n) => n.name === name) ?? {
        name,
        netns: `${LAB_PREFIX}${lab}-n${i}`,
        address: `100.64.0.${i + 1}`,
      },
  );
  const used = new Set(previous?.pods.map((p) => p.netns) ?? []);
  let next = 0;
  const freshNetns = (): string => {
    while (used.has(`${LAB_PREFIX}${lab}-p${next}`)) next++;
    used.add(`${LAB_PREFIX}${lab}-p${next}`);
    return `${LAB_PREFIX}${lab}-p${next}`;
  };
  const pods = cluster.endpoints.filter(hostedByLab).map((e): LabPod => {
    const kept = previous?.pods.find((p) => p.id === e.id);
    const ip = v4Address(e);
    const netns = kept?.netns ?? freshNetns();
    return {
      id: e.id,
      node: e.node ?? DEFAULT_NODE,
      netns,
      hostInterface: `v${netns.slice(netns.lastIndexOf('-p') + 2)}`,
      ip,
      ports: [...new Set(e.ports.filter((p) => p.protocol !== 'SCTP').map((p) => `${p.port}/${p.protocol}`))],
    };
  });
  return { nodes, pods, objects: [...objects, ...nodeObjects(objects, nodes, pods)] };
}

/**
 * A Node object for every lab node the manifests do not describe, whose pod
 * networks are its pods' own addresses: the agent then drops traffic of any
 * local address it has not programmed, as it would on a real node.
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
      spec: { podCIDRs: pods.filter((p) => p.node === node.name).map((p) => `${p.ip}/32`) },
    }));
}

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
    if (!hostedByLab(e) || (e.ips.length > 0 && e.node !== undefined)) continue;
    const ip = e.ips.find((a) => a.family === 4) ? formatIP(4, e.ips.find((a) => a.family === 4)!.value) : allocate();
    const node = e.node ?? DEFAULT_NODE;
    if (e.kind === 'NetworkInterface') {
      completeInterface(objects, e, ip, node, MADE_BY_LAB);
    } else if (standsForPodObject(e)) {
      const index = objects.findIndex((o) => isPod(o, e));
      const pod = structuredClone(objects[index]!);
      pod['spec'] = { ...(isJSONObject(pod['spec']) ? pod['spec'] : {}), nodeName: node };
      pod['status'] = { ...(isJSONObject(pod['status']) ? pod['status'] : {}), podIP: ip, podIPs: [{ ip }] };
      objects[index] = pod;
    } else {
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
        status: { podIP: ip, podIPs: [{ ip }] },
      });
    }
  }
  return objects;
}

/**
 * Whether a pod endpoint is a loaded pod rather than a workload's template: a bare pod reports itself, and a pod
 * whose controller is not loaded reports that controller, which never has the pod's own name.
 */
const standsForPodObject = (e: Endpoint): boolean => e.owner.kind === 'Pod' || e.owner.name !== e.name;

function isPod(o: JSONObject, e: Endpoint): boolean {
  return o['kind'] === 'Pod' && named(o, e.namespace, e.name);
}

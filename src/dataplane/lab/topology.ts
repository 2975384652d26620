import { run, runOk } from '../exec.js';
import { GATEWAY, LAB_PREFIX, type LabNode, type LabPod, fabricNetns } from './plan.js';

/**
 * The routed topology of DESIGN.md, out of network namespaces: one per node
 * and one per pod; a veth from each pod to its node with a /32 route and a
 * link-local gateway the node answers; the nodes joined through a fabric
 * namespace with a bridge. Every link is created inside the lab's own
 * namespaces, so the host's interfaces are never touched.
 */
const ip = (...args: string[]): void => void runOk(['ip', ...args]);
const sysctl = (netns: string, setting: string): void =>
  void runOk(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', setting]);
/**
 * No ICMP rate limit: a probe to a UDP port nothing serves learns that its packet got through from the ICMP port
 * unreachable it gets back, and the kernel's limits (one a second per peer after a burst of a few) would turn the
 * later of a quick series of probes into silence, which reads as a drop.
 */
const ICMP_UNLIMITED = 'net.ipv4.icmp_ratemask=0';

export function createFabric(lab: string): void {
  const fabric = fabricNetns(lab);
  ip('netns', 'add', fabric);
  ip('-n', fabric, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', fabric, 'link', 'set', 'br0', 'up');
}

/**
 * A node's namespace, on the fabric with its addresses (each a /32: the manifests' addresses need not share a
 * subnet; every other node's are routed over the fabric by `linkNodes`).
 */
export function createNode(lab: string, node: LabNode, index: number): void {
  const fabric = fabricNetns(lab);
  ip('netns', 'add', node.netns);
  ip('-n', node.netns, 'link', 'set', 'lo', 'up');
  for (const setting of [
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
    ICMP_UNLIMITED,
  ])
    sysctl(node.netns, setting);
  const port = `n${index}`;
  ip('-n', node.netns, 'link', 'add', 'fab', 'type', 'veth', 'peer', 'name', port, 'netns', fabric);
  ip('-n', fabric, 'link', 'set', port, 'master', 'br0');
  ip('-n', fabric, 'link', 'set', port, 'up');
  for (const address of node.addresses) ip('-n', node.netns, 'addr', 'add', `${address}/32`, 'dev', 'fab');
  ip('-n', node.netns, 'link', 'set', 'fab', 'up');
}

/** Routes every node's addresses from every other node, over the fabric. */
export function linkNodes(nodes: readonly LabNode[]): void {
  for (const from of nodes)
    for (const to of nodes)
      if (to !== from)
        for (const address of to.addresses)
          ip('-n', from.netns, 'route', 'replace', `${address}/32`, 'dev', 'fab', 'scope', 'link');
}

/** Removes the routes other nodes have to a node's addresses. */
export function unlinkNode(node: LabNode, others: readonly LabNode[]): void {
  for (const other of others)
    if (other.name !== node.name)
      for (const address of node.addresses) run(['ip', '-n', other.netns, 'route', 'del', `${address}/32`]);
}

/**
 * A pod's namespace, joined to its node by a veth. The node reaches it from its own address, as a real node
 * does, so that a pod sees its node's traffic coming from the node's address.
 */
export function createPod(pod: LabPod, node: LabNode): void {
  const host = pod.hostInterface!;
  ip('netns', 'add', pod.netns);
  ip('-n', pod.netns, 'link', 'set', 'lo', 'up');
  sysctl(pod.netns, ICMP_UNLIMITED);
  ip('-n', node.netns, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns);
  ip('-n', pod.netns, 'addr', 'add', `${pod.ip}/32`, 'dev', 'eth0');
  ip('-n', pod.netns, 'link', 'set', 'eth0', 'up');
  ip('-n', pod.netns, 'route', 'add', GATEWAY, 'dev', 'eth0', 'scope', 'link');
  ip('-n', pod.netns, 'route', 'add', 'default', 'via', GATEWAY, 'dev', 'eth0');
  ip('-n', node.netns, 'addr', 'add', `${GATEWAY}/32`, 'dev', host);
  ip('-n', node.netns, 'link', 'set', host, 'up');
  ip('-n', node.netns, 'route', 'add', `${pod.ip}/32`, 'dev', host, 'src', node.address);
}

/** Routes a pod's address from every other node to the node it lives on. */
export function routePodFrom(pod: LabPod, home: LabNode, other: LabNode): void {
  ip('-n', other.netns, 'route', 'replace', `${pod.ip}/32`, 'via', home.address, 'dev', 'fab');
}

export function unroutePodFrom(pod: LabPod, other: LabNode): void {
  run(['ip', '-n', other.netns, 'route', 'del', `${pod.ip}/32`]);
}

export function deleteNetns(netns: string): void {
  run(['ip', 'netns', 'del', netns]);
}

/** Every namespace of a lab that exists now, whatever a crashed run left behind. */
export function labNamespaces(lab: string): string[] {
  return run(['ip', 'netns', 'list'])
    .stdout.split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${LAB_PREFIX}${lab}-`));
}

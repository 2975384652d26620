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

export function createFabric(lab: string): void {
  const fabric = fabricNetns(lab);
  ip('netns', 'add', fabric);
  ip('-n', fabric, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', fabric, 'link', 'set', 'br0', 'up');
}

export function createNode(lab: string, node: LabNode, index: number): void {
  const fabric = fabricNetns(lab);
  ip('netns', 'add', node.netns);
  ip('-n', node.netns, 'link', 'set', 'lo', 'up');
  for (const setting of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'])
    sysctl(node.netns, setting);
  const port = `n${index}`;
  ip('-n', node.netns, 'link', 'add', 'fab', 'type', 'veth', 'peer', 'name', port, 'netns', fabric);
  ip('-n', fabric, 'link', 'set', port, 'master', 'br0');
  ip('-n', fabric, 'link', 'set', port, 'up');
  ip('-n', node.netns, 'addr', 'add', `${node.address}/24`, 'dev', 'fab');
  ip('-n', node.netns, 'link', 'set', 'fab', 'up');
}

export function createPod(pod: LabPod, node: LabNode): void {
  ip('netns', 'add', pod.netns);
  ip('-n', pod.netns, 'link', 'set', 'lo', 'up');
  ip('-n', node.netns, 'link', 'add', pod.hostInterface, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns);
  ip('-n', pod.netns, 'addr', 'add', `${pod.ip}/32`, 'dev', 'eth0');
  ip('-n', pod.netns, 'link', 'set', 'eth0', 'up');
  ip('-n', pod.netns, 'route', 'add', GATEWAY, 'dev', 'eth0', 'scope', 'link');
  ip('-n', pod.netns, 'route', 'add', 'default', 'via', GATEWAY, 'dev', 'eth0');
  ip('-n', node.netns, 'addr', 'add', `${GATEWAY}/32`, 'dev', pod.hostInterface);
  ip('-n', node.netns, 'link', 'set', pod.hostInterface, 'up');
  ip('-n', node.netns, 'route', 'add', `${pod.ip}/32`, 'dev', pod.hostInterface);
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

import type { Endpoint } from '../../model/endpoints.js';
import { knownKind } from '../../resources/kinds.js';
import { DEFAULT_NAMESPACE } from '../../resources/defaults.js';
import { type JSONObject, isJSONObject } from '../../util/json.js';

/**
 * Ironcore places an interface through its Machine: the machine's pool is
 * its node. The lab hosts interfaces like pods, so it completes the
 * manifests the Ironcore way: a machine without a pool is put on the lab's
 * node, an interface bound to no machine gets one the lab makes, and an
 * interface without an IPv4 address is given one.
 */
export function completeInterface(
  objects: JSONObject[],
  e: Endpoint,
  ip: string,
  node: string,
  madeByLab: JSONObject,
): void {
  const standalone = objects.findIndex((o) => isKind(o, 'NetworkInterface') && named(o, e.namespace, e.name));
  if (standalone >= 0) {
    const nic = structuredClone(objects[standalone]!);
    const spec = specOf(nic);
    if (!hasIPv4(e)) spec['ips'] = [...arrayOf(spec['ips']), { value: ip }];
    objects[standalone] = nic;
    if (e.node === undefined) placeMachine(objects, e, refName(spec['machineRef']) ?? `lab-${e.name}`, node, madeByLab);
    return;
  }
  // An ephemeral interface, named `<machine>-<entry>` after the machine that declares it.
  const index = objects.findIndex((o) => isKind(o, 'Machine') && ephemeralEntry(o, e) !== undefined);
  if (index < 0) throw new Error(`${e.id}: the lab found no NetworkInterface or Machine that declares it`);
  const machine = structuredClone(objects[index]!);
  specOf(machine)['machinePoolRef'] ??= { name: node };
  if (!hasIPv4(e)) {
    const template = ephemeralEntry(machine, e)!['networkInterfaceTemplate'] as JSONObject;
    const spec = specOf(template);
    spec['ips'] = [...arrayOf(spec['ips']), { value: ip }];
  }
  objects[index] = machine;
}

/** Puts an interface's machine on a node: the machine named, given a pool if it has none, or one the lab makes. */
function placeMachine(
  objects: JSONObject[],
  e: Endpoint,
  machineName: string,
  node: string,
  madeByLab: JSONObject,
): void {
  const index = objects.findIndex((o) => isKind(o, 'Machine') && named(o, e.namespace, machineName));
  if (index >= 0) {
    const machine = structuredClone(objects[index]!);
    const spec = specOf(machine);
    spec['machinePoolRef'] ??= { name: node };
    if (!entries(machine).some((entry) => refName(entry['networkInterfaceRef']) === e.name)) {
      spec['networkInterfaces'] = [...entries(machine), { name: e.name, networkInterfaceRef: { name: e.name } }];
    }
    objects[index] = machine;
    return;
  }
  objects.push({
    apiVersion: 'compute.ironcore.dev/v1alpha1',
    kind: 'Machine',
    metadata: { name: machineName, namespace: e.namespace, annotations: { ...madeByLab } },
    spec: {
      machinePoolRef: { name: node },
      networkInterfaces: [{ name: e.name, networkInterfaceRef: { name: e.name } }],
    },
  });
}

/** The `ephemeral` part of the machine's entry that declares the interface, if it does. */
function ephemeralEntry(machine: JSONObject, e: Endpoint): JSONObject | undefined {
  const metadata = isJSONObject(machine['metadata']) ? machine['metadata'] : {};
  if ((metadata['namespace'] ?? DEFAULT_NAMESPACE) !== e.namespace) return undefined;
  const entry = entries(machine).find(
    (x) => `${metadata['name']}-${x['name']}` === e.name && isJSONObject(x['ephemeral']),
  );
  return entry === undefined ? undefined : (entry['ephemeral'] as JSONObject);
}

const isKind = (o: JSONObject, kind: 'NetworkInterface' | 'Machine'): boolean =>
  typeof o['apiVersion'] === 'string' &&
  typeof o['kind'] === 'string' &&
  knownKind(o['apiVersion'], o['kind']) === kind;

/** Whether a manifest names this object (no namespace: `default`). */
export function named(o: JSONObject, namespace: string, name: string): boolean {
  const metadata = isJSONObject(o['metadata']) ? o['metadata'] : {};
  return metadata['name'] === name && (metadata['namespace'] ?? DEFAULT_NAMESPACE) === namespace;
}

function specOf(o: JSONObject): JSONObject {
  if (!isJSONObject(o['spec'])) o['spec'] = {};
  return o['spec'] as JSONObject;
}

const arrayOf = (value: unknown): JSONObject[] => (Array.isArray(value) ? value.filter(isJSONObject) : []);
const entries = (machine: JSONObject): JSONObject[] =>
  arrayOf(isJSONObject(machine['spec']) ? machine['spec']['networkInterfaces'] : undefined);
const refName = (ref: unknown): string | undefined =>
  isJSONObject(ref) && typeof ref['name'] === 'string' ? ref['name'] : undefined;
const hasIPv4 = (e: Endpoint): boolean => e.ips.some((ip) => ip.family === 4);

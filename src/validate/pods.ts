import type { Container, PodSpec } from '../resources/types.js';
import type { FieldPath } from '../util/location.js';
import { type FieldError, duplicate, invalid, notSupported, required } from '../resources/field-error.js';
import { isDNS1123Subdomain, isValidPortName, isValidPortNum } from './names.js';
import { DEFAULT_PROTOCOL } from '../resources/defaults.js';

/**
 * The parts of `ValidatePodSpec` netpol reads: the container ports, and the node name (which places
 * the pod, and names files and rules on that node); the rest of a pod spec is not netpol's to judge.
 */
export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath): FieldError[] {
  const nodeName = spec?.nodeName;
  return [
    ...(spec?.containers ?? []).flatMap((c, i) => validateContainerPorts(c, [...path, 'containers', i, 'ports'])),
    ...(spec?.initContainers ?? []).flatMap((c, i) =>
      validateContainerPorts(c, [...path, 'initContainers', i, 'ports']),
    ),
    // ValidateNodeName is a DNS subdomain check, made only when a node is named.
    ...(typeof nodeName === 'string' && nodeName.length > 0
      ? isDNS1123Subdomain(nodeName).map((m) => invalid([...path, 'nodeName'], nodeName, m))
      : []),
  ];
}

/** Sorted, as Go's `sets.List` prints them for Pod ports. */
const POD_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

function validateContainerPorts(container: Container, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (container.ports ?? []).forEach((port, i) => {
    const at = [...path, i];
    if (port.name !== undefined && port.name !== null && port.name !== '') {
      const problems = isValidPortName(port.name);
      if (problems.length > 0) errors.push(...problems.map((m) => invalid([...at, 'name'], port.name!, m)));
      else if (names.has(port.name)) errors.push(duplicate([...at, 'name'], port.name));
      else names.add(port.name);
    }
    if (port.containerPort === undefined || port.containerPort === null || port.containerPort === 0) {
      errors.push(required([...at, 'containerPort']));
    } else {
      errors.push(
        ...isValidPortNum(port.containerPort).map((m) => invalid([...at, 'containerPort'], port.containerPort, m)),
      );
    }
    const protocol = port.protocol ?? DEFAULT_PROTOCOL;
    if (!(POD_PROTOCOLS as readonly string[]).includes(protocol))
      errors.push(notSupported([...at, 'protocol'], protocol, POD_PROTOCOLS));
  });
  return errors;
}

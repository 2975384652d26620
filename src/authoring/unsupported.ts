const WORKLOAD_HINT =
  "for the rest of the pod spec, use cdk8s-plus's pods and workloads, which netpol's NetworkPolicy and " +
  'PodConnections accept';

/**
 * Refuses props this module does not implement, instead of dropping them (a
 * misspelt `rule:` would otherwise leave a policy without its rules). The
 * module covers the network-relevant surface of cdk8s-plus.
 */
export function rejectUnsupported(
  what: string,
  props: object,
  supported: readonly string[],
  hint: string = WORKLOAD_HINT,
): void {
  const unknown = Object.keys(props).filter(
    (key) => !supported.includes(key) && (props as Record<string, unknown>)[key] !== undefined,
  );
  if (unknown.length === 0) return;
  const names = unknown.map((k) => `'${k}'`).join(', ');
  throw new Error(
    `netpol/cdk8s: ${what} prop${unknown.length === 1 ? '' : 's'} ${names} not supported ` +
      `(supported: ${supported.join(', ')})${hint ? `; ${hint}` : ''}`,
  );
}

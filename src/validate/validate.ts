import { type KnownKind, knownKind } from '../resources/kinds.js';
import type {
  IroncoreNetworkPolicy,
  Namespace,
  NetworkPolicy,
  Node,
  ObjectMeta,
  Pod,
  PodTemplate,
  Workload,
} from '../resources/types.js';
import { validateIroncoreNetworkPolicy } from './ironcore.js';
import { validateAdminNetworkPolicy, validateBaselineAdminNetworkPolicy } from './adminnetworkpolicy.js';
import { validateClusterNetworkPolicy } from './clusternetworkpolicy.js';
import { type FieldPath, type Location } from '../util/location.js';
import { type SourcedObject } from '../resources/source.js';
import { type FieldError, formatFieldError } from '../resources/field-error.js';
import { validateObjectMeta } from './meta.js';
import { validateNetworkPolicy } from './networkpolicy.js';
import { validatePodSpec } from './pods.js';
import { validateLabels } from './selector.js';
import { decodeObject, typedView } from './typed.js';

/** One reason an object would be refused, placed at the field it concerns. */
export interface Diagnostic {
  readonly object: SourcedObject;
  readonly error: FieldError;
  readonly location: Location;
  /** The apiserver's rendering of `error`. */
  readonly message: string;
}

/** Validates one object the way the apiserver would on create: decoding first, then the field rules. */
export function validateObject(object: SourcedObject): Diagnostic[] {
  const kind = knownKind(object.apiVersion, object.kind);
  if (kind === undefined) return [];
  const decodeErrors = decodeObject(object).errors;
  const errors = decodeErrors.length > 0 ? decodeErrors : semanticErrors(kind, object);
  return errors.map((error) => ({
    object,
    error,
    location: object.locate(error.locateAt ?? error.path),
    message: formatFieldError(error),
  }));
}

export function validateObjects(objects: readonly SourcedObject[]): Diagnostic[] {
  return objects.flatMap(validateObject);
}

/** `NetworkPolicy.networking.k8s.io "deny" is invalid: [...]`, the apiserver's summary line. */
export function formatInvalidObject(object: SourcedObject, diagnostics: readonly Diagnostic[]): string {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  const messages = diagnostics.map((d) => d.message);
  const body = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  // Quoted as Go's %q quotes, which escapes what printable would: the raw name goes in.
  const key = object.namespace === undefined ? object.name : `${object.namespace}/${object.name}`;
  return `${object.kind}${group} ${JSON.stringify(key)} is invalid: ${body}`;
}

function semanticErrors(kind: KnownKind, object: SourcedObject): FieldError[] {
  switch (kind) {
    case 'NetworkPolicy':
      return validateNetworkPolicy(typedView<NetworkPolicy>(object));
    case 'IroncoreNetworkPolicy':
      return validateIroncoreNetworkPolicy(typedView<IroncoreNetworkPolicy>(object));
    case 'ClusterNetworkPolicy':
      return validateClusterNetworkPolicy(decodeObject(object).value ?? null);
    case 'AdminNetworkPolicy':
      return validateAdminNetworkPolicy(decodeObject(object).value ?? null);
    case 'BaselineAdminNetworkPolicy':
      return validateBaselineAdminNetworkPolicy(decodeObject(object).value ?? null);
    case 'Network':
    case 'NetworkInterface':
    case 'LoadBalancer':
    case 'VirtualIP':
    case 'Machine':
      return validateObjectMeta(typedView<{ metadata: ObjectMeta }>(object).metadata, true, 'subdomain');
    case 'Namespace':
      return validateObjectMeta(typedView<Namespace>(object).metadata, false, 'label');
    case 'Node':
      return validateObjectMeta(typedView<Node>(object).metadata, false, 'subdomain');
    case 'Pod': {
      const pod = typedView<Pod>(object);
      return [...validateObjectMeta(pod.metadata, true, 'subdomain'), ...validatePodSpec(pod.spec, ['spec'])];
    }
    case 'CronJob': {
      const cronJob = typedView<Workload>(object);
      const template = cronJob.spec?.jobTemplate?.spec?.template;
      return validateWorkload(cronJob, template, ['spec', 'jobTemplate', 'spec', 'template']);
    }
    default: {
      const workload = typedView<Workload>(object);
      return validateWorkload(workload, workload.spec?.template, ['spec', 'template']);
    }
  }
}

function validateWorkload(
  workload: Workload,
  template: PodTemplate | undefined,
  templatePath: FieldPath,
): FieldError[] {
  return [
    ...validateObjectMeta(workload.metadata, true, 'subdomain'),
    ...validateLabels(template?.metadata?.labels, [...templatePath, 'metadata', 'labels']),
    ...validatePodSpec(template?.spec, [...templatePath, 'spec']),
  ];
}

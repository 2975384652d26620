/**
 * A Kubernetes API server for tests and the lab: see server.ts for what it implements and what it leaves out.
 */
export { ApiServer, type ApiServerOptions, type ObjectReference } from './server.js';
export { type Failure, type FailureMatch, type RequestRecord, type Verb } from './faults.js';
export { type ResourceType, OPTIONAL_RESOURCES, RESOURCES, apiVersionOf, qualifiedResource } from './resources.js';
export { writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';

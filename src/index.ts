/** netpol's library API. The CLI is a thin layer over exactly these functions. */
export { ConnSet, PROTOCOLS, type Protocol, isProtocol } from './algebra/connset.js';
export { IPSet, type AddressRange } from './algebra/ipset.js';
export { parseCIDR, parseIP, formatIP, type CIDR, type IPAddress } from './algebra/ip.js';
export { PortSet } from './algebra/portset.js';
export { Selector, type LabelSelector, type Labels } from './algebra/selector.js';

export { loadPaths, loadText, type LoadOptions, type LoadProblem, type LoadResult } from './load/load.js';
export { type SourcedObject, objectFromData } from './resources/source.js';
export { type Location, formatLocation, formatFieldPath } from './util/location.js';
export { buildCluster, type Cluster } from './policy/cluster.js';
export { NAMESPACE_NAME_LABEL, type NamespaceInfo, type NodeInfo } from './model/cluster.js';
export type { Endpoint, Owner, ContainerPortInfo } from './model/endpoints.js';
export { ObjectStore, type ObjectRef, type Relabel } from './model/store.js';
export { readInputs, loadCluster, InvalidInputError, inputsAreValid, type Inputs } from './pipeline/inputs.js';

export { validateObject, validateObjects, formatInvalidObject, type Diagnostic } from './validate/validate.js';
export { formatFieldError, type FieldError } from './resources/field-error.js';

export type { Policy, Rule, Peer, PortMatch, PolicyRef, RuleRef, Direction, Tier, Action } from './policy/ir.js';
export { normaliseNetworkPolicy, effectivePolicyTypes } from './policy/networkpolicy.js';

export { decide, type Flow, type Verdict, type DirectionVerdict, type TierRuleRef } from './engine/verdict.js';
export {
  appliedPolicies,
  combine,
  defaultEngineOptions,
  evaluateDirection,
  selects,
  type EngineOptions,
  type FlowPeer,
  type DirectionOutcome,
} from './policy/evaluate.js';
export { normaliseTierPolicy } from './policy/tiers.js';
export {
  resolvePeerSpec,
  resolveEndpoints,
  resolveDestinationPort,
  makeFlow,
  endpointFlow,
  UnknownPeerError,
  type PeerSpec,
  type NamedEndpoints,
} from './engine/flow.js';
export { explainVerdict, verdictToJSON } from './engine/explain.js';
export { connectivityMatrix, destinationsWithoutPort, type MatrixScope } from './engine/matrix.js';
export { HOST_NETWORK_PODS, type HostNetworkPods } from './model/host-network.js';
export { formatTruthTable, parseTruthTable, compareTruthTables, type TruthTable } from './engine/truthtable.js';

export { computeConnectivity, type Connectivity, type ConnectivityOptions } from './engine/connectivity.js';
export {
  workloadConnections,
  focusLines,
  workloadName,
  rangeName,
  type ConnLine,
  type Focus,
} from './engine/connlist.js';
export { diffConnectivity, type ConnDiff, type DiffType } from './engine/conndiff.js';
export { lint, type Finding, type Severity } from './engine/lint.js';
export { exposure, type WorkloadExposure } from './engine/exposure.js';
export { identitiesOf, type Identity } from './engine/identities.js';
export { formatConnList, LIST_FORMATS, type ListFormat } from './report/connlist.js';
export { formatConnDiff, DIFF_FORMATS, type DiffFormat } from './report/conndiff.js';
export { formatFindings, LINT_FORMATS, type LintFormat } from './report/lint.js';
export { formatExposure, EXPOSURE_FORMATS, type ExposureFormat } from './report/exposure.js';

export { type Semantics, SEMANTICS, ISOLATION_ANNOTATION, namespaceIsolation } from './policy/legacy.js';
export { migrateLegacy, type Migration, type MigrationWarning } from './policy/migrate.js';
export { normaliseIroncorePolicy } from './policy/ironcore.js';
export { buildNftRuleset, formatNftRuleset, type NftRuleset, type NftRenderOptions } from './render/nftables.js';
export { renderContrail, type ContrailRendering, type ContrailOptions } from './render/contrail.js';
export { reconcileIroncore, type IroncoreReconciliation, type IroncoreOptions } from './render/ironcore.js';
export { NodeAgent, type AgentOptions, type AgentStatus } from './dataplane/agent.js';
export { NftReconciler, type NftReconcilerOptions } from './dataplane/reconcile.js';
export { NftSink, type RulesetSink, type NftSinkOptions } from './dataplane/nft-sink.js';
export { fileAgent, type FileAgentOptions } from './dataplane/file-agent.js';
export { FileSource, type FileSourceOptions } from './controller/file-source.js';
export type { PolicySource, SourceSnapshot, SourceChange, SourceHealth } from './controller/source.js';

import { Construct, type IConstruct } from 'constructs';
import type { INetworkPolicyPeer, NetworkPolicyPeerConfig } from './peers.js';

/** A label selector as the API takes it. Loose on purpose: cdk8s-plus's selectors render to this shape too. */
export interface KubeLabelSelector {
  readonly matchLabels?: { readonly [key: string]: string };
  readonly matchExpressions?: readonly KubeLabelSelectorRequirement[];
}

export interface KubeLabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** What a policy needs of a label selector; cdk8s-plus's `LabelSelector` has the same two methods. */
export interface ILabelSelector {
  isEmpty(): boolean;
  /** @internal cdk8s-plus's name for rendering, kept so that either library's selectors work in the other. */
  _toKube(): KubeLabelSelector;
}

/** A requirement on one label: `in`, `notIn`, `exists`, `doesNotExist`. */
export class LabelExpression {
  /** Requires the value of label `key` to be one of `values`. */
  static in(key: string, values: string[]): LabelExpression {
    return new LabelExpression(key, 'In', values);
  }

  /** Requires the value of label `key` to be none of `values` (or the label to be absent). */
  static notIn(key: string, values: string[]): LabelExpression {
    return new LabelExpression(key, 'NotIn', values);
  }

  /** Requires label `key` to exist. */
  static exists(key: string): LabelExpression {
    return new LabelExpression(key, 'Exists', undefined);
  }

  /** Requires label `key` to be absent. */
  static doesNotExist(key: string): LabelExpression {
    return new LabelExpression(key, 'DoesNotExist', undefined);
  }

  private constructor(
    readonly key: string,
    readonly operator: string,
    readonly values?: string[],
  ) {}
}

export interface LabelSelectorOptions {
  /** Labels that must have exactly these values. */
  readonly labels?: { [key: string]: string };
  /** Requirements that must all hold. */
  readonly expressions?: LabelExpression[];
}

/** Matches objects by their labels. */
export class LabelSelector implements ILabelSelector {
  static of(options: LabelSelectorOptions = {}): LabelSelector {
    return new LabelSelector(options.expressions ?? [], options.labels ?? {});
  }

  private constructor(
    private readonly expressions: readonly LabelExpression[],
    private readonly labels: { readonly [key: string]: string },
  ) {}

  isEmpty(): boolean {
    return this.expressions.length === 0 && Object.keys(this.labels).length === 0;
  }

  /**
   * cdk8s-plus drops `matchLabels` whose values are all empty strings, which widens
   * `{app: ''}` to every pod; an empty value is a value, so it is kept here.
   */
  _toKube(): KubeLabelSelector {
    if (this.isEmpty()) return {};
    const expressions = this.expressions.map((e) => ({ key: e.key, operator: e.operator, values: e.values }));
    return {
      ...(expressions.length > 0 ? { matchExpressions: expressions } : {}),
      ...(Object.keys(this.labels).length > 0 ? { matchLabels: { ...this.labels } } : {}),
    };
  }
}

/** Namespaces chosen by labels, by name, or both (a name and the labels must then all hold). */
export interface NamespaceSelectorConfig {
  readonly labelSelector?: ILabelSelector;
  readonly names?: readonly string[];
}

/** Pods chosen by labels, in the namespaces given, or in the namespace of the policy that uses them. */
export interface PodSelectorConfig {
  readonly labelSelector: ILabelSelector;
  readonly namespaces?: NamespaceSelectorConfig;
}

/** Anything that can pick pods: managed pods and workloads, `Pods` (and cdk8s-plus's). */
export interface IPodSelector extends IConstruct {
  toPodSelectorConfig(): PodSelectorConfig;
}

/** Anything that can pick namespaces: `Namespaces`, a managed `Namespace` (and cdk8s-plus's). */
export interface INamespaceSelector extends IConstruct {
  toNamespaceSelectorConfig(): NamespaceSelectorConfig;
}

export interface PodsAllOptions {
  /** Where the pods may be; `Namespaces.all()` for anywhere. Default: the namespace of the policy using them. */
  readonly namespaces?: INamespaceSelector;
}

export interface PodsSelectOptions extends PodsAllOptions {
  readonly labels?: { [key: string]: string };
  readonly expressions?: LabelExpression[];
}

/** Pods this app does not manage, picked by labels: as a policy's selector or as a peer. */
export class Pods extends Construct implements IPodSelector, INetworkPolicyPeer {
  static select(scope: Construct, id: string, options: PodsSelectOptions): Pods {
    return new Pods(scope, id, options.expressions, options.labels, options.namespaces);
  }

  static all(scope: Construct, id: string, options: PodsAllOptions = {}): Pods {
    return Pods.select(scope, id, { namespaces: options.namespaces });
  }

  constructor(
    scope: Construct,
    id: string,
    private readonly expressions?: LabelExpression[],
    private readonly labels?: { [key: string]: string },
    private readonly namespaces?: INamespaceSelector,
  ) {
    super(scope, id);
  }

  toPodSelectorConfig(): PodSelectorConfig {
    return {
      labelSelector: LabelSelector.of({ expressions: this.expressions, labels: this.labels }),
      namespaces: this.namespaces?.toNamespaceSelectorConfig(),
    };
  }

  toNetworkPolicyPeerConfig(): NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  toPodSelector(): IPodSelector | undefined {
    return this;
  }
}

export interface NamespacesSelectOptions {
  readonly labels?: { [key: string]: string };
  readonly expressions?: LabelExpression[];
  readonly names?: string[];
}

/** Namespaces picked by labels or names. As a peer: every pod in them. */
export class Namespaces extends Construct implements INamespaceSelector, INetworkPolicyPeer {
  static select(scope: Construct, id: string, options: NamespacesSelectOptions): Namespaces {
    return new Namespaces(scope, id, options.expressions, options.names, options.labels);
  }

  static all(scope: Construct, id: string): Namespaces {
    return Namespaces.select(scope, id, { expressions: [], labels: {} });
  }

  private readonly pods: Pods;

  constructor(
    scope: Construct,
    id: string,
    private readonly expressions?: LabelExpression[],
    private readonly names?: string[],
    private readonly labels?: { [key: string]: string },
  ) {
    super(scope, id);
    this.pods = Pods.all(this, 'Pods', { namespaces: this });
  }

  toNamespaceSelectorConfig(): NamespaceSelectorConfig {
    return {
      labelSelector: LabelSelector.of({ expressions: this.expressions, labels: this.labels }),
      names: this.names,
    };
  }

  toNetworkPolicyPeerConfig(): NetworkPolicyPeerConfig {
    return this.pods.toNetworkPolicyPeerConfig();
  }

  toPodSelector(): IPodSelector | undefined {
    return this.pods.toPodSelector();
  }
}

import type { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition } from 'cdk8s';
import { Construct } from 'constructs';
import type { JSONObject } from '../util/json.js';
import { objectRefusals } from './apiserver-checks.js';

export interface ResourceProps {
  /** Name, namespace, labels, annotations: as any cdk8s ApiObject takes them. */
  readonly metadata?: ApiObjectMetadata;
}

/** A construct that synthesises one Kubernetes object, its child `Resource`, as cdk8s-plus's resources do. */
export abstract class Resource extends Construct {
  protected abstract readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // cdk8s validates every construct when it synthesises: an object the API server would refuse (a bad name,
    // label or port name) stops `cdk8s synth` there, with the API server's message, not at `kubectl apply`.
    this.node.addValidation({ validate: () => objectRefusals(this.apiObject.toJson() as JSONObject) });
  }

  get metadata(): ApiObjectMetadataDefinition {
    return this.apiObject.metadata;
  }

  /** The object's name: `metadata.name`, or the one cdk8s makes from the construct path. */
  get name(): string {
    return this.apiObject.name;
  }

  get apiVersion(): string {
    return this.apiObject.apiVersion;
  }

  get kind(): string {
    return this.apiObject.kind;
  }
}

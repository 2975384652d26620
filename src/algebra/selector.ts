export type Labels = Readonly<Record<string, string>>;

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

/** The wire form, `metav1.LabelSelector`. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * A compiled label selector with `LabelSelectorAsSelector` semantics: every
 * requirement must hold; `NotIn` and `DoesNotExist` hold for objects that lack
 * the key; an empty selector matches everything.
 */
export class Selector {
  private constructor(
    private readonly requirements: readonly CompiledRequirement[],
    readonly source: LabelSelector,
  ) {}

  static readonly everything = new Selector([], {});

  static compile(selector: LabelSelector | undefined): Selector {
    if (selector === undefined) return Selector.everything;
    const fromLabels = Object.entries(selector.matchLabels ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, operator: 'In' as const, values: new Set([value]) }));
    const fromExpressions = (selector.matchExpressions ?? []).map((r) => ({
      key: r.key,
      operator: r.operator,
      values: new Set(r.values ?? []),
    }));
    return new Selector([...fromLabels, ...fromExpressions], selector);
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Labels): boolean {
    return this.requirements.every((r) => requirementHolds(r, labels));
  }

  /** The keys this selector reads; objects that agree on them are matched alike. */
  keys(): string[] {
    return [...new Set(this.requirements.map((r) => r.key))];
  }

  /** kubectl's notation: `app=web,tier in (a,b),!legacy`; `{}` matches everything. */
  toString(): string {
    if (this.isEverything()) return '{}';
    return this.requirements.map(formatRequirement).join(',');
  }
}

interface CompiledRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: ReadonlySet<string>;
}

function requirementHolds(r: CompiledRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.has(labels[r.key]!);
    case 'NotIn':
      return !has || !r.values.has(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

function formatRequirement(r: CompiledRequirement): string {
  const values = [...r.values];
  switch (r.operator) {
    case 'In':
      return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

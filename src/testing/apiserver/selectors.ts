import type { JSONObject } from '../../util/json.js';
import type { ResourceType } from './resources.js';
import { badRequest } from './status.js';

/** A compiled `labelSelector` or `fieldSelector` query parameter. */
export type ObjectFilter = (object: JSONObject) => boolean;

export const matchEverything: ObjectFilter = () => true;

type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/**
 * Parses the string form of a label selector as `labels.Parse` does:
 * `app=web,tier!=db,env in (a,b),!legacy,team,replicas>2`.
 */
export function parseLabelSelector(text: string): ObjectFilter {
  const requirements = new LabelSelectorParser(text).parse();
  if (requirements.length === 0) return matchEverything;
  return (object) => {
    const labels = labelsOf(object);
    return requirements.every((r) => requirementHolds(r, labels));
  };
}

function labelsOf(object: JSONObject): Record<string, string> {
  const meta = object['metadata'] as JSONObject | undefined;
  const labels = meta?.['labels'];
  return labels !== null && typeof labels === 'object' && !Array.isArray(labels)
    ? (labels as Record<string, string>)
    : {};
}

function requirementHolds(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      const actual = Number.parseInt(value ?? '', 10);
      const bound = Number.parseInt(r.values[0]!, 10);
      return has && !Number.isNaN(actual) && (r.operator === 'gt' ? actual > bound : actual < bound);
    }
  }
}

const SPECIAL = new Set([',', '(', ')', '=', '!', '<', '>', ' ', '\t', '\n']);

class LabelSelectorParser {
  private position = 0;

  constructor(private readonly text: string) {}

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    this.skipSpaces();
    if (this.atEnd()) return requirements;
    for (;;) {
      requirements.push(this.requirement());
      this.skipSpaces();
      if (this.atEnd()) return requirements;
      this.expect(',');
    }
  }

  private requirement(): LabelRequirement {
    this.skipSpaces();
    if (this.peek() === '!') {
      this.position++;
      return { key: this.identifier('key'), operator: '!', values: [] };
    }
    const key = this.identifier('key');
    this.skipSpaces();
    if (this.atEnd() || this.peek() === ',') return { key, operator: 'exists', values: [] };
    const operator = this.operator();
    this.skipSpaces();
    if (operator === 'in' || operator === 'notin') return { key, operator, values: this.valueSet() };
    const value = this.atEnd() || SPECIAL.has(this.peek()) ? '' : this.identifier('value');
    if ((operator === 'gt' || operator === 'lt') && !/^-?\d+$/.test(value)) {
      throw this.error(`for 'Gt', 'Lt' operators, the value must be an integer`);
    }
    return { key, operator, values: [value] };
  }

  private operator(): LabelOperator {
    for (const [symbol, operator] of [
      ['==', '=='],
      ['!=', '!='],
      ['=', '='],
      ['>', 'gt'],
      ['<', 'lt'],
    ] as const) {
      if (this.text.startsWith(symbol, this.position)) {
        this.position += symbol.length;
        return operator;
      }
    }
    const word = this.identifier('operator');
    if (word === 'in' || word === 'notin') return word;
    throw this.error(`found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
  }

  private valueSet(): string[] {
    this.expect('(');
    const values: string[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.peek() === ')') {
        this.position++;
        return values;
      }
      values.push(this.peek() === ',' ? '' : this.identifier('value'));
      this.skipSpaces();
      if (this.peek() === ',') this.position++;
      else if (this.peek() !== ')') throw this.error(`found '${this.peek()}', expected: ',' or ')'`);
    }
  }

  private identifier(what: string): string {
    const start = this.position;
    while (!this.atEnd() && !SPECIAL.has(this.peek())) this.position++;
    if (start === this.position) {
      throw this.error(`found '${this.atEnd() ? '' : this.peek()}', expected: ${what}`);
    }
    return this.text.slice(start, this.position);
  }

  private expect(symbol: string): void {
    this.skipSpaces();
    if (this.peek() !== symbol) throw this.error(`found '${this.peek()}', expected: '${symbol}'`);
    this.position++;
  }

  private skipSpaces(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.position++;
  }

  private peek(): string {
    return this.text[this.position] ?? '';
  }

  private atEnd(): boolean {
    return this.position >= this.text.length;
  }

  private error(detail: string): Error {
    return badRequest(`unable to parse requirement: ${detail}`);
  }
}

/**
 * Parses a field selector (`metadata.name=x,spec.nodeName!=n`) against the fields the resource supports,
 * refusing others as the API server does.
 */
export function parseFieldSelector(text: string, resource: ResourceType): ObjectFilter {
  const terms = splitUnescaped(text, ',').filter((t) => t.trim() !== '');
  const tests = terms.map((term): ObjectFilter => {
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (match === null) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = match[1]!.trim();
    const expected = unescape(match[3]!);
    const reader = fieldReader(field, resource);
    return match[2] === '!=' ? (o) => reader(o) !== expected : (o) => reader(o) === expected;
  });
  return tests.length === 0 ? matchEverything : (object) => tests.every((test) => test(object));
}

function fieldReader(field: string, resource: ResourceType): (object: JSONObject) => string {
  if (field === 'metadata.name' || field === 'metadata.namespace') {
    const key = field.slice('metadata.'.length);
    return (object) => ((object['metadata'] as JSONObject)[key] as string | undefined) ?? '';
  }
  const reader = Object.hasOwn(resource.fields, field) ? resource.fields[field] : undefined;
  if (reader !== undefined) return reader;
  throw badRequest(
    resource.custom
      ? `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`
      : `field label not supported: ${field}`,
  );
}

/** The `fields` package's escaping: `\,`, `\=` and `\\` stand for themselves. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

const unescape = (value: string): string => value.replace(/\\(.)/g, '$1');

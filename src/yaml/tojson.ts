/**
 * sigs.k8s.io/yaml's YAMLToJSON after go-yaml has decoded the document: map keys become strings
 * (ints in decimal, floats via float32 as "%g", bools as true/false), keys JSON cannot hold fail
 * ("Unsupported map key of type: ..."), then encoding/json refuses NaN and infinities.
 */

import type { DecodedInfo } from './decoded.js';
import { YamlFailure } from './errors.js';
import { compareCodePoints, formatFloatG, goKeySyntax, goSyntax } from './gofmt.js';

/** sigs.k8s.io/yaml's spelling of a float map key: strconv.FormatFloat(f, 'g', -1, 32), YAML's inf and nan. */
export function floatKey(f: number): string {
  const text = formatFloatG(f, 32);
  if (text === '+Inf') return '.inf';
  if (text === '-Inf') return '-.inf';
  if (text === 'NaN') return '.nan';
  return text;
}

/**
 * The failure the conversion reports for a decoded value, or null. `rootOffset` is where the value
 * starts (a NaN document points there).
 */
export function conversionFailure(root: unknown, info: DecodedInfo, rootOffset: number): YamlFailure | null {
  if (typeof root === 'number') return Number.isFinite(root) ? null : nonFinite(root, rootOffset);
  if (!info.used) return null;
  return unsupportedKey(root, info) ?? firstNonFinite(root, info);
}

/** A nil or uint64 key anywhere in the value (Go visits maps in random order; this takes the first). */
function unsupportedKey(root: unknown, info: DecodedInfo): YamlFailure | null {
  const work: unknown[] = [root];
  while (work.length > 0) {
    const value = work.pop();
    if (value === null || typeof value !== 'object') continue;
    const entries = Array.isArray(value) ? undefined : info.unsupportedKeys(value);
    if (entries !== undefined && entries.length > 0) {
      const { key, value: v, offset } = entries[0]!;
      const type = key.type === 'nil' ? '%!s(<nil>)' : key.type;
      const message =
        `Unsupported map key of type: ${type}, key: ${goKeySyntax(key, false)}, ` + `value: ${goSyntax(v, info)}`;
      return new YamlFailure('convert', message, offset);
    }
    const children = Array.isArray(value) ? value : Object.values(value);
    for (let i = children.length - 1; i >= 0; i--) work.push(children[i]);
  }
  return null;
}

/** encoding/json walks maps in sorted key order and stops at the first NaN or infinity. */
function firstNonFinite(root: unknown, info: DecodedInfo): YamlFailure | null {
  const work: { value: unknown; offset: number }[] = [{ value: root, offset: -1 }];
  while (work.length > 0) {
    const { value, offset } = work.pop()!;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return nonFinite(value, offset);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const keys: (string | number)[] = Array.isArray(value)
      ? value.map((_, i) => i)
      : Object.keys(value).sort(compareCodePoints);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const child = (value as Record<string | number, unknown>)[key];
      work.push({ value: child, offset: info.nonFiniteAt(value, key) ?? -1 });
    }
  }
  return null;
}

function nonFinite(value: number, offset: number): YamlFailure {
  return new YamlFailure('json', `json: unsupported value: ${formatFloatG(value, 64)}`, offset);
}

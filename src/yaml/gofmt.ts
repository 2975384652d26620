/**
 * Go's text forms of values, where go-yaml or sigs.k8s.io/yaml put them into output:
 * strconv.FormatFloat(f, 'g', -1, 32|64) (float map keys become JSON keys this way) and fmt's %#v
 * (error messages such as "invalid map key: []interface {}{\"a\"}").
 */

/** A Go map key as the decoder made it: the JSON spelling plus the Go type. */
export interface GoKey {
  readonly type: GoType;
  /** The key's text: the string itself, the decimal of an int, the JSON spelling of a float. */
  readonly text: string;
  /** For floats, the float64 value. */
  readonly float?: number;
}

export type GoType = 'string' | 'int' | 'uint64' | 'float64' | 'bool' | 'nil';

/** strconv.FormatFloat(x, 'g', -1, bits). */
export function formatFloatG(x: number, bits: 32 | 64): string {
  if (Number.isNaN(x)) return 'NaN';
  const v = bits === 32 ? Math.fround(x) : x;
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const negative = v < 0 || Object.is(v, -0);
  const sign = negative ? '-' : '';
  if (v === 0) return sign + '0';
  const { digits, exponent } = shortestDigits(Math.abs(v), bits);
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The shortest decimal digits that read back as v (v > 0), and the exponent of the first one. */
function shortestDigits(v: number, bits: 32 | 64): { digits: string; exponent: number } {
  let text = v.toExponential();
  if (bits === 32) {
    for (let precision = 1; precision <= 9; precision++) {
      const candidate = v.toExponential(precision - 1);
      if (Math.fround(Number(candidate)) === v) {
        text = candidate;
        break;
      }
    }
  }
  const e = text.indexOf('e');
  const digits = text.slice(0, e).replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exponent: Number(text.slice(e + 1)) };
}

/** Extra knowledge about decoded maps that the JS object alone does not carry. */
export interface MapInfo {
  /** Go types of keys that are not strings. */
  keyTypes(map: object): ReadonlyMap<string, GoType> | undefined;
  /** A float key's float64 value. */
  floatKey(map: object, key: string): number | undefined;
  /** Keys JSON cannot hold (nil, uint64), with their values. */
  unsupportedKeys(map: object): readonly { key: GoKey; value: unknown }[] | undefined;
}

/** fmt's %#v of a value decoded into interface{}. */
export function goSyntax(value: unknown, info: MapInfo, nested = false): string {
  if (value === null) return nested ? 'interface {}(nil)' : '<nil>';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return goNumber(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map((v) => goSyntax(v, info, true)).join(', ')}}`;
  const map = value as Record<string, unknown>;
  const types = info.keyTypes(map);
  const entries: { key: GoKey; value: unknown }[] = Object.keys(map).map((text) => ({
    key: keyOf(text, types?.get(text) ?? 'string', info.floatKey(map, text)),
    value: map[text],
  }));
  entries.push(...(info.unsupportedKeys(map) ?? []));
  entries.sort((a, b) => compareKeys(a.key, b.key));
  const body = entries.map((e) => `${goKeySyntax(e.key)}:${goSyntax(e.value, info, true)}`).join(', ');
  return `map[interface {}]interface {}{${body}}`;
}

function keyOf(text: string, type: GoType, float: number | undefined): GoKey {
  return type === 'float64' ? { type, text, float: float ?? Number(text) } : { type, text };
}

export function goKeySyntax(key: GoKey, nested = true): string {
  switch (key.type) {
    case 'nil':
      return nested ? 'interface {}(nil)' : '<nil>';
    case 'string':
      return goQuote(key.text);
    case 'uint64':
      return '0x' + BigInt(key.text).toString(16);
    case 'float64':
      return formatFloatG(key.float ?? Number(key.text), 64);
    default:
      return key.text;
  }
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  return formatFloatG(n, 64);
}

/**
 * fmt's ordering of interface{} map keys: by dynamic type (Go orders types by their address in the
 * binary; this order matches kubectl's for the types go-yaml produces), then by value.
 */
const TYPE_ORDER: Record<GoType, number> = { nil: 0, bool: 1, int: 2, uint64: 3, float64: 4, string: 5 };

function compareKeys(a: GoKey, b: GoKey): number {
  if (a.type !== b.type) return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  switch (a.type) {
    case 'string':
      return compareCodePoints(a.text, b.text);
    case 'int':
    case 'uint64': {
      const x = BigInt(a.text);
      const y = BigInt(b.text);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'float64': {
      const x = a.float ?? Number(a.text);
      const y = b.float ?? Number(b.text);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'bool':
      return a.text === b.text ? 0 : a.text === 'false' ? -1 : 1;
    default:
      return 0;
  }
}

/** Orders strings as Go compares them (UTF-8 bytes, which is code point order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (astral code point) sorts after every other BMP character in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** strconv.Quote: Go escapes, printable Unicode kept as it is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp < 0x80) out += '\\x' + hex(cp, 2);
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

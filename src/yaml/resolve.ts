/**
 * Scalar resolution as go-yaml v2 does it when decoding into interface{} (resolve.go and
 * decoder.scalar): YAML 1.1 booleans (y, yes, on, off and their cases), ~ and null, integers in
 * Go's ParseInt base-0 syntax (0x, 0o, 0b, a leading 0 for octal, underscores dropped, a sign),
 * unsigned integers up to 2^64-1, floats of the shape go-yaml's regexp accepts, .inf and .nan.
 * Anything else is a string, and so are timestamps (go-yaml keeps their text when decoding into
 * interface{}). Explicit tags (!!int, !!str, ...) must agree with what the text resolves to.
 *
 * The kind of the last resolution (needed for map keys, whose JSON spelling depends on the Go type)
 * is left in `resolved`, so that the hot path allocates nothing.
 */

import { YamlFailure } from './errors.js';
import { parseTimestamp } from './timestamp.js';

export const TAG_PREFIX = 'tag:yaml.org,2002:';
export const STR_TAG = TAG_PREFIX + 'str';
export const BOOL_TAG = TAG_PREFIX + 'bool';
export const INT_TAG = TAG_PREFIX + 'int';
export const FLOAT_TAG = TAG_PREFIX + 'float';
export const NULL_TAG = TAG_PREFIX + 'null';
export const TIMESTAMP_TAG = TAG_PREFIX + 'timestamp';
export const BINARY_TAG = TAG_PREFIX + 'binary';
export const MERGE_TAG = TAG_PREFIX + 'merge';

/** Go types a scalar can decode to (interface{} holding string, int, uint64, float64, bool, nil). */
export const KIND_STRING = 0;
export const KIND_INT = 1;
export const KIND_UINT = 2;
export const KIND_FLOAT = 3;
export const KIND_BOOL = 4;
export const KIND_NULL = 5;

export const resolved = {
  kind: KIND_STRING,
  /**
   * For KIND_INT and KIND_UINT past 2^53: the exact decimal value (a JS number loses digits there);
   * '' for smaller integers, whose number is exact.
   */
  decimal: '',
};

const HINT_SIGN = 1;
const HINT_DIGIT = 2;
const HINT_MAP = 3;
const HINT_DOT = 4;
const HINT = buildHints();

function buildHints(): Uint8Array {
  const table = new Uint8Array(128);
  table[0x2b] = table[0x2d] = HINT_SIGN;
  for (let c = 0x30; c <= 0x39; c++) table[c] = HINT_DIGIT;
  for (const ch of 'yYnNtTfFoO~') table[ch.charCodeAt(0)] = HINT_MAP;
  table[0x2e] = HINT_DOT;
  return table;
}

const NOT_SPECIAL = Symbol('not special');
type Special = boolean | number | null;

/** go-yaml's resolve table: the words that are booleans, null or special floats. */
const SPECIALS: ReadonlyMap<string, Special> = new Map<string, Special>([
  ...words(true, 'y Y yes Yes YES true True TRUE on On ON'),
  ...words(false, 'n N no No NO false False FALSE off Off OFF'),
  ['', null],
  ...words(null, '~ null Null NULL'),
  ...words(NaN, '.nan .NaN .NAN'),
  ...words(Infinity, '.inf .Inf .INF +.inf +.Inf +.INF'),
  ...words(-Infinity, '-.inf -.Inf -.INF'),
]);

function words(value: Special, list: string): [string, Special][] {
  return list.split(' ').map((w) => [w, value]);
}

function special(s: string): Special | typeof NOT_SPECIAL {
  // Every special word is 1 to 6 characters long; a length test keeps long scalars off the map.
  if (s.length > 6) return NOT_SPECIAL;
  const value = SPECIALS.get(s);
  return value === undefined ? NOT_SPECIAL : value;
}

function kindOfSpecial(value: Special): number {
  if (value === null) return KIND_NULL;
  return typeof value === 'boolean' ? KIND_BOOL : KIND_FLOAT;
}

/** An untagged plain scalar (go-yaml's resolve("", s)). */
export function resolvePlain(s: string): unknown {
  resolved.kind = KIND_STRING;
  if (s.length === 0) {
    resolved.kind = KIND_NULL;
    return null;
  }
  const c = s.charCodeAt(0);
  const hint = c < 128 ? HINT[c]! : 0;
  if (hint === 0) return s;
  const word = special(s);
  if (word !== NOT_SPECIAL) {
    resolved.kind = kindOfSpecial(word);
    return word;
  }
  if (hint === HINT_MAP) return s;
  if (hint === HINT_DOT) return dotFloat(s) ?? s;
  return number(s) ?? s;
}

/**
 * Whether an untagged plain scalar starting with this character may be NaN or an infinity
 * (which encoding/json refuses): those start with '.', '+' or '-'.
 */
export function plainMayBeNonFinite(first: number): boolean {
  return first === 0x2e /* . */ || first === 0x2b /* + */ || first === 0x2d; /* - */
}

/** Whether an untagged plain scalar is NaN or an infinity. */
export function resolvesNonFinite(s: string): boolean {
  if (!plainMayBeNonFinite(s.charCodeAt(0))) return false;
  const value = resolvePlain(s);
  return typeof value === 'number' && !Number.isFinite(value);
}

/**
 * Whether an untagged plain scalar starting with this character (NaN for an empty one) may be,
 * as a map key, one JSON cannot hold: nil ('', ~, null, Null, NULL) or a uint64 (a digit or '+').
 */
export function plainKeyMayBeUnsupported(first: number): boolean {
  return (
    Number.isNaN(first) ||
    first === 0x7e /* ~ */ ||
    first === 0x6e /* n */ ||
    first === 0x4e /* N */ ||
    first === 0x2b /* + */ ||
    (first >= 0x30 && first <= 0x39)
  );
}

/** Whether an untagged plain scalar, as a map key, is one JSON cannot hold (nil, uint64). */
export function resolvesToUnsupportedKey(s: string): boolean {
  if (!plainKeyMayBeUnsupported(s.charCodeAt(0))) return false;
  resolvePlain(s);
  return resolved.kind === KIND_NULL || resolved.kind === KIND_UINT;
}

/**
 * A float starting with '.', as Go's ParseFloat takes it: digits, an optional exponent, underscores
 * between digits (Go's float literal syntax), and no overflow.
 */
function dotFloat(s: string): number | undefined {
  const plain = s.indexOf('_') >= 0 ? (underscoresBetweenDigits(s) ? s.replaceAll('_', '') : '') : s;
  if (!isYamlFloat(plain, 0, false) || (plain !== s && !exponentStartsWithDigit(s))) return undefined;
  const f = Number(plain);
  if (!Number.isFinite(f)) return undefined;
  resolved.kind = KIND_FLOAT;
  return f;
}

/** Go's underscoreOK for a decimal number: each underscore sits between two digits. */
function underscoresBetweenDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== 0x5f) continue;
    if (!isDigit(s.charCodeAt(i - 1)) || !isDigit(s.charCodeAt(i + 1))) return false;
  }
  return true;
}

/** Go's ParseFloat wants a digit (not an underscore) right after the exponent's 'e' and sign. */
function exponentStartsWithDigit(s: string): boolean {
  let e = s.search(/[eE]/);
  if (e < 0) return true;
  e++;
  if (s[e] === '+' || s[e] === '-') e++;
  return isDigit(s.charCodeAt(e));
}

/** go-yaml's int/uint/float attempts for a scalar starting with a digit or a sign. */
function number(s: string): number | undefined {
  const plain = s.indexOf('_') >= 0 ? s.replaceAll('_', '') : s;
  const n = goInteger(plain);
  if (n !== undefined) return n;
  if (isYamlFloat(plain, 0, true)) {
    const f = Number(plain);
    if (Number.isFinite(f)) {
      resolved.kind = KIND_FLOAT;
      return f;
    }
  }
  // go-yaml's last try: "0b" then ParseInt(rest, 2), which takes a sign there ("0b-101" is -5).
  if (plain.length > 3 && plain.charCodeAt(0) === 0x30 && plain.charCodeAt(1) === 0x62 /* b */)
    return signedBinary(plain);
  return undefined;
}

/** strconv.ParseInt(s[2:], 2, 64) (then ParseUint) for "0b" followed by a signed binary number. */
function signedBinary(plain: string): number | undefined {
  const sign = plain.charCodeAt(2);
  if (sign !== 0x2b && sign !== 0x2d) return undefined;
  let big = 0n;
  for (let i = 3; i < plain.length; i++) {
    const c = plain.charCodeAt(i);
    if (c !== 0x30 && c !== 0x31) return undefined;
    big = big * 2n + BigInt(c - 0x30);
  }
  if (sign === 0x2d) {
    if (big > TWO_63) return undefined;
    big = -big;
  } else if (big >= TWO_63) {
    return undefined; // ParseUint takes no sign
  }
  resolved.kind = KIND_INT;
  resolved.decimal = big.toString();
  return Number(big);
}

const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;

/**
 * Go's strconv.ParseInt(s, 0, 64), falling back to ParseUint(s, 0, 64) for unsigned text past the
 * int64 range. Sets resolved.kind and resolved.decimal.
 */
function goInteger(s: string): number | undefined {
  const length = s.length;
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first === 0x2b || first === 0x2d) {
    negative = first === 0x2d;
    i = 1;
  }
  if (i >= length) return undefined;
  let base = 10;
  if (s.charCodeAt(i) === 0x30) {
    const prefix = length - i >= 3 ? s.charCodeAt(i + 1) | 0x20 : 0;
    if (prefix === 0x62 /* b */) base = 2;
    else if (prefix === 0x6f /* o */) base = 8;
    else if (prefix === 0x78 /* x */) base = 16;
    if (base !== 10) i += 2;
    else {
      base = 8;
      i += 1;
    }
  }
  const digitsStart = i;
  let value = 0;
  let big: bigint | null = null;
  for (; i < length; i++) {
    const digit = digitValue(s.charCodeAt(i));
    if (digit >= base) return undefined;
    if (big !== null) big = big * BigInt(base) + BigInt(digit);
    else if ((value = value * base + digit) > Number.MAX_SAFE_INTEGER) big = exactValue(s, digitsStart, i + 1, base);
  }
  if (big === null) {
    resolved.kind = KIND_INT;
    if (negative && value !== 0) value = -value;
    resolved.decimal = '';
    return value;
  }
  if (negative) {
    if (big > TWO_63) return undefined;
    big = -big;
  } else if (big >= TWO_63) {
    if (first === 0x2b || big >= TWO_64) return undefined;
    resolved.kind = KIND_UINT;
    resolved.decimal = big.toString();
    return Number(big);
  }
  resolved.kind = KIND_INT;
  resolved.decimal = big.toString();
  return Number(big);
}

function exactValue(s: string, from: number, to: number, base: number): bigint {
  let big = 0n;
  const b = BigInt(base);
  for (let k = from; k < to; k++) big = big * b + BigInt(digitValue(s.charCodeAt(k)));
  return big;
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return 99;
}

/**
 * go-yaml's yamlStyleFloat, ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$, or with
 * signed=false the shape Go's ParseFloat accepts for text starting with '.'.
 */
function isYamlFloat(s: string, i: number, signed: boolean): boolean {
  const length = s.length;
  if (signed && i < length && (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d)) i++;
  const intStart = i;
  while (i < length && isDigit(s.charCodeAt(i))) i++;
  const intDigits = i - intStart;
  if (i < length && s.charCodeAt(i) === 0x2e) {
    i++;
    const fracStart = i;
    while (i < length && isDigit(s.charCodeAt(i))) i++;
    if (intDigits === 0 && i === fracStart) return false;
  } else if (intDigits === 0) {
    return false;
  }
  if (i < length && (s.charCodeAt(i) | 0x20) === 0x65) {
    i++;
    if (i < length && (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d)) i++;
    const expStart = i;
    while (i < length && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) return false;
  }
  return i === length;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function shortTag(tag: string): string {
  return tag.startsWith(TAG_PREFIX) ? '!!' + tag.slice(TAG_PREFIX.length) : tag;
}

function isResolvable(tag: string): boolean {
  return (
    tag === STR_TAG ||
    tag === BOOL_TAG ||
    tag === INT_TAG ||
    tag === FLOAT_TAG ||
    tag === NULL_TAG ||
    tag === TIMESTAMP_TAG
  );
}

/**
 * The value go-yaml's decoder gives a scalar in an interface{}: `tag` is the resolved tag ('' for
 * none), `implicit` the event's plain_implicit. `offset` is where a failure points.
 */
export function decodeScalar(value: string, tag: string, implicit: boolean, offset: number): unknown {
  if (tag === '') {
    if (implicit) return resolvePlain(value);
    resolved.kind = KIND_STRING;
    return value;
  }
  resolved.kind = KIND_STRING;
  if (tag === BINARY_TAG) return decodeBinary(value, offset);
  if (tag === STR_TAG || !isResolvable(tag)) return value;
  return resolveTagged(value, tag, offset);
}

/** resolve(tag, s) for !!bool, !!int, !!float, !!null and !!timestamp, with go-yaml's check. */
function resolveTagged(s: string, tag: string, offset: number): unknown {
  let rtag = STR_TAG;
  let out: unknown = s;
  const hint = s.length === 0 ? HINT_MAP : s.charCodeAt(0) < 128 ? HINT[s.charCodeAt(0)]! : 0;
  if (hint !== 0) {
    const word = special(s);
    if (word !== NOT_SPECIAL) {
      out = word;
      rtag = word === null ? NULL_TAG : typeof word === 'boolean' ? BOOL_TAG : FLOAT_TAG;
    } else if (hint === HINT_DOT) {
      const f = dotFloat(s);
      if (f !== undefined) [out, rtag] = [f, FLOAT_TAG];
    } else if (hint === HINT_SIGN || hint === HINT_DIGIT) {
      if (tag === TIMESTAMP_TAG && parseTimestamp(s)) {
        rtag = TIMESTAMP_TAG;
      } else {
        const n = number(s);
        if (n !== undefined) [out, rtag] = [n, resolved.kind === KIND_FLOAT ? FLOAT_TAG : INT_TAG];
      }
    }
  }
  if (rtag === tag) {
    resolved.kind = kindOfTag(rtag);
    return out;
  }
  if (tag === FLOAT_TAG && rtag === INT_TAG && resolved.kind === KIND_INT) {
    resolved.kind = KIND_FLOAT;
    return out;
  }
  throw new YamlFailure('decode', `cannot decode ${shortTag(rtag)} \`${s}\` as a ${shortTag(tag)}`, offset);
}

function kindOfTag(tag: string): number {
  if (tag === NULL_TAG) return KIND_NULL;
  if (tag === BOOL_TAG) return KIND_BOOL;
  if (tag === FLOAT_TAG) return KIND_FLOAT;
  if (tag === INT_TAG) return resolved.kind;
  return KIND_STRING;
}

const BASE64_VALUE = buildBase64();

function buildBase64(): Int8Array {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

/**
 * !!binary: Go's base64.StdEncoding (padding required, CR and LF ignored), then the bytes as the
 * JSON encoder writes a Go string: invalid UTF-8 becomes U+FFFD, one per bad byte.
 */
function decodeBinary(s: string, offset: number): string {
  const bytes: number[] = [];
  let quantum = 0;
  let count = 0;
  let padding = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) continue;
    if (padding > 0) {
      if (c !== 0x3d || count + padding !== 3) return badBinary(offset);
      padding++;
      continue;
    }
    if (c === 0x3d) {
      if (count < 2) return badBinary(offset);
      padding = 1;
      continue;
    }
    const v = c < 128 ? BASE64_VALUE[c]! : -1;
    if (v < 0) return badBinary(offset);
    quantum = (quantum << 6) | v;
    if (++count === 4) {
      bytes.push((quantum >> 16) & 0xff, (quantum >> 8) & 0xff, quantum & 0xff);
      quantum = 0;
      count = 0;
    }
  }
  if (padding > 0) {
    if (count + padding !== 4) return badBinary(offset);
    if (count === 2) bytes.push((quantum >> 4) & 0xff);
    else bytes.push((quantum >> 10) & 0xff, (quantum >> 2) & 0xff);
  } else if (count !== 0) {
    return badBinary(offset);
  }
  return goBytesToString(bytes);
}

function badBinary(offset: number): never {
  throw new YamlFailure('decode', '!!binary value contains invalid base64 data', offset);
}

/** Bytes to a string the way Go's encoding/json writes them: each byte of invalid UTF-8 -> U+FFFD. */
export function goBytesToString(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    const size = utf8Size(bytes, i);
    if (size === 0) {
      out += '\ufffd';
      i++;
      continue;
    }
    let cp = b0 & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07);
    for (let k = 1; k < size; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
    out += String.fromCodePoint(cp);
    i += size;
  }
  return out;
}

/** Length of the valid UTF-8 sequence at i (Go's utf8.DecodeRune acceptance), or 0. */
function utf8Size(bytes: readonly number[], i: number): number {
  const b0 = bytes[i]!;
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + size > bytes.length) return 0;
  const b1 = bytes[i + 1]!;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < size; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return size;
}

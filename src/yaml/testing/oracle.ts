/**
 * The differential oracle: scripts/yaml-oracle (the real sigs.k8s.io/yaml + go-yaml v2.4, built
 * with Go). Development and CI-with-Go only; the corpus test carries its answers as data.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParsedYaml } from '../index.js';

/** One answer: the JSON YAMLToJSON produced, or its error text. */
export type OracleAnswer = { readonly ok: unknown } | { readonly error: string };

const DEFAULT_BINARY = fileURLToPath(new URL('../../../scripts/yaml-oracle/yaml-oracle', import.meta.url));

/** The oracle binary: $YAML_ORACLE, or scripts/yaml-oracle/yaml-oracle once built; undefined if neither exists. */
export function oracleBinary(): string | undefined {
  const path = process.env.YAML_ORACLE ?? DEFAULT_BINARY;
  return existsSync(path) ? path : undefined;
}

/** Runs the oracle on many texts at once (one process). */
export function askOracle(binary: string, texts: readonly string[]): OracleAnswer[] {
  const parts: Buffer[] = [];
  for (const text of texts) {
    const bytes = wtf8(text);
    parts.push(Buffer.from(`${bytes.length}\n`), bytes);
  }
  const run = spawnSync(binary, ['-framed'], { input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`yaml-oracle failed: ${run.stderr.toString()}`);
  const lines = run.stdout.toString('utf8').split('\n');
  lines.pop();
  if (lines.length !== texts.length) throw new Error(`yaml-oracle answered ${lines.length} of ${texts.length}`);
  return lines.map((line) => JSON.parse(line) as OracleAnswer);
}

/**
 * UTF-8, except that a lone surrogate is written as its own 3-byte sequence (WTF-8), which is what
 * parseYaml takes it to stand for (go-yaml then reports "invalid Unicode character").
 */
export function wtf8(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Buffer.from(bytes);
}

/** The answer parseYaml gives, in the oracle's terms. */
export function answerOf(parsed: ParsedYaml): OracleAnswer {
  if (parsed.error !== undefined) return { error: parsed.error.goError ?? parsed.error.message };
  return { ok: parsed.value === undefined ? null : parsed.value };
}

/** Why two answers differ, or undefined if they agree (object key order aside). */
export function difference(ours: OracleAnswer, theirs: OracleAnswer): string | undefined {
  if ('error' in theirs) {
    if (!('error' in ours)) return `accepted, but the oracle refuses: ${theirs.error}`;
    if (ours.error === theirs.error) return undefined;
    // Go iterates maps in random order: with several keys JSON cannot hold, any one may be named.
    if (ours.error.startsWith('Unsupported map key') && theirs.error.startsWith('Unsupported map key'))
      return undefined;
    return `error ${JSON.stringify(ours.error)}, the oracle says ${JSON.stringify(theirs.error)}`;
  }
  if ('error' in ours) return `refused (${ours.error}), the oracle accepts ${JSON.stringify(theirs.ok)}`;
  return sameJson(ours.ok, theirs.ok)
    ? undefined
    : `value ${JSON.stringify(ours.ok)}, the oracle says ${JSON.stringify(theirs.ok)}`;
}

/** JSON equality, object key order aside; iterative, for values nested thousands deep. */
export function sameJson(a: unknown, b: unknown): boolean {
  const work: [unknown, unknown][] = [[a, b]];
  while (work.length > 0) {
    const [x, y] = work.pop()!;
    if (typeof x === 'number' && typeof y === 'number') {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
      if (x !== y) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const list = y as unknown[];
      if (x.length !== list.length) return false;
      x.forEach((item, i) => work.push([item, list[i]]));
      continue;
    }
    const xs = x as Record<string, unknown>;
    const ys = y as Record<string, unknown>;
    const keys = Object.keys(xs);
    if (keys.length !== Object.keys(ys).length) return false;
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(ys, k)) return false;
      work.push([xs[k], ys[k]]);
    }
  }
  return true;
}

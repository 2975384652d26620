/**
 * go-yaml's reader, for a text that is already a JS string.
 *
 * go-yaml decodes its UTF-8 input in raw chunks of 512 bytes and rejects, when it decodes a chunk,
 * any character outside YAML's printable set ("control characters are not allowed") and any
 * surrogate code point ("invalid Unicode character"). A JS string has no invalid UTF-8 left, but it
 * can hold control characters and lone surrogates (which stand for the surrogate code points a
 * WTF-8 byte stream would carry), so both checks apply. The caller decides how bytes became the
 * string; decoding files with `new TextDecoder('utf-8', { fatal: true })` keeps go-yaml's refusal of
 * invalid UTF-8 (go-yaml: "invalid leading UTF-8 octet" and friends).
 *
 * Because go-yaml checks a whole chunk before the scanner reads any of it, a bad character is
 * reported as soon as the scanner needs the chunk that holds it, even if a syntax error comes
 * earlier in that chunk. checkInput works out where that chunk starts: the scanner may read freely
 * up to `limit` and reports the reader's problem when it needs more.
 */

import { BOM } from './chars.js';

export interface ReaderProblem {
  readonly message: string;
  /** UTF-16 index of the offending character. */
  readonly offset: number;
}

export interface InputCheck {
  /** The scanner may read text[start, limit); reaching `limit` before `end` means `problem`. */
  readonly limit: number;
  readonly problem: ReaderProblem | null;
  /** Whether text[start, limit) holds characters outside the BMP (then columns need counting). */
  readonly astral: boolean;
}

const RAW_CHUNK_BYTES = 512;

/**
 * Characters go-yaml's reader may reject, plus both halves of surrogate pairs (which are fine when
 * paired). A native regexp search is several times faster than a JS loop over the text.
 */
const SUSPECT = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd]/g;

export function checkInput(text: string, start: number, end: number): InputCheck {
  let astral = false;
  const range = start === 0 && end === text.length ? text : text.slice(start, end);
  SUSPECT.lastIndex = 0;
  for (let m = SUSPECT.exec(range); m !== null; m = SUSPECT.exec(range)) {
    const i = m.index;
    const c = range.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < range.length) {
      const next = range.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        astral = true;
        SUSPECT.lastIndex = i + 2;
        continue;
      }
    }
    const message = c >= 0xd800 && c <= 0xdfff ? 'invalid Unicode character' : 'control characters are not allowed';
    return failAt(text, start, start + i, message, astral);
  }
  return { limit: end, problem: null, astral };
}

function failAt(text: string, start: number, bad: number, message: string, astral: boolean): InputCheck {
  return { limit: chunkStartBefore(text, start, bad), problem: { message, offset: bad }, astral };
}

/**
 * The UTF-16 index of the first character of the raw chunk in which go-yaml decodes text[bad].
 * Raw chunk k holds the 512 bytes from where chunk k-1 stopped decoding: a character whose bytes
 * straddle the end of a chunk is left over and starts the next one.
 */
function chunkStartBefore(text: string, start: number, bad: number): number {
  let chunkStartByte = 0;
  let chunkStartIndex = start;
  let byte = 0;
  for (let i = start; i <= bad;) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < bad && isLow(text.charCodeAt(i + 1));
    const width = pair ? 4 : utf8Width(c);
    if (byte + width > chunkStartByte + RAW_CHUNK_BYTES) {
      chunkStartByte = byte;
      chunkStartIndex = i;
    }
    byte += width;
    i += pair ? 2 : 1;
  }
  return chunkStartIndex;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Bytes of one UTF-16 code unit in UTF-8 (a lone surrogate as WTF-8: 3 bytes). */
function utf8Width(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  return 3;
}

/** Where the scanner starts: after a byte order mark, which go-yaml's reader consumes. */
export function skipByteOrderMark(text: string, start: number, end: number): number {
  return start < end && text.charCodeAt(start) === BOM ? start + 1 : start;
}

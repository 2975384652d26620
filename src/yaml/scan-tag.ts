/**
 * The small tokens: anchors (&a), aliases (*a), tags (!x, !!x, !<uri>) and the %YAML and %TAG
 * directives, with go-yaml v2's character sets and error texts.
 */

import { ASCII_CLASS, C_URI, SPACE, TAB, hexValue, isAlpha, isBlankOrBreakOrEnd, isBreak, isHex } from './chars.js';
import type { Scanner } from './scanner.js';
import { TAG, TAG_DIRECTIVE, VERSION_DIRECTIVE } from './tokens.js';

const BANG = 0x21;
const PERCENT = 0x25;

/** Characters that may follow an anchor or alias name besides blanks and breaks. */
function endsAnchorName(c: number): boolean {
  return (
    isBlankOrBreakOrEnd(c) ||
    c === 0x3f /* ? */ ||
    c === 0x3a /* : */ ||
    c === 0x2c /* , */ ||
    c === 0x5d /* ] */ ||
    c === 0x7d /* } */ ||
    c === PERCENT ||
    c === 0x40 /* @ */ ||
    c === 0x60 /* ` */
  );
}

export function scanAnchor(sc: Scanner, type: number): void {
  const start = sc.pos;
  let pos = start + 1;
  let c = sc.charAt(pos);
  while (isAlpha(c)) c = sc.charAt(++pos);
  sc.pos = pos;
  if (pos === start + 1 || !endsAnchorName(c)) sc.fail('did not find expected alphabetic or numeric character');
  sc.pushToken(type, start, pos, sc.column(start), sc.slice(start + 1, pos), null, 0);
}

export function scanTag(sc: Scanner): void {
  const start = sc.pos;
  let handle: string;
  let suffix: string;
  if (sc.charAt(start + 1) === 0x3c /* < */) {
    sc.pos = start + 2;
    handle = '';
    suffix = scanTagUri(sc, null);
    if (sc.charAt(sc.pos) !== 0x3e /* > */) sc.fail("did not find the expected '>'");
    sc.pos++;
  } else {
    handle = scanTagHandle(sc, false);
    if (handle.length > 1 && handle.charCodeAt(handle.length - 1) === BANG) {
      suffix = scanTagUri(sc, null);
    } else {
      // "!foo" is the primary handle "!" with the suffix "foo"; "!" alone is the non-specific tag.
      suffix = scanTagUri(sc, handle);
      handle = '!';
      if (suffix === '') {
        handle = '';
        suffix = '!';
      }
    }
  }
  if (!isBlankOrBreakOrEnd(sc.charAt(sc.pos))) sc.fail('did not find expected whitespace or line break');
  sc.pushToken(TAG, start, sc.pos, sc.column(start), handle, suffix, 0);
}

/** '!', '!!' or '!name!' (a directive's handle must be one of these; a tag's may stop after the name). */
function scanTagHandle(sc: Scanner, directive: boolean): string {
  const start = sc.pos;
  if (sc.charAt(start) !== BANG) sc.fail("did not find expected '!'");
  let pos = start + 1;
  let c = sc.charAt(pos);
  while (isAlpha(c)) c = sc.charAt(++pos);
  if (c === BANG) {
    pos++;
  } else if (directive && pos !== start + 1) {
    sc.pos = pos;
    sc.fail("did not find expected '!'");
  }
  sc.pos = pos;
  return sc.text.slice(start, pos);
}

/**
 * A tag URI: URI characters and %-escaped UTF-8 octets. `head` is a handle already read that
 * belongs to the URI (its '!' dropped); with a head, an empty URI is no error.
 */
function scanTagUri(sc: Scanner, head: string | null): string {
  let bytes: number[] | null = null;
  let uri = head !== null && head.length > 1 ? head.slice(1) : '';
  let found = head !== null && head.length > 0;
  let c = sc.charAt(sc.pos);
  while ((c < 128 && (ASCII_CLASS[c]! & C_URI) !== 0) || c === PERCENT) {
    if (c === PERCENT) {
      bytes ??= [];
      uri += decodeEscapes(sc, bytes);
    } else {
      uri += String.fromCharCode(c);
      sc.pos++;
    }
    found = true;
    c = sc.charAt(sc.pos);
  }
  if (!found) sc.fail('did not find expected tag URI');
  return uri;
}

/** One UTF-8 character written as %XX escapes (go-yaml checks the octets' shape, not the value). */
function decodeEscapes(sc: Scanner, bytes: number[]): string {
  bytes.length = 0;
  let width = 0;
  do {
    const pos = sc.pos;
    const h1 = sc.charAt(pos + 1);
    const h2 = sc.charAt(pos + 2);
    if (sc.charAt(pos) !== PERCENT || !isHex(h1) || !isHex(h2)) sc.fail('did not find URI escaped octet');
    const octet = hexValue(h1) * 16 + hexValue(h2);
    if (bytes.length === 0) {
      width = utf8SequenceLength(octet);
      if (width === 0) sc.fail('found an incorrect leading UTF-8 octet');
    } else if ((octet & 0xc0) !== 0x80) {
      sc.fail('found an incorrect trailing UTF-8 octet');
    }
    bytes.push(octet);
    sc.pos = pos + 3;
  } while (bytes.length < width);
  return Buffer.from(bytes).toString('utf8');
}

function utf8SequenceLength(octet: number): number {
  if ((octet & 0x80) === 0) return 1;
  if ((octet & 0xe0) === 0xc0) return 2;
  if ((octet & 0xf0) === 0xe0) return 3;
  if ((octet & 0xf8) === 0xf0) return 4;
  return 0;
}

export function scanDirective(sc: Scanner): void {
  const start = sc.pos;
  sc.pos++;
  const nameStart = sc.pos;
  let c = sc.charAt(sc.pos);
  while (isAlpha(c)) c = sc.charAt(++sc.pos);
  if (sc.pos === nameStart) sc.fail('could not find expected directive name');
  if (!isBlankOrBreakOrEnd(c)) sc.fail('found unexpected non-alphabetical character');
  const name = sc.text.slice(nameStart, sc.pos);

  if (name === 'YAML') {
    skipBlanks(sc);
    const major = versionNumber(sc);
    if (sc.charAt(sc.pos) !== 0x2e /* . */) sc.fail("did not find expected digit or '.' character");
    sc.pos++;
    const minor = versionNumber(sc);
    sc.pushToken(VERSION_DIRECTIVE, start, sc.pos, 0, null, null, major * 1000 + minor);
  } else if (name === 'TAG') {
    skipBlanks(sc);
    const handle = scanTagHandle(sc, true);
    c = sc.charAt(sc.pos);
    if (c !== SPACE && c !== TAB) sc.fail('did not find expected whitespace');
    skipBlanks(sc);
    const prefix = scanTagUri(sc, null);
    if (!isBlankOrBreakOrEnd(sc.charAt(sc.pos))) sc.fail('did not find expected whitespace or line break');
    sc.pushToken(TAG_DIRECTIVE, start, sc.pos, 0, handle, prefix, 0);
  } else {
    sc.fail('found unknown directive name');
  }

  skipBlanks(sc);
  c = sc.charAt(sc.pos);
  if (c === 0x23 /* # */) while (c !== 0 && !isBreak(c)) c = sc.charAt(++sc.pos);
  if (c !== 0 && !isBreak(c)) sc.fail('did not find expected comment or line break');
  if (c !== 0) sc.consumeBreak();
}

function skipBlanks(sc: Scanner): void {
  let c = sc.charAt(sc.pos);
  while (c === SPACE || c === TAB) c = sc.charAt(++sc.pos);
}

function versionNumber(sc: Scanner): number {
  let value = 0;
  let length = 0;
  let c = sc.charAt(sc.pos);
  while (c >= 0x30 && c <= 0x39) {
    if (++length > 2) sc.fail('found extremely long version number');
    value = value * 10 + (c - 0x30);
    c = sc.charAt(++sc.pos);
  }
  if (length === 0) sc.fail('did not find expected version number');
  return value;
}

/**
 * go-yaml v2's parseTimestamp: whether Go's time.Parse accepts the text in one of the layouts
 * go-yaml tries. Only an explicit !!timestamp tag needs this (decoding into interface{} keeps a
 * timestamp's text either way, and an untagged timestamp can never be a number).
 *
 * Layouts: "2006-1-2T15:4:5.999999999Z07:00", the same with a lower-case t,
 * "2006-1-2 15:4:5.999999999" and "2006-1-2".
 */

export function parseTimestamp(s: string): boolean {
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i !== 4 || s.charCodeAt(4) !== 0x2d /* - */) return false;
  return matches(s, 'T', true) || matches(s, 't', true) || matches(s, ' ', false) || matchesDate(s) === s.length;
}

/** Parses "2006-1-2" at the start; returns the index after it, or -1. */
function matchesDate(s: string): number {
  const year = Number(s.slice(0, 4));
  let i = 5;
  const month = number12(s, i);
  if (month === null) return -1;
  i = month.next;
  if (s.charCodeAt(i) !== 0x2d) return -1;
  const day = number12(s, i + 1);
  if (day === null) return -1;
  if (month.value < 1 || month.value > 12) return -1;
  if (day.value < 1 || day.value > daysIn(month.value, year)) return -1;
  return day.next;
}

function matches(s: string, separator: string, zone: boolean): boolean {
  let i = matchesDate(s);
  if (i < 0 || s[i] !== separator) return false;
  const hour = number12(s, i + 1);
  if (hour === null || hour.value > 23 || s[hour.next] !== ':') return false;
  const minute = number12(s, hour.next + 1);
  if (minute === null || minute.value > 59 || s[minute.next] !== ':') return false;
  const second = number12(s, minute.next + 1);
  if (second === null || second.value > 59) return false;
  i = second.next;
  // Optional fractional seconds: a period or comma and at least one digit.
  if ((s[i] === '.' || s[i] === ',') && isDigit(s.charCodeAt(i + 1))) {
    i += 2;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  if (!zone) return i === s.length;
  if (s[i] === 'Z') return i + 1 === s.length;
  // ±hh:mm
  if (s.length - i !== 6 || (s[i] !== '+' && s[i] !== '-') || s[i + 3] !== ':') return false;
  for (const k of [1, 2, 4, 5]) if (!isDigit(s.charCodeAt(i + k))) return false;
  return Number(s.slice(i + 1, i + 3)) <= 24 && Number(s.slice(i + 4, i + 6)) <= 60;
}

/** Go's getnum(s, false): one digit, or two if the second is a digit. */
function number12(s: string, i: number): { value: number; next: number } | null {
  if (!isDigit(s.charCodeAt(i))) return null;
  if (!isDigit(s.charCodeAt(i + 1))) return { value: s.charCodeAt(i) - 0x30, next: i + 1 };
  return { value: (s.charCodeAt(i) - 0x30) * 10 + s.charCodeAt(i + 1) - 0x30, next: i + 2 };
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

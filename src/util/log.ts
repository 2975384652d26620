import { type Location, formatLocation } from './location.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One thing a long-running process has to say: what, how bad, where in the inputs if anywhere, and details. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  /** The file and line a problem is at. */
  readonly location?: Location;
  /** Details a program may want (counts, durations), written as they are in JSON and as key=value in text. */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * One line per entry. Text: `2025-01-31T12:00:00.000Z warn  <prefix>: file:line: message key=value`.
 * JSON: `{"time", "level", "msg", ...context, "file", "line", ...fields}`, one object per line, as log
 * collectors take them.
 */
export function formatLogEntry(
  entry: LogEntry,
  format: LogFormat,
  context: { readonly prefix: string; readonly fields?: Readonly<Record<string, string>> },
  now: Date = new Date(),
): string {
  const time = now.toISOString();
  if (format === 'json') {
    const location =
      entry.location === undefined
        ? {}
        : { file: entry.location.file, ...(entry.location.line > 0 ? { line: entry.location.line } : {}) };
    const line = { time, level: entry.level, msg: entry.msg, ...context.fields, ...location, ...entry.fields };
    return `${JSON.stringify(line)}\n`;
  }
  const where = entry.location === undefined ? '' : `${formatLocation(entry.location)}: `;
  const details = Object.entries(entry.fields ?? {})
    .map(([key, value]) => ` ${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : value}`)
    .join('');
  return `${time} ${entry.level.padEnd(5)} ${context.prefix}: ${where}${entry.msg}${details}\n`;
}

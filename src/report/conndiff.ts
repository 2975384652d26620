import type { ConnDiff } from '../engine/conndiff.js';

export const DIFF_FORMATS = ['txt', 'csv', 'md', 'json'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

const text = (conns: ConnDiff['before']): string => conns?.toString() ?? 'No Connections';
const csvCell = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function formatConnDiff(diffs: readonly ConnDiff[], format: DiffFormat): string {
  switch (format) {
    case 'txt':
      return diffs
        .map(
          (d) =>
            `diff-type: ${d.type}, source: ${d.src}, destination: ${d.dst}, ` +
            `ref1: ${text(d.before)}, ref2: ${text(d.after)}\n`,
        )
        .join('');
    case 'csv':
      return (
        [
          'diff-type,source,destination,ref1,ref2',
          ...diffs.map((d) => [d.type, d.src, d.dst, text(d.before), text(d.after)].map(csvCell).join(',')),
        ].join('\n') + '\n'
      );
    case 'md':
      return (
        [
          '| diff-type | source | destination | ref1 | ref2 |',
          '|-----------|--------|-------------|------|------|',
          ...diffs.map((d) => `| ${d.type} | ${d.src} | ${d.dst} | ${text(d.before)} | ${text(d.after)} |`),
        ].join('\n') + '\n'
      );
    case 'json':
      return `${JSON.stringify(
        diffs.map((d) => ({ diffType: d.type, src: d.src, dst: d.dst, ref1: text(d.before), ref2: text(d.after) })),
        null,
        2,
      )}\n`;
  }
}

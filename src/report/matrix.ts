import type { Protocol } from '../algebra/connset.js';
import { type InputWarning, warningToJSON } from '../pipeline/input-warnings.js';
import { type TruthTable, formatTruthTable } from '../engine/truthtable.js';

export const MATRIX_FORMATS = ['txt', 'json'] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];

/** The truth table as the upstream e2e tests print it, or as JSON: every flow but the diagonal's, row by row. */
export function formatMatrix(
  table: TruthTable,
  flow: { protocol: Protocol; port: number | string },
  format: MatrixFormat,
  warnings: readonly InputWarning[] = [],
): string {
  if (format === 'txt') return formatTruthTable(table);
  const flows = table.sources.flatMap((src, i) =>
    table.destinations.flatMap((dst, j) => {
      const allowed = table.cells[i]![j];
      return allowed === undefined ? [] : [{ src, dst, allowed }];
    }),
  );
  const { sources, destinations } = table;
  const report = { protocol: flow.protocol, port: flow.port, sources, destinations, flows };
  return `${JSON.stringify({ ...report, warnings: warnings.map(warningToJSON) }, null, 2)}\n`;
}

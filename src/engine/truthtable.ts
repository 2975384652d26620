import { plural } from '../util/plural.js';

/**
 * The truth table of the upstream e2e tests: a header `-` and the
 * destinations, then one line per source; tab-separated cells, `.` allowed,
 * `X` denied, `#` on the diagonal.
 */
export interface TruthTable {
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  /** `cells[i][j]`: from sources[i] to destinations[j]; undefined on the diagonal. */
  readonly cells: readonly (readonly (boolean | undefined)[])[];
}

export function formatTruthTable(table: TruthTable): string {
  const lines = [['-', ...table.destinations].join('\t')];
  table.sources.forEach((source, i) => {
    const cells = table.cells[i]!.map((cell) => (cell === undefined ? '#' : cell ? '.' : 'X'));
    lines.push([source, ...cells].join('\t'));
  });
  return `${lines.join('\n')}\n`;
}

export function parseTruthTable(text: string): TruthTable {
  const rows = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
  const [header, ...body] = rows;
  if (header === undefined || header[0] !== '-') throw new Error('a truth table starts with a header line "-"');
  const destinations = header.slice(1);
  const cells = body.map((row, i) => {
    if (row.length !== destinations.length + 1)
      throw new Error(`row ${i + 1} has ${plural(row.length - 1, 'cell')}, expected ${destinations.length}`);
    return row.slice(1).map((cell) => {
      if (cell === '#') return undefined;
      if (cell === '.' || cell === 'X') return cell === '.';
      throw new Error(`unknown cell ${JSON.stringify(cell)} in row ${i + 1}`);
    });
  });
  return { sources: body.map((row) => row[0]!), destinations, cells };
}

/** The rows and columns of the endpoints kept, in the table's order. */
export function restrictTruthTable(table: TruthTable, keep: (id: string) => boolean): TruthTable {
  const rows = table.sources.flatMap((s, i) => (keep(s) ? [i] : []));
  const columns = table.destinations.flatMap((d, j) => (keep(d) ? [j] : []));
  return {
    sources: rows.map((i) => table.sources[i]!),
    destinations: columns.map((j) => table.destinations[j]!),
    cells: rows.map((i) => columns.map((j) => table.cells[i]![j])),
  };
}

/** The cells where two tables over the same pods disagree, diagonal excluded. */
export function compareTruthTables(expected: TruthTable, actual: TruthTable): string[] {
  const differences: string[] = [];
  expected.sources.forEach((source, i) => {
    const row = actual.sources.indexOf(source);
    expected.destinations.forEach((destination, j) => {
      const want = expected.cells[i]![j];
      const column = actual.destinations.indexOf(destination);
      const got = row < 0 || column < 0 ? 'missing' : actual.cells[row]![column];
      if (want !== undefined && got !== want) {
        differences.push(
          `${source} -> ${destination}: expected ${want ? 'allowed' : 'denied'}, ` +
            `got ${got === 'missing' ? 'no cell' : got ? 'allowed' : 'denied'}`,
        );
      }
    });
  });
  return differences;
}

import type { ConnLine } from '../engine/connlist.js';
import { plural } from '../util/plural.js';

export const LIST_FORMATS = ['txt', 'csv', 'json', 'md', 'dot', 'html'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export function formatConnList(lines: readonly ConnLine[], format: ListFormat): string {
  switch (format) {
    case 'txt':
      return lines.map((l) => `${l.src} => ${l.dst} : ${l.conns.toString()}\n`).join('');
    case 'csv':
      return (
        ['src,dst,conn', ...lines.map((l) => [l.src, l.dst, l.conns.toString()].map(csvCell).join(','))].join('\n') +
        '\n'
      );
    case 'json':
      return `${JSON.stringify(
        lines.map((l) => ({ src: l.src, dst: l.dst, conn: l.conns.toString() })),
        null,
        2,
      )}\n`;
    case 'md':
      return (
        [
          '| src | dst | conn |',
          '|-----|-----|------|',
          ...lines.map((l) => `| ${l.src} | ${l.dst} | ${l.conns.toString()} |`),
        ].join('\n') + '\n'
      );
    case 'dot':
      return formatDot(lines);
    case 'html':
      return formatHtml(lines);
  }
}

const csvCell = (text: string): string => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const dotId = (text: string): string => JSON.stringify(text);
const namespaceOf = (peer: string): string | undefined =>
  peer.endsWith('[External]') ? undefined : peer.split('/')[0];

/** Graphviz: one cluster per namespace, external ranges outside them in red. */
function formatDot(lines: readonly ConnLine[]): string {
  const peers = [...new Set(lines.flatMap((l) => [l.src, l.dst]))].sort();
  const byNamespace = new Map<string, string[]>();
  const external: string[] = [];
  for (const peer of peers) {
    const ns = namespaceOf(peer);
    if (ns === undefined) external.push(peer);
    else if (byNamespace.has(ns)) byNamespace.get(ns)!.push(peer);
    else byNamespace.set(ns, [peer]);
  }
  const out = [
    'digraph {',
    '\tcompound=true',
    '\tnode [shape=box fontname="Helvetica"]',
    '\tedge [fontname="Helvetica" fontsize=10]',
  ];
  for (const [ns, members] of byNamespace) {
    out.push(`\tsubgraph ${dotId(`cluster_${ns}`)} {`, `\t\tlabel=${dotId(ns)}`);
    for (const m of members) out.push(`\t\t${dotId(m)} [label=${dotId(m.slice(ns.length + 1))}]`);
    out.push('\t}');
  }
  for (const e of external) out.push(`\t${dotId(e)} [label=${dotId(e)} color="red2" fontcolor="red2"]`);
  for (const l of lines) out.push(`\t${dotId(l.src)} -> ${dotId(l.dst)} [label=${dotId(l.conns.toString())}]`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LEGEND = 'Rows are sources, columns destinations; an empty cell means no connection is allowed.';

/** One self-contained page: the matrix of sources by destinations, each cell the allowed connections. */
function formatHtml(lines: readonly ConnLine[]): string {
  const sources = [...new Set(lines.map((l) => l.src))].sort();
  const destinations = [...new Set(lines.map((l) => l.dst))].sort();
  const cell = new Map(lines.map((l) => [`${l.src}\u0000${l.dst}`, l.conns.toString()]));
  const headings = destinations.map((d) => `<th>${escapeHtml(d)}</th>`).join('');
  const header = `<tr><th>source \\ destination</th>${headings}</tr>`;
  const rows = sources.map((s) => {
    const cells = destinations.map((d) => {
      const conns = cell.get(`${s}\u0000${d}`);
      if (conns === undefined) return '<td class="none"></td>';
      return `<td class="${conns === 'All Connections' ? 'all' : 'some'}">${escapeHtml(conns)}</td>`;
    });
    return `<tr><th>${escapeHtml(s)}</th>${cells.join('')}</tr>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>netpol connectivity</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f4f4f4; writing-mode: vertical-rl; transform: rotate(180deg); }
tbody th { background: #f4f4f4; white-space: nowrap; }
td.all { background: #c8e6c9; }
td.some { background: #fff3c4; }
td.none { background: #fafafa; }
</style>
</head>
<body>
<h1>Connectivity</h1>
<p>${plural(lines.length, 'allowed pair')}. ${LEGEND}</p>
<table>
<thead>${header}</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

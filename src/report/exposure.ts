import type { WorkloadExposure } from '../engine/exposure.js';

export const EXPOSURE_FORMATS = ['txt', 'json'] as const;
export type ExposureFormat = (typeof EXPOSURE_FORMATS)[number];

export function formatExposure(report: readonly WorkloadExposure[], format: ExposureFormat): string {
  if (format === 'json') {
    return `${JSON.stringify(
      report.map((w) => ({
        workload: w.workload,
        ingressIsolated: w.ingressIsolated,
        egressIsolated: w.egressIsolated,
        fromEverything: w.fromEverything.toString(),
        fromOutside: w.fromOutside.toString(),
        fromAnyNamespace: w.fromAnyNamespace.toString(),
        toOutside: w.toOutside.toString(),
        toAnyNamespace: w.toAnyNamespace.toString(),
      })),
      null,
      2,
    )}\n`;
  }
  const section = (title: string, rows: string[]): string =>
    `${title}:\n${rows.length ? rows.map((r) => `  ${r}\n`).join('') : '  (none)\n'}`;
  const rows = (pick: (w: WorkloadExposure) => WorkloadExposure['fromOutside'], arrow: string, what: string) =>
    report.filter((w) => !pick(w).isEmpty()).map((w) => `${w.workload} ${arrow} ${what} : ${pick(w)}`);
  return [
    section(
      'Workloads no policy isolates for ingress',
      report.filter((w) => !w.ingressIsolated).map((w) => w.workload),
    ),
    section(
      'Workloads no policy isolates for egress',
      report.filter((w) => !w.egressIsolated).map((w) => w.workload),
    ),
    section('Ingress exposure', [
      ...rows((w) => w.fromEverything, '<=', 'everything (outside the cluster and any namespace)'),
      ...rows((w) => w.fromOutside, '<=', 'outside the cluster'),
      ...rows((w) => w.fromAnyNamespace, '<=', 'any namespace'),
    ]),
    section('Egress exposure', [
      ...rows((w) => w.toOutside, '=>', 'outside the cluster'),
      ...rows((w) => w.toAnyNamespace, '=>', 'any namespace'),
    ]),
  ].join('\n');
}

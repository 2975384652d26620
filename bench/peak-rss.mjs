// Preloaded into a measured process: writes its peak resident set size, in MiB, where NETPOL_RSS_REPORT says.
import { writeFileSync } from 'node:fs';

const report = process.env.NETPOL_RSS_REPORT;
if (report) process.on('exit', () => writeFileSync(report, String(process.resourceUsage().maxRSS / 1024)));

import { readFileSync } from 'node:fs';

/** /proc reports CPU time in USER_HZ ticks, 100 a second on every Linux architecture. */
const TICKS_PER_SECOND = 100;

/** The CPU time (user and system) a running process has used so far, in ms, from /proc/PID/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: the fields are counted after its closing parenthesis,
  // where utime and stime are the 12th and 13th (fields 14 and 15 of proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

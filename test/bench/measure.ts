// Runs one command and measures its wall time and peak resident memory the same way for
// every tool, so breachscope and its peers are compared on equal terms.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type RssMethod = 'gnu-time' | 'proc-vmhwm';

export interface Measurement {
  readonly command: readonly string[];
  readonly wallSeconds: number;
  /** Peak RSS of the process (GNU time reports the largest of it and its waited-for children). */
  readonly peakRssBytes: number | undefined;
  readonly rssMethod: RssMethod;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** CPU seconds (user + system) the tool itself used, when GNU time is there to say. */
  readonly cpuSeconds: number | undefined;
  /**
   * CPU seconds the rest of the machine used while the tool ran (busy time from /proc/stat
   * minus the tool's own): other work competing for the cores inflates the wall time.
   */
  readonly otherCpuSeconds: number | undefined;
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds: number;
  /** stdout and stderr go to `<outPrefix>.stdout` / `.stderr`: files, not pipes, so a
   *  tool that prints a lot is not slowed down by this script reading it. */
  readonly outPrefix: string;
}

const GNU_TIME = '/usr/bin/time';

let gnuTimeCache: boolean | undefined;
/** Debian's `time` package; busybox or the shell keyword lack `-f %M` and `-o`. */
export function hasGnuTime(): boolean {
  if (gnuTimeCache === undefined) {
    const probe = existsSync(GNU_TIME) ? spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' }) : undefined;
    gnuTimeCache = probe !== undefined && probe.status === 0 && `${probe.stdout}${probe.stderr}`.includes('GNU');
  }
  return gnuTimeCache;
}

/** Absolute path of `name` on PATH, or undefined when it is not installed. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function readVmHwmBytes(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined; // already exited
  }
}

let clockTicks: number | undefined;
/** USER_HZ, the unit of /proc/stat; 100 on every common Linux, asked once to be sure. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    clockTicks = r.status === 0 && Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** Busy CPU seconds of the whole machine since boot (all cores; idle and iowait excluded). */
function machineBusySeconds(): number | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
  } catch {
    return undefined; // not Linux
  }
}

/** GNU time's -o file ends with our format line ("%M %U %S"); "Command exited ..." notes may come before it. */
function parseGnuTimeFile(path: string): { readonly rssBytes: number; readonly cpuSeconds: number } | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { rssBytes: Number(m[1]) * 1024, cpuSeconds: Number(m[2]) + Number(m[3]) };
}

export async function measure(command: readonly string[], options: MeasureOptions): Promise<Measurement> {
  const [program, ...args] = command;
  if (program === undefined) throw new Error('measure: empty command');
  const stdoutPath = `${options.outPrefix}.stdout`;
  const stderrPath = `${options.outPrefix}.stderr`;
  const timePath = `${options.outPrefix}.time`;
  rmSync(timePath, { force: true });
  const rssMethod: RssMethod = hasGnuTime() ? 'gnu-time' : 'proc-vmhwm';
  const argv = rssMethod === 'gnu-time' ? [GNU_TIME, '-f', '%M %U %S', '-o', timePath, program, ...args] : [program, ...args];

  const stdoutFd = openSync(stdoutPath, 'w');
  const stderrFd = openSync(stderrPath, 'w');
  try {
    const busyBefore = machineBusySeconds();
    const started = performance.now();
    // Own process group, so a time-out can end the tool together with GNU time around it.
    const child = spawn(argv[0] ?? program, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', stdoutFd, stderrFd],
      detached: true,
    });
    let polledRss: number | undefined;
    const poll =
      rssMethod === 'proc-vmhwm'
        ? setInterval(() => {
            const pid = child.pid;
            const v = pid === undefined ? undefined : readVmHwmBytes(pid);
            if (v !== undefined) polledRss = Math.max(polledRss ?? 0, v);
          }, 20)
        : undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, options.timeoutSeconds * 1000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const busyAfter = machineBusySeconds();
    clearTimeout(timer);
    if (poll !== undefined) clearInterval(poll);
    const timed = rssMethod === 'gnu-time' ? parseGnuTimeFile(timePath) : undefined;
    const peakRssBytes = rssMethod === 'gnu-time' ? timed?.rssBytes : polledRss;
    const cpuSeconds = timed?.cpuSeconds;
    const otherCpuSeconds = busyBefore === undefined || busyAfter === undefined || cpuSeconds === undefined ? undefined : Math.max(0, busyAfter - busyBefore - cpuSeconds);
    return { command, wallSeconds, peakRssBytes, rssMethod, exitCode, timedOut, stdoutPath, stderrPath, cpuSeconds, otherCpuSeconds };
  } finally {
    closeSync(stdoutFd);
    closeSync(stderrFd);
  }
}

/** The last `maxChars` of a captured stream, for error reports. */
export function tail(path: string, maxChars = 2000): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  return text.length <= maxChars ? text : `...${text.slice(-maxChars)}`;
}

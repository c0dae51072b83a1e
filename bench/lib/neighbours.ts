/**
 * CPU used on the machine by anything but this benchmark: other people's tests and builds share
 * these 2 cores, and a run they disturb measures them, not Portico. "Ours" is this process and
 * its descendants (servers, load generators; children that ended count through their parent's
 * cutime/cstime) and the PostgreSQL server's processes.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS = 100;

/** Busy CPU seconds of the whole machine since boot (user, nice, system, irq, softirq). */
function machineBusySeconds(): number {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
  return (user + nice + system + irq + softirq) / TICKS;
}

interface Proc {
  pid: number;
  ppid: number;
  name: string;
  /** utime + stime + cutime + cstime, in seconds. */
  cpu: number;
}

function processes(): Proc[] {
  const list: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
      list.push({ pid: Number(entry), ppid: Number(f[1]), name, cpu });
    } catch {
      // gone while we looked
    }
  }
  return list;
}

/** CPU seconds of this process, its descendants and the PostgreSQL server. */
function ownCpuSeconds(): number {
  const all = processes();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let total = 0;
  const stack = all.filter((p) => p.pid === process.pid);
  while (stack.length > 0) {
    const p = stack.pop() as Proc;
    total += p.cpu;
    stack.push(...(children.get(p.pid) ?? []));
  }
  for (const p of all) if (p.name === "postgres") total += p.cpu;
  return total;
}

/** Starts measuring; `stop()` gives the other processes' CPU, in cores on average over the time. */
export function meterNeighbours(): { stop(): number } {
  const started = performance.now();
  const machine = machineBusySeconds();
  const own = ownCpuSeconds();
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const foreign = machineBusySeconds() - machine - (ownCpuSeconds() - own);
      return seconds > 0 ? Math.max(0, foreign / seconds) : 0;
    },
  };
}

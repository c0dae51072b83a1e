/**
 * bcrypt runs on libuv's thread pool. During a burst of sign-ups those threads keep both cores
 * busy, and each time a request wakes the event loop it waits for a core behind them: `/me`
 * takes tens of milliseconds although it needs a fraction of one. Giving the pool threads a
 * higher nice value (lower priority) than the event loop lets the scheduler run the event loop
 * first, while hashing still gets every cycle the event loop leaves. Linux only; elsewhere, and
 * when the threads cannot be told apart, nothing changes.
 */

import { readdirSync, readFileSync } from "node:fs";
import { access } from "node:fs/promises";
import { setPriority } from "node:os";

export interface ThreadPriorityResult {
  /** Thread ids whose nice value was set. */
  threads: number[];
  /** How the pool threads were found: by name (libuv ≥ 1.50 names them), or every thread but the event loop's. */
  found: "by-name" | "all-but-main" | "unsupported";
}

const TASKS = "/proc/self/task";

function threadName(tid: string): string {
  try {
    return readFileSync(`${TASKS}/${tid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * Sets the nice value of libuv's pool threads (the event loop's thread keeps its own). Node 22+
 * names them "libuv-worker"; Node 20's libuv does not, so there every thread but the event
 * loop's is lowered (V8's helper threads too: the event loop still comes first).
 */
export async function lowerPoolThreadPriority(nice: number): Promise<ThreadPriorityResult> {
  if (process.platform !== "linux" || nice <= 0) return { threads: [], found: "unsupported" };
  // The pool starts on first use, with all its threads at once: make sure it exists.
  await access(process.execPath);
  let tids: string[];
  try {
    tids = readdirSync(TASKS).filter((tid) => Number(tid) !== process.pid);
  } catch {
    return { threads: [], found: "unsupported" };
  }
  const named = tids.filter((tid) => threadName(tid) === "libuv-worker");
  const chosen = named.length > 0 ? named : tids;
  const threads: number[] = [];
  for (const tid of chosen) {
    try {
      // On Linux a thread is a task with its own id, and setpriority(2) on that id sets its nice value only.
      setPriority(Number(tid), nice);
      threads.push(Number(tid));
    } catch {
      // Gone meanwhile, or not ours to change.
    }
  }
  return { threads, found: threads.length === 0 ? "unsupported" : named.length > 0 ? "by-name" : "all-but-main" };
}

/** The nice value of one of this process's threads (field 19 of /proc/self/task/<tid>/stat). */
export function threadNice(tid: number): number {
  const stat = readFileSync(`${TASKS}/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

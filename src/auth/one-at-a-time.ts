/**
 * Runs jobs that share a key one after another, and jobs with different keys freely. Sign-up
 * uses it per normalised e-mail: a double-clicked "Create account" (or eight tabs) hashes the
 * password once, and the requests after the first find the account made and answer 409 without
 * bcrypt work. Only within one process: across instances the unique index still decides.
 */
export interface OneAtATime {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Keys with a job running or waiting (for tests). */
  size(): number;
}

export function oneAtATime(): OneAtATime {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run(key, job) {
      const before = tails.get(key);
      const mine = (before ?? Promise.resolve()).catch(() => {}).then(job);
      const tail = mine.catch(() => {});
      tails.set(key, tail);
      try {
        return await mine;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
    size: () => tails.size,
  };
}

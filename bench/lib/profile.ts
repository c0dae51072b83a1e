/** How long and how often each measurement runs: the full run (~22 min) or a smoke run (--quick, ~5 min). */
export interface Profile {
  name: "full" | "quick";
  /** Each measured number is the median of this many runs. */
  repeats: number;
  limit12: Phase;
  limit4: Phase;
  register12c8: Phase;
  register12c32: Phase;
  login12: Phase;
  duplicates12: Phase;
  burst: Phase;
  register4: Phase;
  me: Phase;
  growth: Phase;
  /** Users stored before each growth measurement. */
  growthSizes: number[];
  /** Users stored for login and duplicate runs. */
  seededUsers: number;
}

export interface Phase {
  warmupS: number;
  durationS: number;
}

export const FULL: Profile = {
  name: "full",
  repeats: 3,
  limit12: { warmupS: 1, durationS: 8 },
  limit4: { warmupS: 1, durationS: 3 },
  register12c8: { warmupS: 3, durationS: 20 },
  register12c32: { warmupS: 5, durationS: 20 },
  login12: { warmupS: 5, durationS: 15 },
  duplicates12: { warmupS: 2, durationS: 5 },
  burst: { warmupS: 5, durationS: 10 },
  register4: { warmupS: 2, durationS: 8 },
  me: { warmupS: 2, durationS: 5 },
  growth: { warmupS: 2, durationS: 5 },
  growthSizes: [0, 100_000, 1_000_000],
  seededUsers: 1_000,
};

export const QUICK: Profile = {
  name: "quick",
  repeats: 1,
  limit12: { warmupS: 1, durationS: 3 },
  limit4: { warmupS: 0.5, durationS: 2 },
  register12c8: { warmupS: 2, durationS: 4 },
  register12c32: { warmupS: 4, durationS: 4 },
  login12: { warmupS: 4, durationS: 4 },
  duplicates12: { warmupS: 1, durationS: 2 },
  burst: { warmupS: 4, durationS: 4 },
  register4: { warmupS: 1, durationS: 3 },
  me: { warmupS: 1, durationS: 2 },
  growth: { warmupS: 1, durationS: 2 },
  growthSizes: [0, 10_000, 50_000],
  seededUsers: 200,
};

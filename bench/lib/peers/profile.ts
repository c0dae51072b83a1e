/** How long each step of `npm run bench:peers` runs: the full run, or a smoke run (--quick). */
import type { Phase } from "../profile.js";

export interface PeersProfile {
  name: "full" | "quick";
  reps: number;
  limit: Phase;
  register12: Phase;
  login12: Phase;
  burst: Phase;
  cheap: Phase;
  /**
   * At cost 12 the warm-up lasts 1.5 queue cycles (connections ÷ the bcrypt limit) so that only
   * steady state is measured, but never more than this: each step stays bounded in time.
   */
  maxWarmupS: number;
  /** A rep that other processes disturbed is measured again this many times at most. */
  retries: number;
}

export const PEERS_FULL: PeersProfile = {
  name: "full",
  reps: 3,
  limit: { warmupS: 1, durationS: 5 },
  register12: { warmupS: 2, durationS: 6 },
  login12: { warmupS: 2, durationS: 6 },
  burst: { warmupS: 2, durationS: 6 },
  cheap: { warmupS: 1, durationS: 6 },
  maxWarmupS: 6,
  retries: 2,
};

export const PEERS_QUICK: PeersProfile = {
  name: "quick",
  reps: 1,
  limit: { warmupS: 0.5, durationS: 2 },
  register12: { warmupS: 1, durationS: 2 },
  login12: { warmupS: 1, durationS: 2 },
  burst: { warmupS: 1, durationS: 2 },
  cheap: { warmupS: 0.5, durationS: 2 },
  maxWarmupS: 3,
  retries: 0,
};

// A small seeded generator for the fuzz tests: the same seed gives the same inputs, so a failure
// names its seed and iteration and can be replayed. (mulberry32: 32-bit state, uniform in [0, 1).)
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

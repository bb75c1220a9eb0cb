/** Medians and timed loads shared by the benchmarks (interleaved rounds, medians). */

/** The median of the rounds: a noisy neighbour in one round moves it little. */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Runs `work` on `writers` concurrent loops for `seconds`; how many were done, and the rate. */
export async function forDuration(writers: number, seconds: number, work: (writer: number) => Promise<void>) {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (Date.now() < until) {
        await work(w);
        done += 1;
      }
    }),
  );
  return { done, rate: done / (Number(process.hrtime.bigint() - started) / 1e9) };
}

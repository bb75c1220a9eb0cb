/**
 * Where a realtime tail comes from, per process: how late its event loop ran (a busy or starved
 * process delays every message it handles) and how long garbage collection paused it. Read by the
 * realtime benchmark for the server under test and for the process holding the clients.
 */
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';

export interface ProbeReport {
  /** Event-loop delay p50 / p99 / max, ms. */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  /** Garbage collection: pauses, their total and the longest (ms), major (mark-compact) ones. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  gcMajor: number;
}

/** Starts measuring; `stop()` ends it and reports. */
export function startProbe(): { stop(): ProbeReport } {
  const resolution = 1;
  const loop = monitorEventLoopDelay({ resolution });
  loop.enable();
  let gcCount = 0;
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  let gcMajor = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount++;
      gcTotalMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcMajor++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      loop.disable();
      gc.disconnect();
      // The histogram holds whole timer intervals: the delay is what exceeds the resolution.
      const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - resolution) * 10) / 10);
      return {
        loopP50: ms(loop.percentile(50)),
        loopP99: ms(loop.percentile(99)),
        loopMax: ms(loop.max),
        gcCount,
        gcTotalMs: Math.round(gcTotalMs),
        gcMaxMs: Math.round(gcMaxMs * 10) / 10,
        gcMajor,
      };
    },
  };
}

export const describeProbe = (p: ProbeReport): string =>
  `event-loop delay p50/p99/max ${p.loopP50}/${p.loopP99}/${p.loopMax} ms; ` +
  `GC ${p.gcCount} pauses (${p.gcMajor} major), ${p.gcTotalMs} ms in all, longest ${p.gcMaxMs} ms`;

/**
 * What a purchase costs the machine, for the purchase bench: the CPU of the platform (this
 * process, all its threads), of the clients' process and of the database server (MariaDB on this
 * machine), per unit of work, for purchases, previews (the same request, nothing written) and the
 * raw earn; and the server's rows, commits and fsyncs per unit. On two cores shared by all of
 * them, the sum is what sets the rate, so the bench prints what the 0.25× target leaves the
 * platform once the server and the clients are paid.
 */
import { availableParallelism } from 'node:os';
import {
  add,
  difference,
  perUnit,
  serverCounters,
  serverCpuReader,
  type ServerCounters,
  type Snapshot,
} from './server-work';
import { median } from './stats';

/** The work the bench measures. */
export type Work = 'purchase' | 'preview' | 'raw';

/** Medians per unit, in ms of CPU; `server` is null where no server process was read. */
export interface Cost {
  here: number;
  clients: number;
  server: number | null;
  all: number;
}

interface Samples {
  here: number[];
  clients: number[];
  server: number[];
}

/** Records what each run cost; see the module's comment. */
export class CostMeter {
  private readonly samples = new Map<string, Samples>();
  /** The server's counters moved while each kind of work ran, summed over its runs. */
  private readonly work = new Map<Work, { moved: Snapshot; units: number }>();

  private constructor(
    private readonly serverCpu: (() => number) | null,
    private readonly counters: ServerCounters | null,
  ) {}

  /** A meter for SQLite (this process only) or for the MySQL-family server at `mysqlUrl`. */
  static async open(mysqlUrl: string | null): Promise<CostMeter> {
    if (!mysqlUrl) return new CostMeter(null, null);
    return new CostMeter(serverCpuReader(mysqlUrl), await serverCounters(mysqlUrl));
  }

  /**
   * Runs `run` and records its CPU per unit done under `work` at `clients`; `cpuMs` in its answer
   * is the clients' own CPU when they run elsewhere. With `serverWork`, the server's counters too.
   */
  async measure<R extends { done: number; cpuMs?: number }>(
    work: Work,
    clients: number,
    run: () => Promise<R>,
    serverWork = false,
  ): Promise<R> {
    const counters = serverWork ? this.counters : null;
    const before = counters ? await counters.snapshot() : null;
    const cpu = process.cpuUsage();
    const server = this.serverCpu?.();
    const r = await run();
    const used = process.cpuUsage(cpu);
    const s = this.samplesOf(work, clients);
    s.here.push((used.user + used.system) / 1000 / r.done);
    s.clients.push((r.cpuMs ?? 0) / r.done);
    if (this.serverCpu && server !== undefined) s.server.push((this.serverCpu() - server) / r.done);
    if (counters && before) {
      const moved = difference(before, await counters.snapshot());
      const sum = this.work.get(work);
      if (sum) {
        sum.moved = add(sum.moved, moved);
        sum.units += r.done;
      } else this.work.set(work, { moved, units: r.done });
    }
    return r;
  }

  /** Medians per unit of `work` at `clients` (all client counts when omitted). */
  cost(work: Work, clients?: number): Cost {
    const all = [...this.samples.entries()].filter(([k]) =>
      clients === undefined ? k.startsWith(`${work}@`) : k === `${work}@${clients}`,
    );
    const pick = (f: keyof Samples) => all.flatMap(([, s]) => s[f]);
    const here = median(pick('here'));
    const clientsCpu = median(pick('clients'));
    const server = pick('server').length ? median(pick('server')) : null;
    return { here, clients: clientsCpu, server, all: here + clientsCpu + (server ?? 0) };
  }

  /** The server's rows, commits and fsyncs per unit of `work`, where they were counted. */
  serverWork(work: Work): string | null {
    const w = this.work.get(work);
    return w && w.units ? perUnit(w.moved, w.units) : null;
  }

  async close(): Promise<void> {
    await this.counters?.close();
  }

  private samplesOf(work: Work, clients: number): Samples {
    const key = `${work}@${clients}`;
    let s = this.samples.get(key);
    if (!s) this.samples.set(key, (s = { here: [], clients: [], server: [] }));
    return s;
  }
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

/**
 * The CPU arithmetic behind the purchase target, as printable lines: on C cores work that costs
 * T ms of CPU in all (every process on the machine) cannot pass C / T per second, so 0.25× of the
 * raw rate leaves C / (0.25 × raw rate) ms per purchase for everything, the server and the
 * clients included.
 */
export function cpuBudget(
  meter: CostMeter,
  at: { clients: number; rawRate: number; purchaseRate: number; previewRate: number },
  serverUnread: boolean,
): string[] {
  const cores = availableParallelism();
  const purchase = meter.cost('purchase', at.clients);
  const preview = meter.cost('preview', at.clients);
  const raw = meter.cost('raw', at.clients);
  const allowed = (cores * 1000) / (0.25 * at.rawRate);
  const forPlatform = allowed - purchase.clients - (purchase.server ?? 0);
  const split = (c: Cost) =>
    `${ms(c.here)} here${c.clients ? `, ${ms(c.clients)} clients` : ''}${c.server === null ? '' : `, ${ms(c.server)} server`}`;
  const lines = [
    `\nCPU budget at ${at.clients} clients on ${cores} cores${serverUnread ? ' (the database server is not a process of this machine: its CPU is not counted)' : ''}:`,
    `- a purchase costs ${ms(purchase.all)} of CPU in all (${split(purchase)}); the cores alone would cap purchases at ${((cores * 1000) / purchase.all).toFixed(0)}/s (measured ${at.purchaseRate.toFixed(0)}/s)`,
    `- the same order through previewPurchase (one gateway hop, the rules evaluated, nothing written) ${ms(preview.all)} (${split(preview)}), at ${at.previewRate.toFixed(0)}/s: ${(at.previewRate / at.rawRate).toFixed(3)}× raw`,
    `- a raw earn ${ms(raw.all)} (${split(raw)})`,
    `- 0.25× of the raw ${at.rawRate.toFixed(0)}/s allows ${ms(allowed)} per purchase for everything: ${
      forPlatform > 0
        ? `${ms(forPlatform)} for the platform once ${purchase.server === null ? '' : "the server's and "}the clients' share is paid (it spends ${ms(purchase.here)})`
        : 'less than the server and the clients already take'
    }`,
  ];
  for (const work of ['purchase', 'preview', 'raw'] as const) {
    const w = meter.serverWork(work);
    if (w) lines.push(`- the server's work per ${work === 'raw' ? 'raw earn' : work}: ${w}`);
  }
  return lines;
}

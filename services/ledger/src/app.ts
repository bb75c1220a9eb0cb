import { requireDuration, type ServiceApp, type ServiceRuntime, Topics } from '@loyalty/platform';
import { MemberDirectory } from './accounts/member-directory';
import { ExpirySweeper } from './expiry/sweeper';
import { LedgerQueries } from './ledger/ledger.queries';
import { createLedger, type Ledger } from './ledger/ledger';
import { durationMs } from '@loyalty/platform';

/** The ledger's rules and background jobs, wired to its runtime. */
export interface LedgerApp extends ServiceApp {
  ledger: Ledger;
  queries: LedgerQueries;
  directory: MemberDirectory;
  sweeper: ExpirySweeper;
}

export async function createApp(runtime: ServiceRuntime): Promise<LedgerApp> {
  const { env } = runtime.config;
  const directory = new MemberDirectory(runtime.transactor, runtime.client('members'));
  const ledger = createLedger(runtime.transactor, directory, {
    pointsValidity: env.POINTS_VALIDITY,
  });
  const sweeper = new ExpirySweeper(
    runtime.transactor,
    ledger.holds,
    runtime.logger.child({ job: 'expiry' }),
    {
      clock: ledger.clock,
      intervalMs: durationMs(requireDuration(env.EXPIRY_SWEEP_INTERVAL)),
      leads: env.EXPIRY_WARNING_LEADS.split(',')
        .map((text) => text.trim())
        .map((text) => ({ text, duration: requireDuration(text) })),
    },
  );
  // Members the ledger may credit: learned from registrations (and on demand, see MemberDirectory).
  await runtime.consume({
    group: 'ledger.member-registered',
    topics: [Topics.memberRegistered],
    handle: async (event, { manager }) => {
      const memberId = String((event.payload as { memberId?: unknown }).memberId ?? '');
      if (memberId) await MemberDirectory.remember(manager, memberId);
    },
  });
  return {
    ledger,
    queries: new LedgerQueries(runtime.transactor),
    directory,
    sweeper,
    start: () => sweeper.start(),
    stop: () => sweeper.stop(),
  };
}

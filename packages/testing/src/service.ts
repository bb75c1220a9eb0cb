import {
  startService,
  type BaseContext,
  type PlatformConfig,
  type RunningService,
  type ServiceApp,
  type ServiceDefinition,
} from '@loyalty/platform';

type Hook = (fn: () => Promise<void>, timeout?: number) => void;

/**
 * One subgraph on a free port for a jest suite: started in `beforeAll`, stopped in `afterAll`
 * (so a suite holds no set-up of its own to get wrong). Returns the running service; calling it
 * before `beforeAll` ran is a mistake in the suite and throws.
 */
export function useService<App extends ServiceApp, Ctx extends BaseContext>(
  def: ServiceDefinition<App, Ctx>,
  config: PlatformConfig,
): () => RunningService<App> {
  const g = globalThis as { beforeAll?: Hook; afterAll?: Hook };
  if (typeof g.beforeAll !== 'function' || typeof g.afterAll !== 'function')
    throw new Error('useService runs inside a jest suite');
  let running: RunningService<App> | undefined;
  g.beforeAll(async () => {
    running = await startService(def, { config, port: 0 });
  });
  g.afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error(`${def.name} starts in beforeAll`);
    return running;
  };
}

/**
 * Plain SQL on a suite's running service's own database, for assertions on rows, indexes and
 * plans that the service's API does not show; `mysql()` says which dialect the suite runs on.
 */
export function serviceSql(running: () => RunningService<unknown>): {
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  mysql(): boolean;
} {
  return {
    query: <R>(sql: string, params: unknown[] = []) =>
      running().runtime.db.dataSource.query(sql, params) as Promise<R[]>,
    mysql: () => running().runtime.db.kind === 'mysql',
  };
}

import {
  createLogger,
  openDatabase,
  type DataSourceSpec,
  type Database,
  type PlatformConfig,
  type ServiceName,
} from '@loyalty/platform';

/**
 * A database of `config` (a SQLite file, or a MySQL database, removed with the config's other
 * databases) with tables built from a test's own entities instead of migrations: for tests of
 * the platform's machinery (transactions, outbox, reads) without a service around it. The caller
 * destroys its data source after its tests.
 */
export function openTestDatabase(
  config: PlatformConfig,
  entities: DataSourceSpec['entities'],
  service: ServiceName = 'members',
): Promise<Database> {
  return openDatabase({
    target: config.database(service),
    entities,
    migrations: [],
    synchronize: true,
    logger: createLogger('test', 'silent'),
  });
}

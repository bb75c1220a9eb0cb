import type { Logger as TypeOrmLogger, QueryRunner } from 'typeorm';
import type { Logger } from 'pino';
import { requestScope, trackRequestScope } from '../http/request-scope';

const TRANSACTION_CONTROL =
  /^(BEGIN|START TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET TRANSACTION|PRAGMA)/i;

/**
 * A TypeORM logger that counts the SQL statements a data source runs on behalf of HTTP requests
 * (transaction control and background jobs excluded), so tests can prove that queries per
 * request do not grow with list sizes. Requests are told apart from background work only once a
 * counter has been reset ({@link trackRequestScope}): until then {@link total} stays 0.
 */
export class QueryCounter implements TypeOrmLogger {
  private count = 0;
  private trips = 0;
  readonly statements: string[] = [];
  recording = false;

  constructor(private readonly logger: Logger) {}

  /** Statements run since the last reset. */
  get total(): number {
    return this.count;
  }

  /**
   * Every statement sent since the last reset, in any scope, transaction control included: the
   * round trips a piece of work costs the database (tests of hot paths, benchmarks).
   */
  get roundTrips(): number {
    return this.trips;
  }

  reset(record = false): void {
    trackRequestScope();
    this.count = 0;
    this.trips = 0;
    this.statements.length = 0;
    this.recording = record;
  }

  logQuery(query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    this.trips += 1;
    this.logStatement(query);
  }

  /** A statement sent with others in one round trip (`MysqlPipeline`): counted, no trip. */
  logStatement(query: string): void {
    if (!requestScope.getStore() || TRANSACTION_CONTROL.test(query.trim())) return;
    this.count += 1;
    if (this.recording) this.statements.push(query);
  }

  /** A round trip carrying statements already counted by {@link logStatement}. */
  logTrip(): void {
    this.trips += 1;
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ err: error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn({ message }, 'typeorm');
    else this.logger.debug({ message }, 'typeorm');
  }
}

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';

/**
 * The label an operation is counted under: its first root field, which validation has checked
 * against the schema (so the values are bounded by the schema), or `other`. The client's own
 * `operationName` is free text: labelling by it let anyone create a series per request.
 */
export function operationLabel(operation: OperationDefinitionNode | undefined | null): string {
  const first = operation?.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : 'other';
}

/** Prometheus metrics of one server (a registry each, since several run in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  readonly operationSeconds: Histogram<'type'>;
  /**
   * Events each durable consumer took: `handled` (its transaction committed), `skipped` (its
   * `relevant` read said there was nothing to do: no transaction, no inbox row), `duplicate`
   * (handled before), `failed` (left for redelivery).
   */
  readonly events: Counter<'consumer' | 'outcome'>;

  constructor(service: string, processMetrics: boolean) {
    this.registry.setDefaultLabels({ service });
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [this.registry],
    });
    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by first root field (see operationLabel), type and outcome',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.events = new Counter({
      name: 'events_consumed_total',
      help: 'Events taken by each durable consumer, by outcome (handled, skipped, duplicate, failed)',
      labelNames: ['consumer', 'outcome'],
      registers: [this.registry],
    });
    this.operationSeconds = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operation duration',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  /** Apollo plugin counting operations and timing them. */
  plugin(): ApolloServerPlugin {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        return {
          async willSendResponse(ctx) {
            const type = ctx.operation?.operation ?? 'unknown';
            const outcome = ctx.errors?.length ? 'error' : 'ok';
            metrics.operations.inc({ operation: operationLabel(ctx.operation), type, outcome });
            metrics.operationSeconds.observe({ type }, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    };
  }
}

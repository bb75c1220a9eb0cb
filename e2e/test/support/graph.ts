import { startGraph, type GraphOptions, type RunningGraph } from '@loyalty/launcher';
import type { PlatformConfig } from '@loyalty/platform';
import { graphqlRequest, testConfig, tokensFor, type GraphQLResult } from '@loyalty/testing';

/** What a whole-graph test file works with. */
export interface GraphUnderTest {
  config: PlatformConfig;
  tokens: ReturnType<typeof tokensFor>;
  /** The running graph (started in `beforeAll`). */
  graph(): RunningGraph;
  /** One GraphQL request to the gateway. */
  gql: GatewayRequest;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers by path
export type GatewayRequest = <T = Record<string, any>>(
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
) => Promise<GraphQLResult<T>>;

/**
 * The whole graph — gateway and every subgraph on free ports, on the file's own throwaway
 * databases — started before the file's tests (then `ready` runs, e.g. to attach listeners) and
 * stopped after them.
 */
export function useGraph(
  config: PlatformConfig = testConfig(),
  ready?: (graph: RunningGraph) => Promise<void> | void,
  /** Runs before the graph stops (jest runs afterAll hooks in declaration order): close clients. */
  beforeStop?: () => Promise<void> | void,
  /**
   * Where the gateway and subgraphs run (worker threads; default all on the test's thread), and
   * how they reach each other (local links unless `localLinks: false`).
   */
  placement: Pick<GraphOptions, 'gatewayThread' | 'threadServices' | 'serviceThreads' | 'localLinks'> = {},
): GraphUnderTest {
  let running: RunningGraph | undefined;
  beforeAll(async () => {
    running = await startGraph({ config, ephemeralPorts: true, ...placement });
    await ready?.(running);
  });
  afterAll(async () => {
    await beforeStop?.();
    await running?.stop();
  });
  const graph = () => {
    if (!running) throw new Error('the graph starts in beforeAll');
    return running;
  };
  return {
    config,
    tokens: tokensFor(config),
    graph,
    gql: (query, variables, token) => graphqlRequest(graph().url, query, variables, token),
  };
}

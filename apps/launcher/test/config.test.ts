import { loadLauncherConfig, placementOf } from '../src/config';

describe('the launcher settings', () => {
  it('places the gateway alone in its thread and the ledger with referrals in another by default', () => {
    expect(placementOf(loadLauncherConfig({}))).toEqual({
      gatewayThread: true,
      threadServices: [],
      serviceThreads: [['ledger', 'referrals']],
      localLinks: true,
    });
  });

  it('reads one thread per comma-separated group, + joining subgraphs that share one', () => {
    const config = loadLauncherConfig({
      SERVICE_THREADS: ' ledger , campaigns+catalog ',
      GATEWAY_THREAD_SERVICES: 'referrals',
    });
    expect(placementOf(config)).toEqual({
      gatewayThread: true,
      threadServices: ['referrals'],
      serviceThreads: [['ledger'], ['campaigns', 'catalog']],
      localLinks: true,
    });
    expect(loadLauncherConfig({ SERVICE_THREADS: '' }).SERVICE_THREADS).toEqual([]);
  });

  it('runs everything on one thread with GATEWAY_THREAD=false', () => {
    expect(placementOf(loadLauncherConfig({ GATEWAY_THREAD: 'false' })).serviceThreads).toEqual([]);
  });

  it('reaches subgraphs over HTTP inside the process with LOCAL_LINKS=false', () => {
    expect(placementOf(loadLauncherConfig({ LOCAL_LINKS: 'false' })).localLinks).toBe(false);
    expect(() => loadLauncherConfig({ LOCAL_LINKS: 'no' })).toThrow(/LOCAL_LINKS/);
  });

  it('refuses unknown subgraphs and a subgraph in two threads', () => {
    expect(() => loadLauncherConfig({ SERVICE_THREADS: 'ledgr' })).toThrow(/SERVICE_THREADS/);
    expect(() => loadLauncherConfig({ SERVICE_THREADS: 'ledger,ledger+members' })).toThrow(
      /a subgraph can run in one thread only/,
    );
  });
});

import { MessageChannel } from 'node:worker_threads';
import { LocalLinks, PeerDirectory, type LocalRequest } from '../src';

const ASK: LocalRequest = { headers: { authorization: 'Bearer t' }, body: '{"query":"{ a }"}' };

/** Two threads' links joined by real ports: `here` reaches `name` served by `there`. */
function joined(name: 'ledger' | 'members') {
  const here = new LocalLinks();
  const there = new LocalLinks();
  const { port1, port2 } = new MessageChannel();
  there.accept(name, port2);
  here.connect(name, port1);
  return { here, there };
}

describe('LocalLinks', () => {
  const open: LocalLinks[] = [];
  afterEach(() => {
    for (const links of open.splice(0)) links.close();
  });

  it('hands a request to the subgraph served on this thread, until it stops', async () => {
    const links = new LocalLinks();
    open.push(links);
    const seen: LocalRequest[] = [];
    const stop = links.serve('ledger', async (request) => {
      seen.push(request);
      return { status: 200, body: '{"data":{"a":1}}' };
    });
    await expect(links.handler('ledger')!(ASK)).resolves.toEqual({ status: 200, body: '{"data":{"a":1}}' });
    expect(seen).toEqual([ASK]);
    expect(links.handler('members')).toBeUndefined();
    stop();
    expect(links.handler('ledger')).toBeUndefined();
  });

  it("a restarted subgraph's handler is not removed by the old one's stop", async () => {
    const links = new LocalLinks();
    open.push(links);
    const stopOld = links.serve('ledger', async () => ({ status: 200, body: 'old' }));
    links.serve('ledger', async () => ({ status: 200, body: 'new' }));
    stopOld();
    await expect(links.handler('ledger')!(ASK)).resolves.toEqual({ status: 200, body: 'new' });
  });

  it("reaches another thread's subgraph over a port; answers many calls in any order", async () => {
    const { here, there } = joined('ledger');
    open.push(here, there);
    there.serve('ledger', async (request) => {
      const n = Number(JSON.parse(request.body).n);
      // Later calls answer first: replies are matched to calls by id, not by order.
      await new Promise((resolve) => setImmediate(resolve));
      if (n % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
      return { status: 200, body: `${n}:${request.headers.authorization}` };
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        here.handler('ledger')!({ headers: { authorization: `Bearer ${n}` }, body: JSON.stringify({ n }) }),
      ),
    );
    expect(answers).toEqual(
      Array.from({ length: 20 }, (_, n) => ({ status: 200, body: `${n}:Bearer ${n}` })),
    );
  });

  it('answers 503, as a refused connection, while the other thread does not serve the subgraph', async () => {
    const { here, there } = joined('members');
    open.push(here, there);
    await expect(here.handler('members')!(ASK)).resolves.toEqual({ status: 503, body: '' });
    const stop = there.serve('members', async () => ({ status: 200, body: 'up' }));
    await expect(here.handler('members')!(ASK)).resolves.toEqual({ status: 200, body: 'up' });
    stop();
    await expect(here.handler('members')!(ASK)).resolves.toEqual({ status: 503, body: '' });
  });

  it('answers 500 when a handler fails outside its own error handling', async () => {
    const { here, there } = joined('ledger');
    open.push(here, there);
    there.serve('ledger', () => Promise.reject(new Error('boom')));
    await expect(here.handler('ledger')!(ASK)).resolves.toEqual({ status: 500, body: '' });
  });

  it('fails the calls still waiting when the links close', async () => {
    const { here, there } = joined('ledger');
    open.push(there);
    let release: () => void = () => undefined;
    there.serve(
      'ledger',
      () => new Promise((resolve) => (release = () => resolve({ status: 200, body: '' }))),
    );
    const pending = here.handler('ledger')!(ASK);
    here.close();
    await expect(pending).rejects.toThrow('ledger: link closed');
    release();
  });

  it("fails calls at once when the other thread's end closes, and later ones without waiting", async () => {
    const { here, there } = joined('ledger');
    open.push(here);
    there.serve('ledger', () => new Promise(() => undefined)); // never answers
    const pending = here.handler('ledger')!(ASK);
    there.close();
    await expect(pending).rejects.toThrow('ledger: link closed');
    await expect(here.handler('ledger')!(ASK)).rejects.toThrow('ledger: link closed');
  });

  it('is how a peer directory reaches a subgraph of the process; an address set from outside is HTTP', async () => {
    const peers = new PeerDirectory();
    peers.setLocal('ledger', 'http://127.0.0.1:4002/graphql');
    expect(peers.local('ledger')).toBeUndefined(); // links off
    peers.links = new LocalLinks();
    open.push(peers.links);
    expect(peers.local('ledger')).toBeUndefined(); // not served (stopped)
    peers.links.serve('ledger', async () => ({ status: 200, body: 'here' }));
    await expect(peers.local('ledger')!(ASK)).resolves.toEqual({ status: 200, body: 'here' });
    // A stand-in elsewhere (a test's fake ledger): reached at its address, not through the link.
    peers.set('ledger', 'http://127.0.0.1:9999/graphql');
    expect(peers.local('ledger')).toBeUndefined();
    expect(peers.url('ledger')).toBe('http://127.0.0.1:9999/graphql');
  });
});

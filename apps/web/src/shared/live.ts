import { useEffect, useRef } from 'react';
import { useSubscription, type AnyVariables, type TypedDocumentNode, type UseSubscriptionArgs } from 'urql';

/** What the subscription's state keeps: how many events came, and the latest of them. */
interface Received<Data> {
  count: number;
  recent: Data[];
}

/** Events kept between two renders; more arriving in one render's time is far beyond a toast's pace. */
const KEEP = 20;

/**
 * Calls `onEvent` once for each event of a subscription, after the render that received it.
 *
 * urql runs a subscription's handler inside a React state updater, and React may call an updater
 * more than once (when it rebases an update on a more urgent one): a toast or a refetch there
 * could happen twice for one event — the wallet showed "+88 Points" twice. The handler here is
 * pure (it counts and keeps the latest events); the effects run in `useEffect`, once per event.
 */
export function useLiveEvents<Data, Variables extends AnyVariables = AnyVariables>(
  query: TypedDocumentNode<Data, Variables>,
  onEvent: (data: Data) => void,
): void {
  const [result] = useSubscription<Data, Received<Data>, Variables>(
    // The apps' live subscriptions take no variables (a member's own stream).
    { query } as UseSubscriptionArgs<Variables, Data>,
    (prev, data) => ({
      count: (prev?.count ?? 0) + 1,
      recent: [...(prev?.recent ?? []).slice(1 - KEEP), data],
    }),
  );
  const handled = useRef(0);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const received = result.data;
  useEffect(() => {
    if (!received) return;
    // A new subscription (a new client after sign-in) counts from zero again.
    if (received.count < handled.current) handled.current = 0;
    const fresh = Math.min(received.count - handled.current, received.recent.length);
    handled.current = received.count;
    for (const data of received.recent.slice(received.recent.length - fresh)) handler.current(data);
  }, [received]);
}

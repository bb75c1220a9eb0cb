/** Child processes of the benchmarks, spoken to over IPC (ready / ask / stop). */
import { fork } from 'node:child_process';
import { join } from 'node:path';

/** A message over the benchmarks' IPC: a `type` and its fields. */
export interface Message {
  type: string;
  [k: string]: unknown;
}

/** How a child is started and waited for. */
export interface ChildOptions {
  /** Node options of the child (`--expose-gc`, a heap size, `--cpu-prof`…). */
  execArgv?: string[];
  /** How long `reply` waits by default (5 minutes). */
  timeoutMs?: number;
}

/**
 * Forks `script` (a compiled benchmark file beside this one) with IPC. `send(type, fields)` sends a
 * message; `reply(type)` waits for the child's next message of that type; `ask(type, fields)` sends
 * one and waits for the child's answer of the same type; `stop()` asks the child to stop (`stop` →
 * `stopped`) and kills it if it does not.
 */
export function child(script: string, args: string[], env: NodeJS.ProcessEnv, options: ChildOptions = {}) {
  const proc = fork(join(__dirname, script), args, {
    env,
    execArgv: options.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Message[] = [];
  const waiters: (() => void)[] = [];
  let exited = false;
  proc.on('message', (m: Message) => {
    inbox.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  proc.on('exit', () => {
    exited = true;
    waiters.splice(0).forEach((w) => w());
  });
  const reply = async (type: string, timeoutMs = options.timeoutMs ?? 300_000): Promise<Message> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (exited || Date.now() > deadline) throw new Error(`no ${type} from ${script} ${args.join(' ')}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 500);
      });
    }
  };
  const send = (type: string, fields: Record<string, unknown> = {}) => {
    proc.send({ ...fields, type });
  };
  return {
    proc,
    reply,
    send,
    ask: (type: string, fields: Record<string, unknown> = {}) => {
      send(type, fields);
      return reply(type);
    },
    async stop() {
      if (!proc.connected) return;
      proc.send({ type: 'stop' });
      await reply('stopped', 30_000).catch(() => proc.kill());
    },
  };
}

import type { Redis } from "ioredis";

/** Whether a majority of the lock masters answers; the job worker pulls only while it does. */
export interface LockQuorum {
  readonly up: boolean;
  /** Resolves once the quorum is up (at once when it is). */
  whenUp(): Promise<void>;
  /** Resolves once the quorum is down (at once when it is). */
  whenDown(): Promise<void>;
  stop(): void;
}

export interface LockQuorumOptions {
  /** The lock clients (platform createLockClients: command timeout set, no offline queue). */
  readonly clients: readonly Redis[];
  /** How often each master is PINGed; default 500 ms. */
  readonly intervalMs?: number;
  readonly onChange?: (up: boolean, answering: number) => void;
}

/**
 * Watches the Redlock masters: a master counts when its client is `ready` and its last PING was
 * answered. A hung master (socket open, no answers) fails its PING on the client's command
 * timeout, so it counts as down; a returning master counts again on its first answered PING,
 * checked at once when its client becomes ready.
 */
export function watchLockQuorum(options: LockQuorumOptions): LockQuorum {
  const { clients } = options;
  const needed = Math.floor(clients.length / 2) + 1;
  const answered = clients.map((c) => c.status === "ready");
  let up = answered.filter(Boolean).length >= needed;
  let upWaiters: Array<() => void> = [];
  let downWaiters: Array<() => void> = [];
  let stopped = false;
  const probing = clients.map(() => false);

  const evaluate = (): void => {
    const count = clients.filter((c, i) => answered[i] && c.status === "ready").length;
    const next = count >= needed;
    if (next === up) return;
    up = next;
    options.onChange?.(up, count);
    const waiters = up ? upWaiters : downWaiters;
    if (up) upWaiters = [];
    else downWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const probe = async (index: number): Promise<void> => {
    const client = clients[index];
    if (!client || probing[index]) return;
    probing[index] = true;
    try {
      answered[index] = client.status === "ready" && (await client.ping()) === "PONG";
    } catch {
      answered[index] = false;
    } finally {
      probing[index] = false;
    }
    if (!stopped) evaluate();
  };

  const listeners = clients.map((client, index) => {
    const onReady = () => void probe(index);
    const onGone = () => {
      answered[index] = false;
      evaluate();
    };
    client.on("ready", onReady);
    client.on("close", onGone);
    client.on("end", onGone);
    return () => {
      client.off("ready", onReady);
      client.off("close", onGone);
      client.off("end", onGone);
    };
  });
  const timer = setInterval(() => {
    for (let i = 0; i < clients.length; i++) void probe(i);
  }, options.intervalMs ?? 500);
  timer.unref();

  return {
    get up() {
      return up;
    },
    whenUp: () => (up ? Promise.resolve() : new Promise((resolve) => upWaiters.push(resolve))),
    whenDown: () => (up ? new Promise((resolve) => downWaiters.push(resolve)) : Promise.resolve()),
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const remove of listeners) remove();
    },
  };
}

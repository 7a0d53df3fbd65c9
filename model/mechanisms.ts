import type { Architecture } from './architecture.ts';
import type { Params } from './params.ts';

/**
 * The mechanisms of the simulated system that a parameter (or the architecture's broadcast
 * check) switches on or off, each with what switches it off alone. One list: the README's table
 * of what each mechanism contributes (`npm run readme -- --mechanisms`) runs every architecture
 * with all of them on, then with each one off. Adding a mechanism is one line here.
 *
 * "Off" leaves every other figure of the model as it is (sim/runner): no jitter keeps a path's
 * median round trip at its network figure (sim/runner/topology.ts clientBaseRttMs), a broadcast
 * pace of sigma 0 is the nominal pace (the spread has mean 1), no loss also leaves the
 * retransmission timeouts unused. One coupling is the system's own: a lost message's timeout is
 * RTT + 4 × the jitter scale, at least 200 ms (model/network.ts), so no jitter also shortens the
 * timeouts of the messages lost (those under 200 ms stay at 200 ms). Random numbers are drawn per
 * entity (sim/runner/entity-draws.ts): a draw that a mechanism no longer makes shifts only the
 * later draws of the same user or process, so a mechanism that touches few entities moves the
 * others' figures little; a small difference between a run with a mechanism off and one with all
 * on can still be a new sample of the entities it does touch, or their knock-on effects.
 */
export interface Mechanism {
  /** short name, as a table row names it */
  name: string;
  /** what it is, one line */
  what: string;
  /** what switches it off alone: parameter overrides, or the atomic window check */
  off: { params?: Partial<Params>; broadcastCheck?: 'atomic' };
}

const m = (name: string, what: string, off: Mechanism['off']): Mechanism => ({ name, what, off });

/** The mechanisms, in the order the network, the data stores, the servers, the broadcasts and the clients meet them. */
export const MECHANISMS: readonly Mechanism[] = [
  m('network jitter', 'per-message queueing delay on client paths, lognormal and long-tailed', { params: { jitterRelative: 0, jitterAbsMs: 0 } }),
  m('packet loss', 'a lost message waits one retransmission timeout (the initial one in a handshake)', { params: { lossFactor: 0 } }),
  m('cache misses', 'a Redis key read that misses is filled by a MySQL read and a Redis write', { params: { redisMissProbability: 0 } }),
  m('Redis background saves', 'save 60 10000: a fork holds Redis (ms per GB of its growing dataset), the child uses a core', { params: { redisSaveAfterS: 0 } }),
  m('hop CPU', 'CPU on both ends of a round trip between separate instances', { params: { cpuHopUs: 0 } }),
  m('replication delay', 'what a replica adds when forwarding writes and published updates', { params: { replicationLagMs: 0 } }),
  m('replicas apply writes', 'every replica applies its master\'s writes on its own queue and CPU', { params: { replicaApplyFraction: 0 } }),
  m('listen backlog', 'a full accept queue drops nginx\'s upstream SYN, retried at 1 s and 3 s; at 7 s a 502: failed', { params: { listenBacklog: 1e9 } }),
  m('loop pauses', 'event-loop stalls counted in handled messages, after an onset', { params: { loopPauseEveryMessages: 0 } }),
  m('interpreter-lock wait', 'a handler that starts during its process\'s fan-out waits until the loop wins the lock at one of the fan-out\'s releases', { params: { broadcastLockHandoff: 1 } }),
  m('broadcast pace spread', 'the pace of one update\'s fan-out varies (lognormal, mean 1)', { params: { broadcastPaceSigma: 0 } }),
  m('racy window check', 'the study\'s get-then-set batching check, whose SET lands a round trip after its GET', { broadcastCheck: 'atomic' }),
  m('clock offset', 'the clients\' clock minus the servers\', in every broadcast latency (a measurement)', { params: { broadcastClockOffsetMs: 0 } }),
];

/** The architecture and parameters with one mechanism switched off (new objects; the inputs are untouched). */
export function withoutMechanism(arch: Architecture, params: Params, mechanism: Mechanism): { arch: Architecture; params: Params } {
  const { broadcastCheck } = mechanism.off;
  return {
    arch: broadcastCheck ? { ...arch, broadcast: { ...arch.broadcast, check: broadcastCheck } } : arch,
    params: { ...params, ...mechanism.off.params },
  };
}

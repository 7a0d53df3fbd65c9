import { z } from 'zod';
import { UserError, show } from './errors.ts';
import { NETWORKS, type NetworkName } from './network.ts';
import { isRegionId } from './regions.ts';
import { parseWith } from './schema.ts';

/**
 * The simulator's parameters whose true values are unknown: CPU costs, service times, network
 * shape, memory and message sizes. Every one has a documented prior (PARAM_DOCS) chosen from first
 * principles or the literature, never fitted to the measured baseline table (that is what
 * calibration does, writing a params.json that overrides any subset).
 *
 * Flat and JSON-able. Nothing here is specific to an architecture: the RTT matrix is per region
 * pair, costs are per message or per operation.
 */

/** Database operations one handler performs, by store and direction. */
export interface OpCounts {
  redisReads: number;
  redisWrites: number;
  mysqlReads: number;
  mysqlWrites: number;
  /**
   * key reads made inside the Redis write commands (a script's HEXISTS): Redis counts them as
   * keyspace hits or misses, but they cost no round trip of their own; absent = 0
   */
  redisReadsInWrites?: number;
}

/** Documentation of one parameter: what it means, its unit, plausible range and where the prior comes from. */
export interface ParamDoc {
  meaning: string;
  unit: string;
  /** plausible range [low, high] (validation bounds for numbers; for op counts, per field) */
  range: [number, number];
  /** for a named choice instead of a number: the allowed names (range is then unused) */
  choices?: readonly string[];
  source: string;
}

/** Operation counts; `redisReadsInWrites` is left out when 0 (as a params file leaves it out). */
export const ops = (redisReads: number, redisWrites: number, mysqlReads: number, mysqlWrites: number, redisReadsInWrites = 0): OpCounts =>
  redisReadsInWrites ? { redisReads, redisWrites, mysqlReads, mysqlWrites, redisReadsInWrites } : { redisReads, redisWrites, mysqlReads, mysqlWrites };

/** Operation counts a and b together (a handler's operations and a step it sometimes adds). */
export function addOps(a: OpCounts, b: OpCounts): OpCounts {
  const inWrites = (a.redisReadsInWrites ?? 0) + (b.redisReadsInWrites ?? 0);
  return ops(a.redisReads + b.redisReads, a.redisWrites + b.redisWrites, a.mysqlReads + b.mysqlReads, a.mysqlWrites + b.mysqlWrites, inWrites);
}

/** Does the handler (or step) make any round trip? Key reads inside writes make none. */
export function anyOps(o: OpCounts): boolean {
  return o.redisReads + o.redisWrites + o.mysqlReads + o.mysqlWrites > 0;
}

const handlerOps = (what: string): ParamDoc => ({
  meaning: `database operations of one ${what} handler: {redisReads, redisWrites, mysqlReads, mysqlWrites}, performed in that order, and optionally redisReadsInWrites (key reads inside the write commands, e.g. a script's HEXISTS: counted by Redis, no round trip of their own)`,
  unit: 'operations',
  range: [0, 50],
  source: 'what such a handler plausibly does (session, game/pool lookups, stores); sized on the baseline\'s counters (SYSTEM.md §6, counts, not latencies): Redis counts keyspace hits and misses on key reads only, so 50,025,404 + 312,581 over 8,449,173 handled requests is 5.96 key reads per request (a prediction: 5 reads + the window check\'s read), and 33,158,053 queries are 3.92 MySQL queries per request (2 reads + 2 writes + the fills of misses)',
});

/** One row of the parameter table: the prior and its documentation. */
interface ParamRow<T> {
  value: T;
  doc: ParamDoc;
}

const row = <T>(value: T, doc: ParamDoc): ParamRow<T> => ({ value, doc });

/**
 * The one table of the parameters, in the order the docs and reports list them: for each, the
 * prior (DEFAULT_PARAMS), its meaning, unit, plausible range and source (PARAM_DOCS); the Params
 * type is derived from it.
 */
const PARAM_TABLE = {
  // CPU on the WebSocket server (Python 2.7 / Tornado on a 2.8 GHz Xeon E5-2680 v2)
  cpuListGamesMs: row(0.5, { meaning: 'loop CPU to parse, handle and answer `list games` (excluding database driver work)', unit: 'ms', range: [0.01, 50], source: 'Tornado WebSocket message round (frame parse, JSON decode/encode, handler) in CPython 2.7: a few hundred µs to ~1 ms' }),
  cpuJoinGameMs: row(0.5, { meaning: 'loop CPU of `join game` (subscribe the socket to the game channel)', unit: 'ms', range: [0.01, 50], source: 'as list games' }),
  cpuListPoolsMs: row(0.6, { meaning: 'loop CPU of `list pools` (larger JSON answer)', unit: 'ms', range: [0.01, 50], source: 'as list games, slightly more encoding' }),
  cpuPredictMs: row(0.8, { meaning: 'loop CPU of `place prediction` (validation, uuid, JSON)', unit: 'ms', range: [0.01, 50], source: 'as list games plus validation and uuid generation' }),
  cpuUpgradeMs: row(0.8, { meaning: 'loop CPU of a new WebSocket\'s server side on its Tornado process: accepting nginx\'s upstream connection and answering the HTTP upgrade (on the loop: a blocked loop stalls handshakes)', unit: 'ms', range: [0.01, 50], source: 'SYSTEM.md §2 "What each part of a connection needs on the server": the upstream accept and the upgrade wait for the loop like any message; Tornado HTTP parse + WebSocketHandler open in CPython: ~0.5–1 ms' }),
  cpuTlsHandshakeMs: row(2, { meaning: 'nginx CPU for a full TLS handshake (outside the loop: nginx serves the TCP and TLS legs)', unit: 'ms', range: [0.05, 50], source: 'SYSTEM.md §2: nginx terminates TLS; RSA-2048 private-key operation ~1–1.5 ms on a 2013 Xeon core (openssl speed) plus key derivation' }),
  cpuTlsPerMessageUs: row(10, { meaning: 'nginx CPU to decrypt or encrypt one WebSocket message (outside the loop)', unit: 'µs', range: [0, 1000], source: 'AES record processing of a few hundred bytes plus proxying syscalls: ~5–20 µs' }),
  cpuRedisOpUs: row(60, { meaning: 'loop CPU of the Redis driver per operation (encode, syscalls, decode)', unit: 'µs', range: [1, 5000], source: 'redis-py (pure Python) command round: ~30–100 µs' }),
  cpuMysqlOpUs: row(150, { meaning: 'loop CPU of the MySQL driver per query (send, fetch, row conversion)', unit: 'µs', range: [1, 10000], source: 'MySQLdb/pymysql query round in CPython: ~100–300 µs' }),
  cpuHopUs: row(25, { meaning: 'extra CPU on EACH end for a round trip between separate instances (TCP stack, virtual NIC)', unit: 'µs', range: [0, 1000], source: 'SYSTEM.md §3: a Redis loop went from 1.1 s / ~11% CPU co-located to 1.85 s / ~50% CPU on both sides when split; Xen virtual networking ~20–40 µs per packet pair' }),
  cpuBroadcastMessageUs: row(200, { meaning: 'broadcast thread CPU to receive and prepare one published update (per process)', unit: 'µs', range: [0, 100000], source: 'pub/sub message parse and frame once in Python: ~0.1–0.5 ms' }),
  cpuBroadcastPerSocketUs: row(30, { meaning: 'broadcast thread CPU per subscribed socket written (the k-th socket waits for the k-1 before it)', unit: 'µs', range: [0.1, 10000], source: 'Tornado write_message per socket (frame + send syscall) in CPython: ~20–50 µs' }),
  // data stores
  redisCommandUs: row(1.5, { meaning: 'Redis service time per command (single-threaded)', unit: 'µs', range: [0.05, 1000], source: 'redis-benchmark: ~1 M simple ops/s when pipelined, i.e. ~1–2 µs per command' }),
  redisRoundTripUs: row(8.5, { meaning: 'Redis service time per client round trip (read/write syscalls, event loop), paid once per pipeline', unit: 'µs', range: [0, 1000], source: 'redis-benchmark: ~100 k ops/s unpipelined, i.e. ~10 µs per round trip including the command' }),
  redisMissProbability: row(0.01, { meaning: 'probability that a Redis read misses (then a MySQL read and a Redis write fill the cache)', unit: 'probability', range: [0, 1], source: 'a warm cache of a small working set (one game, one pool, active users): ~1%' }),
  // Redis background saves (sim/runner/redis-save.ts; evidence: scripts/redis-save-evidence.ts)
  redisSaveAfterS: row(60, { meaning: 'seconds of the `save <seconds> <changes>` rule of every Redis node: a background save (fork, then the child writes the RDB file) starts once this long has passed since the last save completed and `redisSaveChanges` writes reached the node since the last one started; 0 = no saves (persistence off)', unit: 's', range: [0, 1e6], source: 'Redis 2.8\'s shipped redis.conf: `save 900 1`, `save 300 10`, `save 60 10000`; at the study\'s write rates (~1,500 predictions/s) the 60 s rule fires first; serverCron compares with lastsave, set when a save completes' }),
  redisSaveChanges: row(10000, { meaning: 'writes a Redis node must take since its last save started before the next may start (the `save` rule\'s changes)', unit: 'writes', range: [1, 1e9], source: 'Redis 2.8\'s shipped redis.conf: `save 60 10000`' }),
  redisSaveBytesPerPrediction: row(240, { meaning: 'bytes a stored prediction adds to the RDB file of the Redis node that takes its writes (and of each replica of it); the resident set is taken as this dataset plus `memRedisBaseMiB`', unit: 'bytes', range: [0, 1e6], source: 'the baseline server\'s disk spikes, the temporary RDB file caught part-written by one-minute samples: the largest spike per prediction stored by then (scripts/redis-save-evidence.ts: 240); a prediction\'s ~135 bytes of JSON plus its key and encoding' }),
  redisSaveMiBps: row(49, { meaning: 'rate at which a save\'s child writes the RDB (serialise, compress, write, fsync), one core busy meanwhile; a save lasts RDB / rate and the next may start `redisSaveAfterS` after it ends', unit: 'MiB/s', range: [0.1, 1e5], source: 'the baseline server: in the ten-minute blocks where most saves show as a disk spike, the share s of minutes with a spike gives the save length 60 s × s / (1 − s), and the RDB then (redisSaveBytesPerPrediction × predictions stored) over it, pooled: 48.9 MiB/s (scripts/redis-save-evidence.ts)' }),
  redisForkMsPerGB: row(239, { meaning: 'time fork() holds a Redis node per GB of its resident set (page tables copied in the main thread): the node serves nothing meanwhile, and under blocking drivers every loop that calls it waits', unit: 'ms/GB', range: [0, 1e4], source: 'Redis documentation, "Redis latency problems troubleshooting", fork: Linux VM on EC2 old (Xen PV) instance types 239 ms per GB of RSS (HVM ~10, bare metal ~9); c3 instances of 2015 often ran PV images' }),
  mysqlReadMs: row(0.25, { meaning: 'MySQL service time of an indexed read query (per core)', unit: 'ms', range: [0.005, 100], source: 'InnoDB primary-key lookup with parse/optimise: ~0.1–0.5 ms of CPU' }),
  mysqlWriteMs: row(0.6, { meaning: 'MySQL service time of an insert/update (per core, including commit work)', unit: 'ms', range: [0.005, 200], source: 'InnoDB single-row insert/update with group commit on SSD: ~0.3–1 ms' }),
  mysqlMaxCores: row(16, { meaning: 'most cores MySQL runs queries on in parallel (capped by the node\'s cores)', unit: 'cores', range: [1, 128], source: 'InnoDB thread concurrency on MySQL 5.6 scales to ~16 busy threads' }),
  replicationLagMs: row(1, { meaning: 'delay a replica adds when forwarding (pub/sub messages and writes), per hop, on top of the network', unit: 'ms', range: [0, 60000], source: 'Redis replication stream is forwarded as it arrives: ~1 ms of processing' }),
  replicaApplyFraction: row(1, { meaning: 'work a replica spends applying one replicated write, as a fraction of the master\'s service of it (Redis: `redisCommandUs` per command of the replication stream, no client round trip; MySQL: `mysqlWriteMs` per write); every replica down a chain applies every write of its master, on its own queue and CPU; 0 = replicas do no work', unit: 'fraction', range: [0, 5], source: 'Redis replicas execute the master\'s write commands from the replication stream (PUBLISH included); a MySQL 5.6 replica\'s SQL thread re-executes each row change and commits it (SYSTEM.md §3: proposed2 has a Redis replica on every server and db.m3.medium MySQL read replicas): the same work, so 1' }),
  // handlers: database operations per request type
  opsListGames: row(ops(1, 0, 1, 0), handlerOps('list games')),
  opsJoinGame: row(ops(1, 1, 1, 0), handlerOps('join game')),
  opsListPools: row(ops(1, 0, 1, 0), handlerOps('list pools')),
  opsPredict: row(ops(5, 2, 2, 2), { ...handlerOps('place prediction'), meaning: 'database operations of one place-prediction handler besides the batching check (one more Redis read, or the atomic check-and-set) and the publish: {redisReads, redisWrites, mysqlReads, mysqlWrites}, optionally redisReadsInWrites (key reads inside the write commands: counted by Redis, no round trip of their own)' }),
  opsFirstPredict: row(ops(0, 0, 0, 0), { ...handlerOps('first place-prediction of a user'), meaning: 'database operations a user\'s first place-prediction adds to opsPredict: the user\'s account key is not in Redis yet (the key read that finds it missing is one of opsPredict\'s reads, counted as a keyspace miss), so the handler writes the account to MySQL and sets the key in Redis; later predictions find the key. {redisReads, redisWrites, mysqlReads, mysqlWrites}; all zero: no such step', source: 'the live server (live/server/handlers.ts predictSequential: INSERT IGNORE of the account, then SET of its key for an hour; batched handlers have no account step; model/handler-ops.ts): 0 / 1 / 0 / 1 in a live Report\'s params.handlerOps. The thesis system\'s handlers are not published: none, its misses are redisMissProbability\'s' }),
  publishRedisOps: row(4, { meaning: 'Redis commands of a publish (read pending ids, read distribution, PUBLISH, clear pending); the racy check adds its SET', unit: 'operations', range: [1, 50], source: 'SYSTEM.md §1 broadcast path' }),
  // network
  intraDcRttMs: row(0.25, { meaning: 'round trip between separate instances in one data centre', unit: 'ms', range: [0.01, 10], source: 'EC2 same-region ping 2015: ~0.1–0.5 ms' }),
  network: row<NetworkName>('aws-2016', { meaning: 'published RTT table between regions, used for every pair of different regions without a calibrated measurement (held-out client regions, server→database paths, replica chains); `leighton`: the distance prior alone', unit: '', range: [0, 0], choices: NETWORKS, source: 'aws-2016: average RTTs between EC2 instances of 10 AWS regions, the nearest published all-pairs figures to the 2015 study (data/aws-rtt-2016/README.md); within 4–17 % of the baseline\'s request medians to Ireland' }),
  rttMatrixMs: row<Record<string, Record<string, number>> | null>(null, { meaning: 'measured RTT between region pairs {"<from>": {"<to>": ms}} (either direction used); pairs not given come from `network`, then the Leighton prior (within a region: Leighton local, 1 ms)', unit: 'ms', range: [0.01, 5000], source: 'none by default; written by calibration' }),
  jitterRelative: row(0.05, { meaning: 'scale of per-message extra delay relative to the one-way delay (times a lognormal draw of median 1)', unit: 'fraction', range: [0, 10], source: 'Internet queueing delay: a few % of path delay typically, with a long tail' }),
  jitterAbsMs: row(0.5, { meaning: 'absolute scale of per-message extra delay (times the same lognormal draw)', unit: 'ms', range: [0, 1000], source: 'end-host scheduling and NIC coalescing: ~0.1–1 ms' }),
  jitterSigma: row(1, { meaning: 'shape (sigma of the log) of the lognormal jitter draw; larger is longer-tailed', unit: '', range: [0, 4], source: 'measured latency distributions are long-tailed (stddev above mean, SYSTEM.md §6): sigma ~1' }),
  lossMatrix: row<Record<string, Record<string, number>> | null>(null, { meaning: 'measured packet loss between region pairs {"<from>": {"<to>": share of messages lost}} (either direction used), in place of the Leighton prior × `lossFactor` for those pairs', unit: 'share', range: [0, 0.2], source: 'none by default; written by calibration from a region\'s handshake tail (the share of handshakes that waited a retransmission timeout)' }),
  lossFactor: row(1, { meaning: 'multiplier on the Leighton packet-loss prior; each lost message costs one retransmission timeout', unit: '×', range: [0, 20], source: 'Leighton 2008 loss figures as given (1)' }),
  handshakeInitialRtoMs: row(1000, { meaning: 'retransmission timeout of a client\'s handshake message with no RTT sample yet (SYN, SYN-ACK): the client kernel\'s initial RTO, a setting, not fitted', unit: 'ms', range: [10, 10000], source: 'RFC 6298 §2.1 initial RTO: 1 s, Linux TCP_TIMEOUT_INIT (the study\'s clients: Linux on EC2)' }),
  handshakeTimeoutS: row(0, { meaning: 'what-if: a client gives up on a handshake not open after this long (counted as failed; pending if the run ends first); 0 = no client timeout: a handshake waits until it completes or the run ends', unit: 's', range: [0, 100000], source: 'prior 0: WebSocket-bench, the study\'s client, had no connect timeout (SYSTEM.md §2 "How a run starts and ends")' }),
  // the listen backlog of a Tornado process and nginx's upstream SYN retries (sim/runner/backlog.ts): kernel and server settings, not fitted
  listenBacklog: row(128, { meaning: 'listen (accept) queue of each Tornado process\'s socket: nginx\'s upstream connections wait there, their TCP handshake done by the kernel, until the loop accepts them; a SYN that finds more than this many waiting is dropped (Linux `sk_acceptq_is_full`: backlog + 1 fit)', unit: 'connections', range: [1, 1e9], source: 'SYSTEM.md §2 "What each part of a connection needs on the server": Tornado\'s default backlog 128, which the kernel keeps (min(backlog, somaxconn 16384))' }),
  synRetries: row(2, { meaning: 'retransmissions of nginx\'s upstream SYN dropped on a full listen queue, the timeout doubling each time; if the last is dropped too the connect fails (ETIMEDOUT) one more doubled timeout later, nginx answers 502 and the client\'s handshake fails', unit: 'retries', range: [0, 10], source: 'SYSTEM.md §2: the study\'s `tcp_syn_retries 2` (retries at 1 s and 3 s after the first SYN, failure at 7 s); nginx\'s `proxy_connect_timeout` (60 s) is longer, so the kernel decides' }),
  synInitialRtoMs: row(1000, { meaning: 'retransmission timeout of nginx\'s first upstream SYN to a Tornado process (the server machine\'s kernel, no RTT sample); doubles at each retry', unit: 'ms', range: [10, 60000], source: 'Linux TCP_TIMEOUT_INIT, the RFC 6298 initial RTO: 1 s; the server machine\'s kernel, as `handshakeInitialRtoMs` is the client\'s' }),
  broadcastClockOffsetMs: row(0, { meaning: 'clock offset added to every broadcast latency (client clock minus server clock, NTP)', unit: 'ms', range: [-1000, 1000], source: 'NTP over the Internet keeps clocks within ~1–10 ms; prior 0' }),
  broadcastSampleSockets: row(32, { meaning: 'sockets sampled per (broadcast, process) for broadcast latency; each stands for M/S deliveries (counts stay exact)', unit: 'sockets', range: [1, 100000], source: 'an accuracy/speed knob, not a property of the system' }),
  // event-loop pauses (sim/runner/pauses.ts)
  loopPauseEveryMessages: row(7000, { meaning: 'mean number of messages a server process handles between two pauses of its event loop (exponential gaps counted in messages: pauses come with work); 0 = no pauses', unit: 'messages', range: [0, 1e9], source: 'CPython 2.7 runs a full (generation 2) collection every 700 × 10 × 10 = 70,000 net container allocations; at ~10 surviving containers per handled message (frames, futures, JSON dicts in reference cycles), one every ~7,000 messages' }),
  loopPauseMedianMs: row(50, { meaning: 'median length of an event-loop pause (the loop runs nothing; messages wait)', unit: 'ms', range: [0, 1e6], source: 'a full collection traverses every tracked object of the process: ~10^6 objects (Tornado, handlers of ~1,500 connections) at ~50 ns each, ~50 ms' }),
  loopPauseSigma: row(1, { meaning: 'shape (sigma of the log) of the lognormal pause length; larger is longer-tailed', unit: '', range: [0, 4], source: 'heap size and what stalls (collection, a blocked write, a flush) vary by an order of magnitude: sigma ~1' }),
  loopPauseOnsetMessages: row(0, { meaning: 'messages a server process handles before its first event-loop pause; 0 = pauses from the start', unit: 'messages', range: [0, 1e9], source: 'prior 0. The baseline run\'s handshakes (all in the first 200 s) show no stalls while its requests do: what stalls must first fill (a redo log, a heap), and fills with work' }),
  broadcastPaceSigma: row(0, { meaning: 'spread (sigma of the log) of the pace at which a broadcast thread writes one update to its sockets, drawn per update and process with mean 1; 0 = every update at the same pace', unit: '', range: [0, 3], source: 'prior 0; the broadcast thread shares the interpreter lock with the request loop, so its pace varies with what the loop is doing' }),
  broadcastLockHandoff: row(1, { meaning: 'chance that a loop waiting for the interpreter lock takes it when its process\'s broadcast thread lets it go for one socket write (one release per socket written); a handler that starts during a fan-out waits the writes it loses, at most to the fan-out\'s end. 1 = at the first release (no wait), 0 = only when the fan-out ends (the loop runs the fan-out itself, as a Node.js server does)', unit: 'share', range: [0, 1], source: 'prior 1 (no wait: the mechanism off until a fit moves it; its source expects well below 1, and fits on the thesis run give 0.02–0.03; a prior of 0.1 was tried, docs/calibration.md). CPython 2 threads share one interpreter lock with no hand-off: a thread woken from I/O must be scheduled before the lock is free again, while the running thread, back from its short send, takes it at once (the convoy effect on multi-core machines, Beazley, "Understanding the Python GIL", PyCon 2010); SYSTEM.md §2: each Tornado process runs its loop and a broadcast listener thread' }),
  // memory
  memInstanceBaseMiB: row(600, { meaning: 'memory of an instance before our processes (OS, nginx, agents)', unit: 'MiB', range: [0, 100000], source: 'Amazon Linux with nginx: ~0.5 GB' }),
  memProcessMiB: row(60, { meaning: 'resident memory of one idle WebSocket process', unit: 'MiB', range: [0, 100000], source: 'CPython 2.7 + Tornado + drivers: ~40–80 MB' }),
  memConnectionKiB: row(48, { meaning: 'memory per open connection (Tornado handler objects, socket buffers, nginx TLS state)', unit: 'KiB', range: [0, 100000], source: 'nginx ~10 KB + OpenSSL ~30 KB + Python objects ~10 KB' }),
  memRedisBaseMiB: row(10, { meaning: 'Redis resident memory before data', unit: 'MiB', range: [0, 100000], source: 'redis-server idle: a few MB' }),
  memRedisPerUserKiB: row(2, { meaning: 'Redis memory per connected user (session, balance, pending ids)', unit: 'KiB', range: [0, 100000], source: 'a few small hashes and set members: ~1–2 KB' }),
  memMysqlMiB: row(1024, { meaning: 'MySQL resident memory (buffer pool in use) when co-located', unit: 'MiB', range: [0, 1000000], source: 'small InnoDB working set: ~1 GB' }),
  // disk
  diskBaseGB: row(3, { meaning: 'disk used on an instance before the run stores anything (OS image, packages, logs; on a MySQL host the empty database: system tablespace and redo logs)', unit: 'GB', range: [0, 100000], source: 'Amazon Linux AMI ~1.5 GB + Python, nginx, Redis and MySQL packages ~0.5 GB + InnoDB system tablespace and 2 × 48 MB redo logs + logs: ~2–4 GB' }),
  diskBytesPerPrediction: row(600, { meaning: 'disk bytes a stored prediction adds on every instance that hosts a MySQL copy (row, secondary indexes, binary or relay log)', unit: 'bytes', range: [0, 1e7], source: 'InnoDB row of ~135 B of data + ~20 B header at ~15/16 page fill (~170 B), two secondary indexes ~2 × 50 B, a row-based binary log event ~250 B plus its statement: ~500–700 B' }),
  diskFilesystemFraction: row(0.93, { meaning: 'share of an instance\'s provisioned volume (140 GB per EC2 instance, 100 GB per RDS instance) available to files', unit: 'fraction', range: [0.01, 1], source: 'ext4 defaults: inode tables ~1.6 % (256 B per 16 KiB) and the journal, 5 % reserved for root: ~0.93' }),
  // message sizes (application payload) and protocol overheads
  bytesListGamesRequest: row(40, { meaning: 'application payload of a `list games` request', unit: 'bytes', range: [1, 1e7], source: 'small JSON command' }),
  bytesListGamesResponse: row(300, { meaning: 'payload of the `list games` answer (one game)', unit: 'bytes', range: [1, 1e7], source: 'one game as JSON' }),
  bytesJoinGameRequest: row(60, { meaning: 'payload of a `join game` request', unit: 'bytes', range: [1, 1e7], source: 'small JSON command with a game id' }),
  bytesJoinGameResponse: row(80, { meaning: 'payload of the `join game` answer', unit: 'bytes', range: [1, 1e7], source: 'acknowledgement' }),
  bytesListPoolsRequest: row(60, { meaning: 'payload of a `list pools` request', unit: 'bytes', range: [1, 1e7], source: 'small JSON command with a game id' }),
  bytesListPoolsResponse: row(600, { meaning: 'payload of the `list pools` answer (one pool with its distribution)', unit: 'bytes', range: [1, 1e7], source: 'pool and outcomes as JSON' }),
  bytesPredictRequest: row(135, { meaning: 'payload of a `place prediction` request', unit: 'bytes', range: [1, 1e7], source: 'SYSTEM.md §1: ~135 bytes of JSON' }),
  bytesPredictResponse: row(120, { meaning: 'payload of the prediction confirmation', unit: 'bytes', range: [1, 1e7], source: 'the stored prediction echoed back' }),
  bytesBroadcast: row(300, { meaning: 'payload of one pool distribution update (after the 300-fold cut)', unit: 'bytes', range: [1, 1e7], source: 'pool id, timestamp and the distribution as JSON' }),
  bytesWsFrame: row(6, { meaning: 'WebSocket frame header per message', unit: 'bytes', range: [0, 100], source: 'RFC 6455: 2–4 bytes + 4-byte mask from clients' }),
  bytesTlsRecord: row(29, { meaning: 'TLS record overhead per message', unit: 'bytes', range: [0, 200], source: 'TLS 1.2 AES-CBC-SHA: 5 header + IV + MAC + padding ≈ 29–53' }),
  bytesTcpIp: row(52, { meaning: 'TCP/IP headers per message, and the size of its ACK in the other direction', unit: 'bytes', range: [0, 200], source: 'IPv4 20 + TCP 20 + timestamps 12' }),
  bytesHandshakeIn: row(800, { meaning: 'bytes a server receives for one handshake (SYN, ClientHello, key exchange, upgrade request, ACKs)', unit: 'bytes', range: [0, 1e6], source: 'TLS 1.2 full handshake + HTTP upgrade' }),
  bytesHandshakeOut: row(4500, { meaning: 'bytes a server sends for one handshake (SYN-ACK, certificate chain, upgrade response)', unit: 'bytes', range: [0, 1e6], source: 'a 2-certificate chain ~3–4 KB + headers' }),
  bytesRedisCommand: row(60, { meaning: 'bytes of one Redis command on the wire between separate instances (payload + headers)', unit: 'bytes', range: [0, 1e6], source: 'RESP command with a key: tens of bytes + TCP/IP' }),
  bytesRedisReply: row(80, { meaning: 'bytes of one Redis reply between separate instances', unit: 'bytes', range: [0, 1e6], source: 'RESP bulk reply of a small value + TCP/IP' }),
  bytesMysqlQuery: row(150, { meaning: 'bytes of one MySQL query between separate instances', unit: 'bytes', range: [0, 1e6], source: 'SQL text + packet header + TCP/IP' }),
  bytesMysqlReply: row(300, { meaning: 'bytes of one MySQL result between separate instances', unit: 'bytes', range: [0, 1e6], source: 'column definitions + one row + OK/EOF packets' }),
};

type ParamKey = keyof typeof PARAM_TABLE;

/** The parameters (one field per row of PARAM_TABLE, of the type of its prior). */
export type Params = { [K in ParamKey]: (typeof PARAM_TABLE)[K]['value'] };

const PARAM_ROWS = Object.entries(PARAM_TABLE) as [ParamKey, ParamRow<unknown>][];

/** The priors. */
export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze(Object.fromEntries(PARAM_ROWS.map(([k, r]) => [k, r.value]))) as unknown as Readonly<Params>;

/** For every parameter: meaning, unit, plausible range and the source of the prior. */
export const PARAM_DOCS: Readonly<Record<keyof Params, ParamDoc>> = Object.fromEntries(PARAM_ROWS.map(([k, r]) => [k, r.doc])) as Record<keyof Params, ParamDoc>;

function numberField(key: keyof Params): z.ZodType<number> {
  const [lo, hi] = PARAM_DOCS[key].range;
  return z.number({ error: 'must be a number' }).min(lo, `must be between ${lo} and ${hi}`).max(hi, `must be between ${lo} and ${hi}`);
}

function opsField(key: keyof Params): z.ZodType<OpCounts> {
  const [lo, hi] = PARAM_DOCS[key].range;
  const n = z.number({ error: 'must be a whole number' }).int('must be a whole number').min(lo, `must be between ${lo} and ${hi}`).max(hi, `must be between ${lo} and ${hi}`);
  return z.strictObject({ redisReads: n, redisWrites: n, mysqlReads: n, mysqlWrites: n, redisReadsInWrites: n.optional() });
}

/** A matrix of region pairs whose entries lie within `key`'s plausible range. */
function matrixField(key: keyof Params): z.ZodType {
  const [lo, hi] = PARAM_DOCS[key].range;
  const rule = `must be between ${lo} and ${hi}${PARAM_DOCS[key].unit === 'ms' ? ' ms' : ''}`;
  return z.record(z.string(), z.record(z.string(), z.number({ error: 'must be a number' }).min(lo, rule).max(hi, rule))).nullable();
}
const MATRIX_KEYS = ['rttMatrixMs', 'lossMatrix'] as const;

/** Region ids in an RTT matrix must be known (checked after the shape, to name the bad id). */
function checkMatrixRegions(key: string, matrix: Record<string, Record<string, number>> | null | undefined, where: string): void {
  if (!matrix) return;
  for (const [from, row] of Object.entries(matrix)) {
    if (!isRegionId(from)) throw new UserError('CONFIG_INVALID', `${key} keys must be known region ids (got ${show(from)}) in ${where}`);
    for (const to of Object.keys(row)) {
      if (!isRegionId(to)) throw new UserError('CONFIG_INVALID', `${key}.${from} keys must be known region ids (got ${show(to)}) in ${where}`);
    }
  }
}

const INTEGER_KEYS: ReadonlySet<keyof Params> = new Set(['broadcastSampleSockets', 'publishRedisOps', 'mysqlMaxCores', 'listenBacklog', 'synRetries']);

const paramsSchema = z.strictObject(Object.fromEntries((Object.keys(DEFAULT_PARAMS) as (keyof Params)[]).map((key) => {
  let field: z.ZodType;
  if ((MATRIX_KEYS as readonly string[]).includes(key)) field = matrixField(key);
  else if (key === 'network') field = z.enum(NETWORKS, { error: `must be one of ${NETWORKS.join(', ')}` });
  else if (key.startsWith('ops')) field = opsField(key);
  else if (INTEGER_KEYS.has(key)) field = numberField(key).refine(Number.isInteger, 'must be a whole number');
  else field = numberField(key);
  return [key, field.optional()];
}))) as unknown as z.ZodType<Partial<Params>>;

/**
 * The defaults with `overrides` (a JSON object: any subset of the parameters) on top.
 * Validates every given field: unknown keys rejected, numbers within their plausible range.
 * @throws UserError CONFIG_INVALID naming the field, the value and the rule, and `where`.
 */
export function mergeParams(overrides: unknown, where: string): Params {
  const given = parseWith(paramsSchema, overrides ?? {}, where);
  for (const key of MATRIX_KEYS) checkMatrixRegions(key, given[key], where);
  const merged = structuredClone(DEFAULT_PARAMS) as Params;
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = structuredClone(v);
  }
  return merged;
}

/** A default as the priors table prints it: op counts as r / w / r / w, numbers with thousands unseparated. */
function priorCell(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const o = value as OpCounts;
    return `${o.redisReads} / ${o.redisWrites} / ${o.mysqlReads} / ${o.mysqlWrites}${o.redisReadsInWrites ? ` (+${o.redisReadsInWrites} key reads in the writes)` : ''}`;
  }
  return String(value);
}

/**
 * The priors as the Markdown table of docs/model.md (one row per parameter, in PARAM_DOCS
 * order): the docs are generated from here, and a test keeps them equal.
 */
export function priorsTableMarkdown(): string {
  const rows = [
    '| parameter | default | unit | plausible range | meaning | where the prior comes from |',
    '|---|---|---|---|---|---|',
  ];
  for (const [key, doc] of Object.entries(PARAM_DOCS) as [keyof Params, ParamDoc][]) {
    const range = doc.choices ? doc.choices.join(', ') : `${doc.range[0]} – ${doc.range[1]}`;
    rows.push(`| \`${key}\` | ${priorCell(DEFAULT_PARAMS[key])} | ${doc.unit} | ${range} | ${doc.meaning} | ${doc.source} |`);
  }
  return rows.join('\n');
}

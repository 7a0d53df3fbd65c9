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
}

export interface Params {
  // CPU on the WebSocket server (Python 2.7 / Tornado on a 2.8 GHz Xeon E5-2680 v2)
  cpuListGamesMs: number;
  cpuJoinGameMs: number;
  cpuListPoolsMs: number;
  cpuPredictMs: number;
  cpuUpgradeMs: number;
  cpuTlsHandshakeMs: number;
  cpuTlsPerMessageUs: number;
  cpuRedisOpUs: number;
  cpuMysqlOpUs: number;
  cpuHopUs: number;
  cpuBroadcastMessageUs: number;
  cpuBroadcastPerSocketUs: number;
  // data stores
  redisCommandUs: number;
  redisRoundTripUs: number;
  redisMissProbability: number;
  mysqlReadMs: number;
  mysqlWriteMs: number;
  mysqlMaxCores: number;
  replicationLagMs: number;
  replicaApplyFraction: number;
  // handlers: database operations per request type
  opsListGames: OpCounts;
  opsJoinGame: OpCounts;
  opsListPools: OpCounts;
  opsPredict: OpCounts;
  publishRedisOps: number;
  // network
  intraDcRttMs: number;
  network: NetworkName;
  rttMatrixMs: Record<string, Record<string, number>> | null;
  jitterRelative: number;
  jitterAbsMs: number;
  jitterSigma: number;
  lossFactor: number;
  handshakeInitialRtoMs: number;
  handshakeTimeoutS: number;
  broadcastClockOffsetMs: number;
  broadcastSampleSockets: number;
  // event-loop pauses (sim/runner/pauses.ts)
  loopPauseEveryMessages: number;
  loopPauseMedianMs: number;
  loopPauseSigma: number;
  loopPauseOnsetMessages: number;
  broadcastPaceSigma: number;
  broadcastLockWaitMs: number;
  // memory
  memInstanceBaseMiB: number;
  memProcessMiB: number;
  memConnectionKiB: number;
  memRedisBaseMiB: number;
  memRedisPerUserKiB: number;
  memMysqlMiB: number;
  // disk
  diskBaseGB: number;
  diskBytesPerPrediction: number;
  diskFilesystemFraction: number;
  // message sizes (application payload) and protocol overheads
  bytesListGamesRequest: number;
  bytesListGamesResponse: number;
  bytesJoinGameRequest: number;
  bytesJoinGameResponse: number;
  bytesListPoolsRequest: number;
  bytesListPoolsResponse: number;
  bytesPredictRequest: number;
  bytesPredictResponse: number;
  bytesBroadcast: number;
  bytesWsFrame: number;
  bytesTlsRecord: number;
  bytesTcpIp: number;
  bytesHandshakeIn: number;
  bytesHandshakeOut: number;
  bytesRedisCommand: number;
  bytesRedisReply: number;
  bytesMysqlQuery: number;
  bytesMysqlReply: number;
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

const ops = (redisReads: number, redisWrites: number, mysqlReads: number, mysqlWrites: number): OpCounts =>
  ({ redisReads, redisWrites, mysqlReads, mysqlWrites });

/** The priors. */
export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze({
  cpuListGamesMs: 0.5,
  cpuJoinGameMs: 0.5,
  cpuListPoolsMs: 0.6,
  cpuPredictMs: 0.8,
  cpuUpgradeMs: 0.8,
  cpuTlsHandshakeMs: 2,
  cpuTlsPerMessageUs: 10,
  cpuRedisOpUs: 60,
  cpuMysqlOpUs: 150,
  cpuHopUs: 25,
  cpuBroadcastMessageUs: 200,
  cpuBroadcastPerSocketUs: 30,
  redisCommandUs: 1.5,
  redisRoundTripUs: 8.5,
  redisMissProbability: 0.01,
  mysqlReadMs: 0.25,
  mysqlWriteMs: 0.6,
  mysqlMaxCores: 16,
  replicationLagMs: 1,
  replicaApplyFraction: 1,
  opsListGames: ops(1, 0, 1, 0),
  opsJoinGame: ops(1, 1, 1, 0),
  opsListPools: ops(1, 0, 1, 0),
  opsPredict: ops(5, 2, 2, 2),
  publishRedisOps: 4,
  intraDcRttMs: 0.25,
  network: 'aws-2016',
  rttMatrixMs: null,
  jitterRelative: 0.05,
  jitterAbsMs: 0.5,
  jitterSigma: 1,
  lossFactor: 1,
  handshakeInitialRtoMs: 1000,
  handshakeTimeoutS: 0,
  broadcastClockOffsetMs: 0,
  broadcastSampleSockets: 32,
  loopPauseEveryMessages: 7000,
  loopPauseMedianMs: 50,
  loopPauseSigma: 1,
  loopPauseOnsetMessages: 0,
  broadcastPaceSigma: 0,
  broadcastLockWaitMs: 0,
  memInstanceBaseMiB: 600,
  memProcessMiB: 60,
  memConnectionKiB: 48,
  memRedisBaseMiB: 10,
  memRedisPerUserKiB: 2,
  memMysqlMiB: 1024,
  diskBaseGB: 3,
  diskBytesPerPrediction: 600,
  diskFilesystemFraction: 0.93,
  bytesListGamesRequest: 40,
  bytesListGamesResponse: 300,
  bytesJoinGameRequest: 60,
  bytesJoinGameResponse: 80,
  bytesListPoolsRequest: 60,
  bytesListPoolsResponse: 600,
  bytesPredictRequest: 135,
  bytesPredictResponse: 120,
  bytesBroadcast: 300,
  bytesWsFrame: 6,
  bytesTlsRecord: 29,
  bytesTcpIp: 52,
  bytesHandshakeIn: 800,
  bytesHandshakeOut: 4500,
  bytesRedisCommand: 60,
  bytesRedisReply: 80,
  bytesMysqlQuery: 150,
  bytesMysqlReply: 300,
}) as Readonly<Params>;

const handlerOps = (what: string): ParamDoc => ({
  meaning: `database operations of one ${what} handler: {redisReads, redisWrites, mysqlReads, mysqlWrites}, performed in that order`,
  unit: 'operations',
  range: [0, 50],
  source: 'what such a handler plausibly does (session, game/pool lookups, stores); sized on the baseline\'s counters (SYSTEM.md §6, counts, not latencies): Redis counts keyspace hits and misses on key reads only, so 50,025,404 + 312,581 over 8,449,173 handled requests is 5.96 key reads per request (a prediction: 5 reads + the window check\'s read), and 33,158,053 queries are 3.92 MySQL queries per request (2 reads + 2 writes + the fills of misses)',
});

/** For every parameter: meaning, unit, plausible range and the source of the prior. */
export const PARAM_DOCS: Readonly<Record<keyof Params, ParamDoc>> = {
  cpuListGamesMs: { meaning: 'loop CPU to parse, handle and answer `list games` (excluding database driver work)', unit: 'ms', range: [0.01, 50], source: 'Tornado WebSocket message round (frame parse, JSON decode/encode, handler) in CPython 2.7: a few hundred µs to ~1 ms' },
  cpuJoinGameMs: { meaning: 'loop CPU of `join game` (subscribe the socket to the game channel)', unit: 'ms', range: [0.01, 50], source: 'as list games' },
  cpuListPoolsMs: { meaning: 'loop CPU of `list pools` (larger JSON answer)', unit: 'ms', range: [0.01, 50], source: 'as list games, slightly more encoding' },
  cpuPredictMs: { meaning: 'loop CPU of `place prediction` (validation, uuid, JSON)', unit: 'ms', range: [0.01, 50], source: 'as list games plus validation and uuid generation' },
  cpuUpgradeMs: { meaning: 'loop CPU of a new WebSocket\'s server side on its Tornado process: accepting nginx\'s upstream connection and answering the HTTP upgrade (on the loop: a blocked loop stalls handshakes)', unit: 'ms', range: [0.01, 50], source: 'SYSTEM.md §2 "What each part of a connection needs on the server": the upstream accept and the upgrade wait for the loop like any message; Tornado HTTP parse + WebSocketHandler open in CPython: ~0.5–1 ms' },
  cpuTlsHandshakeMs: { meaning: 'nginx CPU for a full TLS handshake (outside the loop: nginx serves the TCP and TLS legs)', unit: 'ms', range: [0.05, 50], source: 'SYSTEM.md §2: nginx terminates TLS; RSA-2048 private-key operation ~1–1.5 ms on a 2013 Xeon core (openssl speed) plus key derivation' },
  cpuTlsPerMessageUs: { meaning: 'nginx CPU to decrypt or encrypt one WebSocket message (outside the loop)', unit: 'µs', range: [0, 1000], source: 'AES record processing of a few hundred bytes plus proxying syscalls: ~5–20 µs' },
  cpuRedisOpUs: { meaning: 'loop CPU of the Redis driver per operation (encode, syscalls, decode)', unit: 'µs', range: [1, 5000], source: 'redis-py (pure Python) command round: ~30–100 µs' },
  cpuMysqlOpUs: { meaning: 'loop CPU of the MySQL driver per query (send, fetch, row conversion)', unit: 'µs', range: [1, 10000], source: 'MySQLdb/pymysql query round in CPython: ~100–300 µs' },
  cpuHopUs: { meaning: 'extra CPU on EACH end for a round trip between separate instances (TCP stack, virtual NIC)', unit: 'µs', range: [0, 1000], source: 'SYSTEM.md §3: a Redis loop went from 1.1 s / ~11% CPU co-located to 1.85 s / ~50% CPU on both sides when split; Xen virtual networking ~20–40 µs per packet pair' },
  cpuBroadcastMessageUs: { meaning: 'broadcast thread CPU to receive and prepare one published update (per process)', unit: 'µs', range: [0, 100000], source: 'pub/sub message parse and frame once in Python: ~0.1–0.5 ms' },
  cpuBroadcastPerSocketUs: { meaning: 'broadcast thread CPU per subscribed socket written (the k-th socket waits for the k-1 before it)', unit: 'µs', range: [0.1, 10000], source: 'Tornado write_message per socket (frame + send syscall) in CPython: ~20–50 µs' },
  redisCommandUs: { meaning: 'Redis service time per command (single-threaded)', unit: 'µs', range: [0.05, 1000], source: 'redis-benchmark: ~1 M simple ops/s when pipelined, i.e. ~1–2 µs per command' },
  redisRoundTripUs: { meaning: 'Redis service time per client round trip (read/write syscalls, event loop), paid once per pipeline', unit: 'µs', range: [0, 1000], source: 'redis-benchmark: ~100 k ops/s unpipelined, i.e. ~10 µs per round trip including the command' },
  redisMissProbability: { meaning: 'probability that a Redis read misses (then a MySQL read and a Redis write fill the cache)', unit: 'probability', range: [0, 1], source: 'a warm cache of a small working set (one game, one pool, active users): ~1%' },
  mysqlReadMs: { meaning: 'MySQL service time of an indexed read query (per core)', unit: 'ms', range: [0.005, 100], source: 'InnoDB primary-key lookup with parse/optimise: ~0.1–0.5 ms of CPU' },
  mysqlWriteMs: { meaning: 'MySQL service time of an insert/update (per core, including commit work)', unit: 'ms', range: [0.005, 200], source: 'InnoDB single-row insert/update with group commit on SSD: ~0.3–1 ms' },
  mysqlMaxCores: { meaning: 'most cores MySQL runs queries on in parallel (capped by the node\'s cores)', unit: 'cores', range: [1, 128], source: 'InnoDB thread concurrency on MySQL 5.6 scales to ~16 busy threads' },
  replicationLagMs: { meaning: 'delay a replica adds when forwarding (pub/sub messages and writes), per hop, on top of the network', unit: 'ms', range: [0, 60000], source: 'Redis replication stream is forwarded as it arrives: ~1 ms of processing' },
  replicaApplyFraction: { meaning: 'work a replica spends applying one replicated write, as a fraction of the master\'s service of it (Redis: `redisCommandUs` per command of the replication stream, no client round trip; MySQL: `mysqlWriteMs` per write); every replica down a chain applies every write of its master, on its own queue and CPU; 0 = replicas do no work', unit: 'fraction', range: [0, 5], source: 'Redis replicas execute the master\'s write commands from the replication stream (PUBLISH included); a MySQL 5.6 replica\'s SQL thread re-executes each row change and commits it (SYSTEM.md §3: proposed2 has a Redis replica on every server and db.m3.medium MySQL read replicas): the same work, so 1' },
  opsListGames: handlerOps('list games'),
  opsJoinGame: handlerOps('join game'),
  opsListPools: handlerOps('list pools'),
  opsPredict: { ...handlerOps('place prediction'), meaning: 'database operations of one place-prediction handler besides the batching check (one more Redis read, or the atomic check-and-set) and the publish: {redisReads, redisWrites, mysqlReads, mysqlWrites}' },
  publishRedisOps: { meaning: 'Redis commands of a publish (read pending ids, read distribution, PUBLISH, clear pending); the racy check adds its SET', unit: 'operations', range: [1, 50], source: 'SYSTEM.md §1 broadcast path' },
  intraDcRttMs: { meaning: 'round trip between separate instances in one data centre', unit: 'ms', range: [0.01, 10], source: 'EC2 same-region ping 2015: ~0.1–0.5 ms' },
  network: { meaning: 'published RTT table between regions, used for every pair of different regions without a calibrated measurement (held-out client regions, server→database paths, replica chains); `leighton`: the distance prior alone', unit: '', range: [0, 0], choices: NETWORKS, source: 'aws-2016: average RTTs between EC2 instances of 10 AWS regions, the nearest published all-pairs figures to the 2015 study (data/aws-rtt-2016/README.md); within 4–17 % of the baseline\'s request medians to Ireland' },
  rttMatrixMs: { meaning: 'measured RTT between region pairs {"<from>": {"<to>": ms}} (either direction used); pairs not given come from `network`, then the Leighton prior (within a region: Leighton local, 1 ms)', unit: 'ms', range: [0.01, 5000], source: 'none by default; written by calibration' },
  jitterRelative: { meaning: 'scale of per-message extra delay relative to the one-way delay (times a lognormal draw of median 1)', unit: 'fraction', range: [0, 10], source: 'Internet queueing delay: a few % of path delay typically, with a long tail' },
  jitterAbsMs: { meaning: 'absolute scale of per-message extra delay (times the same lognormal draw)', unit: 'ms', range: [0, 1000], source: 'end-host scheduling and NIC coalescing: ~0.1–1 ms' },
  jitterSigma: { meaning: 'shape (sigma of the log) of the lognormal jitter draw; larger is longer-tailed', unit: '', range: [0, 4], source: 'measured latency distributions are long-tailed (stddev above mean, SYSTEM.md §6): sigma ~1' },
  lossFactor: { meaning: 'multiplier on the Leighton packet-loss prior; each lost message costs one retransmission timeout', unit: '×', range: [0, 20], source: 'Leighton 2008 loss figures as given (1)' },
  handshakeInitialRtoMs: { meaning: 'retransmission timeout of a handshake message (no RTT sample yet)', unit: 'ms', range: [10, 10000], source: 'RFC 6298 initial RTO: 1 s' },
  handshakeTimeoutS: { meaning: 'what-if: a client gives up on a handshake not open after this long (counted as failed; pending if the run ends first); 0 = no client timeout: a handshake waits until it completes or the run ends', unit: 's', range: [0, 100000], source: 'prior 0: WebSocket-bench, the study\'s client, had no connect timeout (SYSTEM.md §2 "How a run starts and ends")' },
  broadcastClockOffsetMs: { meaning: 'clock offset added to every broadcast latency (client clock minus server clock, NTP)', unit: 'ms', range: [-1000, 1000], source: 'NTP over the Internet keeps clocks within ~1–10 ms; prior 0' },
  broadcastSampleSockets: { meaning: 'sockets sampled per (broadcast, process) for broadcast latency; each stands for M/S deliveries (counts stay exact)', unit: 'sockets', range: [1, 100000], source: 'an accuracy/speed knob, not a property of the system' },
  loopPauseEveryMessages: { meaning: 'mean number of messages a server process handles between two pauses of its event loop (exponential gaps counted in messages: pauses come with work); 0 = no pauses', unit: 'messages', range: [0, 1e9], source: 'CPython 2.7 runs a full (generation 2) collection every 700 × 10 × 10 = 70,000 net container allocations; at ~10 surviving containers per handled message (frames, futures, JSON dicts in reference cycles), one every ~7,000 messages' },
  loopPauseMedianMs: { meaning: 'median length of an event-loop pause (the loop runs nothing; messages wait)', unit: 'ms', range: [0, 1e6], source: 'a full collection traverses every tracked object of the process: ~10^6 objects (Tornado, handlers of ~1,500 connections) at ~50 ns each, ~50 ms' },
  loopPauseSigma: { meaning: 'shape (sigma of the log) of the lognormal pause length; larger is longer-tailed', unit: '', range: [0, 4], source: 'heap size and what stalls (collection, a blocked write, a flush) vary by an order of magnitude: sigma ~1' },
  loopPauseOnsetMessages: { meaning: 'messages a server process handles before its first event-loop pause; 0 = pauses from the start', unit: 'messages', range: [0, 1e9], source: 'prior 0. The baseline run\'s handshakes (all in the first 200 s) show no stalls while its requests do: what stalls must first fill (a redo log, a heap), and fills with work' },
  broadcastPaceSigma: { meaning: 'spread (sigma of the log) of the pace at which a broadcast thread writes one update to its sockets, drawn per update and process with mean 1; 0 = every update at the same pace', unit: '', range: [0, 3], source: 'prior 0; the broadcast thread shares the interpreter lock with the request loop, so its pace varies with what the loop is doing' },
  broadcastLockWaitMs: { meaning: 'wait of a message whose handler starts while the process\'s broadcast thread is writing an update: the loop waits for the interpreter lock; 0 = the loop and the broadcast thread never wait for each other', unit: 'ms', range: [0, 1000], source: 'prior 0; CPython 2 threads share one interpreter lock, and on a multi-core machine a thread that wakes from I/O waits for a CPU-bound thread to give it up (the convoy effect), once per blocking call of its handler' },
  memInstanceBaseMiB: { meaning: 'memory of an instance before our processes (OS, nginx, agents)', unit: 'MiB', range: [0, 100000], source: 'Amazon Linux with nginx: ~0.5 GB' },
  memProcessMiB: { meaning: 'resident memory of one idle WebSocket process', unit: 'MiB', range: [0, 100000], source: 'CPython 2.7 + Tornado + drivers: ~40–80 MB' },
  memConnectionKiB: { meaning: 'memory per open connection (Tornado handler objects, socket buffers, nginx TLS state)', unit: 'KiB', range: [0, 100000], source: 'nginx ~10 KB + OpenSSL ~30 KB + Python objects ~10 KB' },
  memRedisBaseMiB: { meaning: 'Redis resident memory before data', unit: 'MiB', range: [0, 100000], source: 'redis-server idle: a few MB' },
  memRedisPerUserKiB: { meaning: 'Redis memory per connected user (session, balance, pending ids)', unit: 'KiB', range: [0, 100000], source: 'a few small hashes and set members: ~1–2 KB' },
  memMysqlMiB: { meaning: 'MySQL resident memory (buffer pool in use) when co-located', unit: 'MiB', range: [0, 1000000], source: 'small InnoDB working set: ~1 GB' },
  diskBaseGB: { meaning: 'disk used on an instance before the run stores anything (OS image, packages, logs; on a MySQL host the empty database: system tablespace and redo logs)', unit: 'GB', range: [0, 100000], source: 'Amazon Linux AMI ~1.5 GB + Python, nginx, Redis and MySQL packages ~0.5 GB + InnoDB system tablespace and 2 × 48 MB redo logs + logs: ~2–4 GB' },
  diskBytesPerPrediction: { meaning: 'disk bytes a stored prediction adds on every instance that hosts a MySQL copy (row, secondary indexes, binary or relay log)', unit: 'bytes', range: [0, 1e7], source: 'InnoDB row of ~135 B of data + ~20 B header at ~15/16 page fill (~170 B), two secondary indexes ~2 × 50 B, a row-based binary log event ~250 B plus its statement: ~500–700 B' },
  diskFilesystemFraction: { meaning: 'share of an instance\'s provisioned volume (140 GB per EC2 instance, 100 GB per RDS instance) available to files', unit: 'fraction', range: [0.01, 1], source: 'ext4 defaults: inode tables ~1.6 % (256 B per 16 KiB) and the journal, 5 % reserved for root: ~0.93' },
  bytesListGamesRequest: { meaning: 'application payload of a `list games` request', unit: 'bytes', range: [1, 1e7], source: 'small JSON command' },
  bytesListGamesResponse: { meaning: 'payload of the `list games` answer (one game)', unit: 'bytes', range: [1, 1e7], source: 'one game as JSON' },
  bytesJoinGameRequest: { meaning: 'payload of a `join game` request', unit: 'bytes', range: [1, 1e7], source: 'small JSON command with a game id' },
  bytesJoinGameResponse: { meaning: 'payload of the `join game` answer', unit: 'bytes', range: [1, 1e7], source: 'acknowledgement' },
  bytesListPoolsRequest: { meaning: 'payload of a `list pools` request', unit: 'bytes', range: [1, 1e7], source: 'small JSON command with a game id' },
  bytesListPoolsResponse: { meaning: 'payload of the `list pools` answer (one pool with its distribution)', unit: 'bytes', range: [1, 1e7], source: 'pool and outcomes as JSON' },
  bytesPredictRequest: { meaning: 'payload of a `place prediction` request', unit: 'bytes', range: [1, 1e7], source: 'SYSTEM.md §1: ~135 bytes of JSON' },
  bytesPredictResponse: { meaning: 'payload of the prediction confirmation', unit: 'bytes', range: [1, 1e7], source: 'the stored prediction echoed back' },
  bytesBroadcast: { meaning: 'payload of one pool distribution update (after the 300-fold cut)', unit: 'bytes', range: [1, 1e7], source: 'pool id, timestamp and the distribution as JSON' },
  bytesWsFrame: { meaning: 'WebSocket frame header per message', unit: 'bytes', range: [0, 100], source: 'RFC 6455: 2–4 bytes + 4-byte mask from clients' },
  bytesTlsRecord: { meaning: 'TLS record overhead per message', unit: 'bytes', range: [0, 200], source: 'TLS 1.2 AES-CBC-SHA: 5 header + IV + MAC + padding ≈ 29–53' },
  bytesTcpIp: { meaning: 'TCP/IP headers per message, and the size of its ACK in the other direction', unit: 'bytes', range: [0, 200], source: 'IPv4 20 + TCP 20 + timestamps 12' },
  bytesHandshakeIn: { meaning: 'bytes a server receives for one handshake (SYN, ClientHello, key exchange, upgrade request, ACKs)', unit: 'bytes', range: [0, 1e6], source: 'TLS 1.2 full handshake + HTTP upgrade' },
  bytesHandshakeOut: { meaning: 'bytes a server sends for one handshake (SYN-ACK, certificate chain, upgrade response)', unit: 'bytes', range: [0, 1e6], source: 'a 2-certificate chain ~3–4 KB + headers' },
  bytesRedisCommand: { meaning: 'bytes of one Redis command on the wire between separate instances (payload + headers)', unit: 'bytes', range: [0, 1e6], source: 'RESP command with a key: tens of bytes + TCP/IP' },
  bytesRedisReply: { meaning: 'bytes of one Redis reply between separate instances', unit: 'bytes', range: [0, 1e6], source: 'RESP bulk reply of a small value + TCP/IP' },
  bytesMysqlQuery: { meaning: 'bytes of one MySQL query between separate instances', unit: 'bytes', range: [0, 1e6], source: 'SQL text + packet header + TCP/IP' },
  bytesMysqlReply: { meaning: 'bytes of one MySQL result between separate instances', unit: 'bytes', range: [0, 1e6], source: 'column definitions + one row + OK/EOF packets' },
};

function numberField(key: keyof Params): z.ZodType<number> {
  const [lo, hi] = PARAM_DOCS[key].range;
  return z.number({ error: 'must be a number' }).min(lo, `must be between ${lo} and ${hi}`).max(hi, `must be between ${lo} and ${hi}`);
}

function opsField(key: keyof Params): z.ZodType<OpCounts> {
  const [lo, hi] = PARAM_DOCS[key].range;
  const n = z.number({ error: 'must be a whole number' }).int('must be a whole number').min(lo, `must be between ${lo} and ${hi}`).max(hi, `must be between ${lo} and ${hi}`);
  return z.strictObject({ redisReads: n, redisWrites: n, mysqlReads: n, mysqlWrites: n });
}

const matrixField = z.record(
  z.string(),
  z.record(z.string(), z.number({ error: 'must be a number' }).min(0.01, 'must be between 0.01 and 5000 ms').max(5000, 'must be between 0.01 and 5000 ms')),
).nullable();

/** Region ids in an RTT matrix must be known (checked after the shape, to name the bad id). */
function checkMatrixRegions(matrix: Record<string, Record<string, number>> | null | undefined, where: string): void {
  if (!matrix) return;
  for (const [from, row] of Object.entries(matrix)) {
    if (!isRegionId(from)) throw new UserError('CONFIG_INVALID', `rttMatrixMs keys must be known region ids (got ${show(from)}) in ${where}`);
    for (const to of Object.keys(row)) {
      if (!isRegionId(to)) throw new UserError('CONFIG_INVALID', `rttMatrixMs.${from} keys must be known region ids (got ${show(to)}) in ${where}`);
    }
  }
}

const INTEGER_KEYS: ReadonlySet<keyof Params> = new Set(['broadcastSampleSockets', 'publishRedisOps', 'mysqlMaxCores']);

const paramsSchema = z.strictObject(Object.fromEntries((Object.keys(DEFAULT_PARAMS) as (keyof Params)[]).map((key) => {
  let field: z.ZodType;
  if (key === 'rttMatrixMs') field = matrixField;
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
  checkMatrixRegions(given.rttMatrixMs, where);
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
    return `${o.redisReads} / ${o.redisWrites} / ${o.mysqlReads} / ${o.mysqlWrites}`;
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

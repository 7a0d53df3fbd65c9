import net from 'node:net';
import seedrandom from 'seedrandom';
import { DelayLine, type LineStats, type LinkSpec } from './delayline.ts';
import { DueClock, realClock, type ProxyClock } from './dueclock.ts';
import { ReleaseErrors } from './releaseErrors.ts';

/** A proxy: where it listens, where it relays to, and the two directions of its path. */
export interface ProxyOptions {
  /** name for logs and stats, e.g. "clients ap-southeast-2 -> server ap-southeast-2" */
  name: string;
  listenHost?: string;
  /** 0 = any free port */
  listenPort?: number;
  targetHost: string;
  targetPort: number;
  /** client → target */
  up: LinkSpec;
  /** target → client */
  down: LinkSpec;
  /** seed of the jitter and loss draws */
  seed?: string;
  /**
   * Round trips a new connection spends before its first byte can go (TCP handshake = 1, plus 2
   * for a full TLS handshake): added to the first chunk sent up. Default 0.
   */
  setupRtts?: number;
  /** the time source and timer of the delay lines (default: this process's real one; tests pass their own) */
  clock?: ProxyClock;
}

/** Counters of a proxy since it started (bytes per direction, chunks, lateness). */
export interface ProxyStats {
  connections: number;
  upBytes: number;
  downBytes: number;
  chunks: number;
  lostChunks: number;
  /** how late chunks left compared with their due time, ms (timer granularity, loop delay) */
  latenessMeanMs: number;
  latenessMaxMs: number;
  /** |write time − due time| of the chunks at the median and the 99th percentile, ms (early counts as much as late) */
  releaseErrorP50Ms: number;
  releaseErrorP99Ms: number;
}

/** A running proxy. */
export interface LatencyProxy {
  name: string;
  port: number;
  stats(): ProxyStats;
  close(): Promise<void>;
}

/** A proxy running in this process: its release errors can be read for any window. */
export interface LocalProxy extends LatencyProxy {
  /** every chunk's release error since the start (take a copy to measure a window) */
  errors: ReleaseErrors;
}

/** Where every target socket of this process reads (`onread`): a chunk is copied out at once. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The first `n` bytes of the read buffer as a Buffer of their own (small ones come from Node's pool). */
function copyOut(buf: Uint8Array, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  out.set(buf.subarray(0, n));
  return out;
}

/**
 * The socket `accepted` (taken paused: `pauseOnConnect`) re-made around its handle so that it
 * reads through `onread` into READ_BUFFER, calling `onChunk(n, buffer)` for each read (return
 * false to stop reading). The accepted wrapper is destroyed without its handle, which releases
 * its place in the server's connection count; the new socket owns the connection from then on.
 */
function adoptAccepted(accepted: net.Socket, onChunk: (n: number, buf: Uint8Array) => boolean): net.Socket {
  const a = accepted as net.Socket & { _handle: unknown };
  const handle = a._handle;
  a._handle = null;
  accepted.destroy();
  return new net.Socket({ handle, readable: true, writable: true, allowHalfOpen: true, onread: { buffer: READ_BUFFER, callback: onChunk } } as net.SocketConstructorOpts);
}

/** A link with no delay at all (for checks and for the local path). */
export const NO_DELAY: LinkSpec = { delayMs: 0, jitterMs: 0, loss: 0, rtoMs: 200 };

/** Checks a connection's setup round trips; throws RangeError naming the field. */
export function checkSetupRtts(n: number, where: string): void {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`${where} must be an integer >= 0 (got ${n})`);
}

/** Checks a link spec; throws RangeError naming the bad field. */
export function checkLink(l: LinkSpec, where: string): void {
  for (const k of ['delayMs', 'jitterMs', 'rtoMs'] as const) {
    if (!(Number.isFinite(l[k]) && l[k] >= 0)) throw new RangeError(`${where}.${k} must be a finite number >= 0 (got ${l[k]})`);
  }
  if (!(l.loss >= 0 && l.loss < 1)) throw new RangeError(`${where}.loss must be in [0, 1) (got ${l.loss})`);
}

/**
 * Starts a TCP proxy that stands for a network path between two regions: every connection to it
 * is relayed to the target with the configured delay per direction. Throws RangeError for a bad
 * link spec; rejects if the port cannot be bound.
 */
export async function startProxy(opts: ProxyOptions): Promise<LocalProxy> {
  checkSetupRtts(opts.setupRtts ?? 0, `${opts.name}.setupRtts`);
  checkLink(opts.up, `${opts.name}.up`);
  checkLink(opts.down, `${opts.name}.down`);
  const rng = seedrandom(opts.seed ?? opts.name);
  const up: LineStats = { bytes: 0, chunks: 0, lost: 0, latenessSum: 0, latenessMax: 0 };
  const down: LineStats = { bytes: 0, chunks: 0, lost: 0, latenessSum: 0, latenessMax: 0 };
  const errors = new ReleaseErrors();
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const clock = opts.clock ? new DueClock(opts.clock) : realClock;

  const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
    connections++;
    relay(accepted, opts, { rng, up, down, errors, sockets, clock });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.listenHost ?? '127.0.0.1', port: opts.listenPort ?? 0 }, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  let closed: Promise<void> | null = null;
  return {
    name: opts.name,
    port,
    errors,
    stats(): ProxyStats {
      const chunks = up.chunks + down.chunks;
      return {
        connections, upBytes: up.bytes, downBytes: down.bytes, chunks, lostChunks: up.lost + down.lost,
        latenessMeanMs: chunks ? (up.latenessSum + down.latenessSum) / chunks : 0,
        latenessMaxMs: Math.max(up.latenessMax, down.latenessMax),
        releaseErrorP50Ms: errors.count ? errors.absQuantile(0.5) : 0,
        releaseErrorP99Ms: errors.count ? errors.absQuantile(0.99) : 0,
      };
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closed;
    },
  };
}

/** What every relayed connection of one proxy shares. */
interface ProxyShared {
  rng: seedrandom.PRNG;
  up: LineStats;
  down: LineStats;
  errors: ReleaseErrors;
  sockets: Set<net.Socket>;
  clock: DueClock;
}

/**
 * Relays one accepted connection to the target through two delay lines.
 *
 * perf: both sides read into one process-wide buffer (`onread`) and hand a copy to their delay
 * line, skipping a 64 KiB allocation and the stream machinery per chunk (docs/live.md). An
 * accepted socket cannot be opened with `onread`, so it is accepted paused and its handle is
 * re-wrapped in a socket that reads that way (`adoptAccepted`).
 */
function relay(accepted: net.Socket, opts: ProxyOptions, line: ProxyShared): void {
  let upLine: DelayLine | null = null;
  const client = adoptAccepted(accepted, (n, buf) => {
    upLine!.push(copyOut(buf, n));
    return true;
  });
  client.setNoDelay(true);
  let downLine: DelayLine | null = null;
  // both sides allow half-open connections: a peer's end is relayed by its delay line (after
  // the bytes before it) while the other direction keeps flowing until its own end
  const target = net.connect({ host: opts.targetHost, port: opts.targetPort, allowHalfOpen: true, onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => {
    downLine!.push(copyOut(buf, n));
    return true; // backpressure: the line pauses the socket itself
  } } });
  target.setNoDelay(true);
  line.sockets.add(client);
  line.sockets.add(target);
  const setupMs = (opts.setupRtts ?? 0) * (opts.up.delayMs + opts.down.delayMs);
  downLine = new DelayLine(target, client, opts.down, line.rng, line.down, 0, line.clock, line.errors, false);
  upLine = new DelayLine(client, target, opts.up, line.rng, line.up, setupMs, line.clock, line.errors, false);
  const lines = [upLine, downLine];
  const teardown = () => {
    for (const l of lines) l.destroy();
    client.destroy();
    target.destroy();
    line.sockets.delete(client);
    line.sockets.delete(target);
  };
  // A reset on one side resets the other; an orderly end is relayed by the delay line.
  client.on('error', teardown);
  target.on('error', teardown);
  client.on('close', () => { if (target.writableEnded || target.destroyed) teardown(); });
  target.on('close', () => { if (client.writableEnded || client.destroyed) teardown(); });
}

/** Both directions of a path with round-trip `rttMs`: half each way. */
export function symmetricLinks(rttMs: number, jitterMs: number, loss: number, rtoMs: number): { up: LinkSpec; down: LinkSpec } {
  const l: LinkSpec = { delayMs: rttMs / 2, jitterMs, loss, rtoMs };
  return { up: l, down: { ...l } };
}

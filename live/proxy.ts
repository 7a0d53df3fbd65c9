import net from 'node:net';
import seedrandom from 'seedrandom';

/**
 * One direction of an emulated network path.
 * - `delayMs`: one-way delay added to every chunk (half the path's RTT)
 * - `jitterMs`: each chunk's delay is drawn uniformly in delayMs ± jitterMs (never below 0)
 * - `loss`: probability a chunk is "lost"; TCP hides a loss as a retransmission, so it costs
 *   `rtoMs` of extra delay instead of missing bytes
 */
export interface LinkSpec {
  delayMs: number;
  jitterMs: number;
  loss: number;
  rtoMs: number;
}

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
}

/** A running proxy. */
export interface LatencyProxy {
  name: string;
  port: number;
  stats(): ProxyStats;
  close(): Promise<void>;
}

/** Bytes a delay line may hold before it stops reading its source (backpressure). */
export const PROXY_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** A chunk this close to its due time is sent now rather than re-arming a timer, ms. */
const SEND_EARLY_TOLERANCE_MS = 0.5;

/** A link with no delay at all (for checks and for the local path). */
export const NO_DELAY: LinkSpec = { delayMs: 0, jitterMs: 0, loss: 0, rtoMs: 200 };

/** Checks a link spec; throws RangeError naming the bad field. */
export function checkLink(l: LinkSpec, where: string): void {
  for (const k of ['delayMs', 'jitterMs', 'rtoMs'] as const) {
    if (!(Number.isFinite(l[k]) && l[k] >= 0)) throw new RangeError(`${where}.${k} must be a finite number >= 0 (got ${l[k]})`);
  }
  if (!(l.loss >= 0 && l.loss < 1)) throw new RangeError(`${where}.loss must be in [0, 1) (got ${l.loss})`);
}

/**
 * One direction of one connection: chunks leave in arrival order, each no earlier than its own
 * due time. A chunk's due time is max(previous due, arrival + drawn delay), so jitter never
 * reorders bytes, exactly as TCP delivers them in order.
 */
class DelayLine {
  private readonly chunks: Buffer[] = [];
  private readonly due: number[] = [];
  private head = 0;
  private lastDue = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private ended = false;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly link: LinkSpec,
    private readonly rng: () => number,
    private readonly stats: { bytes: number; chunks: number; lost: number; latenessSum: number; latenessMax: number },
    /** extra delay of the first chunk only (connection setup), ms */
    private setupMs = 0,
  ) {
    from.on('data', (b: Buffer) => this.push(b));
    from.on('end', () => {
      this.ended = true;
      this.flush();
    });
    to.on('drain', () => this.flush());
  }

  private push(b: Buffer): void {
    const now = performance.now();
    let d = this.link.delayMs + this.setupMs;
    this.setupMs = 0;
    if (this.link.jitterMs > 0) d = Math.max(0, d + (this.rng() * 2 - 1) * this.link.jitterMs);
    if (this.link.loss > 0 && this.rng() < this.link.loss) {
      d += this.link.rtoMs;
      this.stats.lost++;
    }
    const due = Math.max(this.lastDue, now + d);
    this.lastDue = due;
    this.chunks.push(b);
    this.due.push(due);
    this.queuedBytes += b.length;
    if (this.queuedBytes > PROXY_MAX_QUEUED_BYTES && !this.paused) {
      this.paused = true;
      this.from.pause();
    }
    if (this.head === this.chunks.length - 1) this.flush();
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const now = performance.now();
    while (this.head < this.chunks.length) {
      const due = this.due[this.head];
      if (due - now > SEND_EARLY_TOLERANCE_MS) {
        this.timer = setTimeout(() => this.flush(), Math.max(1, Math.floor(due - now)));
        return;
      }
      const b = this.chunks[this.head];
      this.chunks[this.head] = undefined as unknown as Buffer;
      this.head++;
      this.queuedBytes -= b.length;
      const late = Math.max(0, now - due);
      this.stats.latenessSum += late;
      if (late > this.stats.latenessMax) this.stats.latenessMax = late;
      this.stats.bytes += b.length;
      this.stats.chunks++;
      if (!this.to.destroyed) this.to.write(b);
    }
    this.chunks.length = 0;
    this.due.length = 0;
    this.head = 0;
    if (this.paused && this.queuedBytes < PROXY_MAX_QUEUED_BYTES / 2) {
      this.paused = false;
      this.from.resume();
    }
    if (this.ended && !this.to.destroyed) this.to.end();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Starts a TCP proxy that stands for a network path between two regions: every connection to it
 * is relayed to the target with the configured delay per direction. Throws RangeError for a bad
 * link spec; rejects if the port cannot be bound.
 */
export async function startProxy(opts: ProxyOptions): Promise<LatencyProxy> {
  if (!(Number.isInteger(opts.setupRtts ?? 0) && (opts.setupRtts ?? 0) >= 0)) throw new RangeError(`${opts.name}.setupRtts must be an integer >= 0 (got ${opts.setupRtts})`);
  checkLink(opts.up, `${opts.name}.up`);
  checkLink(opts.down, `${opts.name}.down`);
  const rng = seedrandom(opts.seed ?? opts.name);
  const up = { bytes: 0, chunks: 0, lost: 0, latenessSum: 0, latenessMax: 0 };
  const down = { bytes: 0, chunks: 0, lost: 0, latenessSum: 0, latenessMax: 0 };
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const server = net.createServer((client) => {
    connections++;
    client.setNoDelay(true);
    const target = net.connect({ host: opts.targetHost, port: opts.targetPort });
    target.setNoDelay(true);
    sockets.add(client);
    sockets.add(target);
    const setupMs = (opts.setupRtts ?? 0) * (opts.up.delayMs + opts.down.delayMs);
    const lines = [new DelayLine(client, target, opts.up, rng, up, setupMs), new DelayLine(target, client, opts.down, rng, down)];
    const teardown = () => {
      for (const l of lines) l.destroy();
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    // A reset on one side resets the other; an orderly end is relayed by the delay line.
    client.on('error', teardown);
    target.on('error', teardown);
    client.on('close', () => { if (target.writableEnded || target.destroyed) teardown(); });
    target.on('close', () => { if (client.writableEnded || client.destroyed) teardown(); });
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
    stats(): ProxyStats {
      const chunks = up.chunks + down.chunks;
      return {
        connections, upBytes: up.bytes, downBytes: down.bytes, chunks, lostChunks: up.lost + down.lost,
        latenessMeanMs: chunks ? (up.latenessSum + down.latenessSum) / chunks : 0,
        latenessMaxMs: Math.max(up.latenessMax, down.latenessMax),
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

/** Both directions of a path with round-trip `rttMs`: half each way. */
export function symmetricLinks(rttMs: number, jitterMs: number, loss: number, rtoMs: number): { up: LinkSpec; down: LinkSpec } {
  const l: LinkSpec = { delayMs: rttMs / 2, jitterMs, loss, rtoMs };
  return { up: l, down: { ...l } };
}

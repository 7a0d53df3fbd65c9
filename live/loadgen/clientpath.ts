import { drawDelayMs, type LinkSpec } from '../proxy/delayline.ts';

/**
 * A client region's network path emulated inside the load generator instead of by a latency
 * proxy (`sim live run --client-network loadgen`): the same links, setup round trips and draws as
 * the proxy's delay lines (delayline.ts), applied where the client's bytes start and end.
 */
export interface ClientPathSpec {
  /** client → server */
  up: LinkSpec;
  /** server → client */
  down: LinkSpec;
  /** round trips a new connection spends before its first byte can go (TCP, TLS), as the proxy's `setupRtts` */
  setupRtts: number;
}

/** Chunks drawn lost (a retransmission timeout added) on a region's paths. */
export interface PathStats {
  lost: number;
}

/**
 * The two directions of one client connection over an emulated path. The generator does on its
 * own clock what a proxy between it and the server would: bytes the client sends at `t` leave for
 * the server at `upDue(t)` (the generator holds them until then), and bytes read from the server at
 * `t` reach the client at `downDue(t)` (the generator dates them so; a client's next step waits for
 * it). Each direction keeps its bytes in order, as TCP and the proxy do: due = max(previous due,
 * t + drawn delay). The first byte up also pays the connection's setup round trips.
 */
export class PathDelays {
  private lastUp = 0;
  private lastDown = 0;
  private setupMs: number;

  constructor(
    private readonly spec: ClientPathSpec,
    private readonly rng: () => number,
    private readonly stats: PathStats,
  ) {
    this.setupMs = spec.setupRtts * (spec.up.delayMs + spec.down.delayMs);
  }

  /** When bytes the client sends at `t` reach the server (ms, the caller's clock). */
  upDue(t: number): number {
    const d = drawDelayMs(this.spec.up, this.setupMs, this.rng, this.stats);
    this.setupMs = 0;
    this.lastUp = Math.max(this.lastUp, t + d);
    return this.lastUp;
  }

  /** When bytes read from the server at `t` reach the client (ms, the caller's clock). */
  downDue(t: number): number {
    this.lastDown = Math.max(this.lastDown, t + drawDelayMs(this.spec.down, 0, this.rng, this.stats));
    return this.lastDown;
  }
}

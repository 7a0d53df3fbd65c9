/**
 * Resource accounting per instance and per minute: CPU busy seconds, network bytes in and out,
 * and open connections (for the memory model). Flat typed arrays indexed [instance × minutes +
 * minute]; times may lie ahead of the clock (a handler is computed when its message arrives).
 * Work is attributed to the minute it starts in (a request's few milliseconds rarely
 * straddle a minute; a fan-out of a second sometimes does, and then lands in its first minute).
 */
export class Usage {
  readonly minutes: number;
  readonly cpuS: Float64Array;
  readonly inBytes: Float64Array;
  readonly outBytes: Float64Array;
  /** connections opened per instance and minute */
  readonly opened: Float64Array;
  /** predictions stored (answered) per minute, whole system */
  readonly stored: Float64Array;

  constructor(readonly instances: number, readonly endS: number) {
    this.minutes = Math.max(1, Math.ceil(endS / 60));
    const n = instances * this.minutes;
    this.cpuS = new Float64Array(n);
    this.inBytes = new Float64Array(n);
    this.outBytes = new Float64Array(n);
    this.opened = new Float64Array(n);
    this.stored = new Float64Array(this.minutes);
  }

  /** Adds CPU seconds at time tS (ignored past the end of the run). */
  cpu(instance: number, tS: number, seconds: number): void {
    const m = Math.floor(tS / 60);
    if (m < this.minutes) this.cpuS[instance * this.minutes + m] += seconds;
  }

  /** Adds a core busy for `seconds` from fromS: each minute it spans gets its share. */
  cpuSpan(instance: number, fromS: number, seconds: number): void {
    for (let at = fromS, left = seconds; left > 0;) {
      const chunk = Math.min(left, 60 - (at % 60));
      this.cpu(instance, at, chunk);
      at += chunk;
      left -= chunk;
    }
  }

  /** Adds bytes received and sent by an instance at time tS. */
  net(instance: number, tS: number, inB: number, outB: number): void {
    const m = Math.floor(tS / 60);
    if (m < this.minutes) {
      const i = instance * this.minutes + m;
      this.inBytes[i] += inB;
      this.outBytes[i] += outB;
    }
  }

  /** A connection to an instance opened at time tS (it stays open to the end of the run). */
  connect(instance: number, tS: number): void {
    const m = Math.floor(tS / 60);
    if (m < this.minutes) this.opened[instance * this.minutes + m]++;
  }

  /** A prediction was stored at time tS (its confirmation leaves the server). */
  store(tS: number): void {
    const m = Math.floor(tS / 60);
    if (m < this.minutes) this.stored[m]++;
  }

  /** Open connections per instance at the end of each minute (cumulative opens). */
  openConnections(instance: number): Float64Array {
    const out = new Float64Array(this.minutes);
    let open = 0;
    for (let m = 0; m < this.minutes; m++) {
      open += this.opened[instance * this.minutes + m];
      out[m] = open;
    }
    return out;
  }

  /** Seconds of minute m that lie inside the run (the last minute may be partial). */
  minuteLengthS(m: number): number {
    return Math.min(60, this.endS - m * 60);
  }
}

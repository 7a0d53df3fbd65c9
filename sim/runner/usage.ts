/**
 * Resource accounting per instance and per minute: CPU busy seconds, network bytes in and out,
 * and open connections (for the memory model). Flat typed arrays indexed [instance × minutes +
 * minute]; work is attributed to the minute it starts in (a request's few milliseconds rarely
 * straddle a minute; a fan-out of a second sometimes does, and then lands in its first minute).
 */
export class Usage {
  readonly minutes: number;
  readonly cpuS: Float64Array;
  readonly inBytes: Float64Array;
  readonly outBytes: Float64Array;
  /** open connections per instance at the end of each minute */
  readonly connections: Float64Array;
  /** open connections per instance now */
  readonly open: Float64Array;
  /** connected users now (all instances) */
  openTotal = 0;
  /** connected users at the end of each minute */
  readonly openTotalAt: Float64Array;

  constructor(readonly instances: number, readonly endS: number) {
    this.minutes = Math.max(1, Math.ceil(endS / 60));
    const n = instances * this.minutes;
    this.cpuS = new Float64Array(n);
    this.inBytes = new Float64Array(n);
    this.outBytes = new Float64Array(n);
    this.connections = new Float64Array(n);
    this.open = new Float64Array(instances);
    this.openTotalAt = new Float64Array(this.minutes);
  }

  /** Adds CPU seconds at time tS (ignored past the end of the run). */
  cpu(instance: number, tS: number, seconds: number): void {
    const m = Math.floor(tS / 60);
    if (m < this.minutes) this.cpuS[instance * this.minutes + m] += seconds;
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

  connect(instance: number): void {
    this.open[instance]++;
    this.openTotal++;
  }

  /** Snapshots the open connections at the end of minute m. */
  snapshot(m: number): void {
    if (m < 0 || m >= this.minutes) return;
    for (let i = 0; i < this.instances; i++) this.connections[i * this.minutes + m] = this.open[i];
    this.openTotalAt[m] = this.openTotal;
  }

  /** Seconds of minute m that lie inside the run (the last minute may be partial). */
  minuteLengthS(m: number): number {
    return Math.min(60, this.endS - m * 60);
  }
}

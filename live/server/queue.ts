/**
 * A strict FIFO that runs one task at a time to the end: the blocking-driver event loop. While a
 * task awaits its database, nothing else queued here moves, exactly as a Tornado process on a
 * synchronous driver cannot serve another request. `limit` bounds the waiting tasks.
 */
export class SerialQueue {
  private readonly tasks: (() => Promise<void>)[] = [];
  private head = 0;
  private running = false;
  /** largest number of tasks seen waiting */
  maxDepth = 0;

  constructor(private readonly limit: number) {}

  get depth(): number {
    return this.tasks.length - this.head;
  }

  /** Queues a task; returns false (and does not queue) when the queue is full. */
  push(task: () => Promise<void>): boolean {
    if (this.depth >= this.limit) return false;
    this.tasks.push(task);
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
    if (!this.running) void this.drain();
    return true;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.head < this.tasks.length) {
      const task = this.tasks[this.head];
      this.tasks[this.head++] = undefined as unknown as () => Promise<void>;
      if (this.head > 1024 && this.head * 2 > this.tasks.length) {
        this.tasks.splice(0, this.head);
        this.head = 0;
      }
      try {
        await task();
      } catch {
        // a task reports its own failure; the queue must keep moving
      }
    }
    this.running = false;
  }
}

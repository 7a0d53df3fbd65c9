import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { UserError, invalid } from '../../model/errors.ts';
import type { SimInput } from '../input.ts';
import { poolRunner } from './pool.ts';
import type { CellRunner, ManyProgress } from './runner.ts';

/**
 * Distribution of cells over machines with BullMQ on Redis. The command that owns the cells
 * (`sim sweep --queue redis://...`) enqueues one job per cell (payload: the SimInput, plain
 * JSON) and collects each job's return value (the Report JSON text); `sim worker --queue ...`
 * on any machine runs jobs on its own pool of worker threads.
 *
 * A worker that dies loses no job: its job lock is no longer renewed, another worker's stalled
 * check puts the job back in the queue, and it runs again (the result is the same: a cell
 * depends only on its input). A job that throws is retried with backoff, up to
 * {@link QueueSettings.attempts}.
 */

/** Default queue name when `--name` is not given. */
export const DEFAULT_QUEUE_NAME = 'sim-cells';

/** Limits of the job engine, with their defaults (BullMQ's own for locks and stalls). */
export interface QueueSettings {
  /** attempts of a job that throws before it counts as failed */
  attempts: number;
  /** first retry delay (ms), doubled at each attempt */
  backoffMs: number;
  /** how long a worker's lock on a job lasts without renewal (ms); renewed every half of it */
  lockMs: number;
  /** how often a worker looks for jobs whose lock expired (ms) */
  stalledMs: number;
  /** times a job may stall (its worker died) before it counts as failed */
  maxStalled: number;
}

export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettings> = Object.freeze({
  attempts: 3,
  backoffMs: 1000,
  lockMs: 30_000,
  stalledMs: 30_000,
  maxStalled: 5,
});

/**
 * `redis://[user:password@]host[:port][/db]` → connection options.
 * @throws UserError CONFIG_INVALID naming the flag, the value and the rule
 */
export function parseQueueUrl(text: string, flag = '--queue'): ConnectionOptions {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(flag, text, 'must be a Redis URL such as redis://127.0.0.1:6379');
  }
  if (url.protocol !== 'redis:') throw invalid(flag, text, 'must be a Redis URL starting with redis://');
  const db = url.pathname && url.pathname !== '/' ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw invalid(flag, text, 'must name a database number after the slash (redis://host:6379/0)');
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    // required by BullMQ workers; commands wait for a reconnect instead of failing
    maxRetriesPerRequest: null,
  };
}

/** @throws UserError CONFIG_INVALID for a name BullMQ cannot use */
export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw invalid('--name', name, 'must be 1-100 letters, digits, dot, dash or underscore');
  return name;
}

/** Waits for the connection, or fails with one line when Redis does not answer. */
async function reachable(url: string, queue: { waitUntilReady(): Promise<unknown> }): Promise<void> {
  const timeout = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new UserError('LIVE_SERVICE', `Redis at ${url} is not reachable (no answer within 5 s)`)), 5000);
    t.unref();
  });
  await Promise.race([queue.waitUntilReady(), timeout]);
}

/**
 * A CellRunner that enqueues cells as BullMQ jobs and waits for `sim worker` processes to run
 * them. Progress counts come from the queue's event stream: done, running (active), failed
 * (no attempts left) and retried (stalled or failed attempts put back).
 */
export async function queueRunner(url: string, name: string = DEFAULT_QUEUE_NAME, settings: QueueSettings = DEFAULT_QUEUE_SETTINGS): Promise<CellRunner> {
  const connection = parseQueueUrl(url);
  checkQueueName(name);
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  // connection errors surface through reachable(); keep ioredis from printing each retry
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await reachable(url, queue);
    await events.waitUntilReady();
  } catch (err) {
    await Promise.allSettled([events.close(), queue.close()]);
    throw err;
  }
  return {
    kind: 'queue',
    slots: Number.POSITIVE_INFINITY,
    async run(inputs: readonly SimInput[], onProgress?: (p: ManyProgress) => void) {
      // one tag per batch, so two commands sharing a queue never collect each other's jobs
      const tag = randomUUID();
      const ids = inputs.map((_, i) => `${tag}-${i}`);
      const mine = new Set(ids);
      const active = new Set<string>();
      const p: ManyProgress = { total: inputs.length, done: 0, running: 0, failed: 0, retried: 0 };
      const report = (): void => onProgress?.({ ...p, running: active.size });
      const onActive = ({ jobId }: { jobId: string }): void => { if (mine.has(jobId)) { active.add(jobId); report(); } };
      const onRetry = ({ jobId }: { jobId: string }): void => { if (mine.has(jobId)) { active.delete(jobId); p.retried++; report(); } };
      events.on('active', onActive);
      events.on('stalled', onRetry);
      events.on('delayed', onRetry);
      try {
        const jobs = await queue.addBulk(inputs.map((input, i) => ({
          name: 'cell',
          data: input,
          opts: { jobId: ids[i], attempts: settings.attempts, backoff: { type: 'exponential', delay: settings.backoffMs } },
        })));
        report();
        const results = await Promise.allSettled(jobs.map(async (job) => {
          try {
            const text = (await job.waitUntilFinished(events)) as string;
            p.done++;
            return text;
          } catch (err) {
            p.failed++;
            throw err;
          } finally {
            active.delete(job.id!);
            report();
          }
        }));
        const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (bad) throw new Error(`a queued cell failed for good: ${(bad.reason as Error).message}`);
        return results.map((r) => (r as PromiseFulfilledResult<string>).value);
      } finally {
        events.off('active', onActive);
        events.off('stalled', onRetry);
        events.off('delayed', onRetry);
        await Promise.all(ids.map((id) => queue.remove(id).catch(() => 0)));
      }
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}

/** A running `sim worker`: close() stops taking jobs, finishes the current ones and exits. */
export interface QueueWorker {
  close(): Promise<void>;
}

/**
 * Takes jobs from the queue and runs them on a local pool of `concurrency` worker threads (the
 * main thread stays free to renew job locks while a cell runs for minutes).
 */
export async function startQueueWorker(url: string, name: string, concurrency: number, settings: QueueSettings = DEFAULT_QUEUE_SETTINGS,
  log: (line: string) => void = () => {}): Promise<QueueWorker> {
  const connection = parseQueueUrl(url);
  checkQueueName(name);
  const pool = poolRunner(concurrency);
  const worker = new Worker(name, async (job) => {
    log(`job ${job.id} started (attempt ${job.attemptsMade + 1})`);
    const [text] = await pool.run([job.data as SimInput]);
    log(`job ${job.id} done`);
    return text;
  }, {
    connection,
    concurrency,
    lockDuration: settings.lockMs,
    stalledInterval: settings.stalledMs,
    maxStalledCount: settings.maxStalled,
    autorun: false,
  });
  worker.on('failed', (job, err) => log(`job ${job?.id} failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  try {
    await reachable(url, worker);
  } catch (err) {
    await Promise.allSettled([worker.close(true), pool.close()]);
    throw err;
  }
  void worker.run();
  return {
    async close() {
      await worker.close();
      await pool.close();
    },
  };
}

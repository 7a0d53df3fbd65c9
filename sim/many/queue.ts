import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { UserError, invalid } from '../../model/errors.ts';
import type { SimInput } from '../input.ts';
import { poolRunner } from './pool.ts';
import { settleCounted, type CellRunner, type ManyProgress } from './runner.ts';

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

/** Seconds to wait for Redis to answer before giving up. */
export const REDIS_CONNECT_TIMEOUT_S = 5;

/**
 * Checks that Redis answers, with a client that does not retry, before BullMQ's own clients
 * (which retry forever) are created. @throws UserError LIVE_SERVICE in one line
 */
export async function probeRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const { maxRetriesPerRequest: _m, ...opts } = parseQueueUrl(url) as Record<string, unknown>;
  const client = new Redis({ ...opts, lazyConnect: true, connectTimeout: REDIS_CONNECT_TIMEOUT_S * 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause = '';
  client.on('error', (err: Error) => { cause ||= err.message; });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new UserError('LIVE_SERVICE', `Redis at ${url} does not answer (${cause || (err as Error).message})`);
  } finally {
    client.disconnect();
  }
}

/**
 * A CellRunner that enqueues cells as BullMQ jobs and waits for `sim worker` processes to run
 * them. Progress counts come from the queue's event stream: done, running (active), failed
 * (no attempts left) and retried (stalled or failed attempts put back).
 */
export async function queueRunner(url: string, name: string = DEFAULT_QUEUE_NAME, settings: QueueSettings = DEFAULT_QUEUE_SETTINGS): Promise<CellRunner> {
  const connection = parseQueueUrl(url);
  checkQueueName(name);
  await probeRedis(url);
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  await queue.waitUntilReady();
  await events.waitUntilReady();
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
        return await settleCounted(jobs, async (job) => (await job.waitUntilFinished(events)) as string, p, report, {
          settled: (job) => active.delete(job.id!),
          wrap: (reason) => new Error(`a queued cell failed for good: ${(reason as Error).message}`),
        });
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
  await probeRedis(url);
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
  await worker.waitUntilReady();
  void worker.run();
  return {
    async close() {
      await worker.close();
      await pool.close();
    },
  };
}

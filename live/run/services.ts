import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../model/errors.ts';
import { forkChild, pidAlive, waitGone, type Child } from '../children.ts';
import { DEFAULT_MYSQL_URL, DEFAULT_REDIS_URL, parseMysqlUrl, parseRedisUrl, type MysqlTarget, type RedisTarget } from '../endpoints.ts';
import { freePort } from '../server/host.ts';
import { UNDER_TEST_NICE } from '../spawn.ts';

/** The real Redis and MySQL a live run uses, and how to stop the ones it started itself. */
export interface Services {
  redis: RedisTarget;
  mysql: MysqlTarget;
  /** what was started privately (empty when existing servers are used) */
  started: string[];
  stop(): Promise<void>;
}

/** Where to find Redis and MySQL (see resolveServices). */
export interface ServiceOptions {
  /** REDIS_URL (else 127.0.0.1:6379) */
  redisUrl?: string;
  /** MYSQL_URL (else root@127.0.0.1:3306) */
  mysqlUrl?: string;
  /** database name when the URL has none */
  database?: string;
  /** skip the default local servers and start private instances (used by tests of that path) */
  forcePrivate?: boolean;
  log?: (line: string) => void;
}

/** Time a private server gets to come up. */
const SERVICE_START_TIMEOUT_MS = 60_000;

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function waitReachable(host: string, port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + SERVICE_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new UserError('LIVE_SERVICE', `private ${what} exited with code ${child.exitCode} while starting`);
    if (await reachable(host, port, 250)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new UserError('LIVE_SERVICE', `private ${what} did not accept connections on ${host}:${port} within ${SERVICE_START_TIMEOUT_MS / 1000} s`);
}

function which(bins: string[]): string | null {
  for (const b of bins) {
    const r = spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Prefixes of the temporary data directories of private services (under the system temp directory). */
const DIR_PREFIXES = { redis: 'sim-live-redis-', mariadb: 'sim-live-mysql-' } as const;
/** File in a private service's directory naming the process that owns it and the service's pid. */
const OWNER_FILE = 'owner.json';

/**
 * The guard of this process's private services (guardMain.ts): stops them and removes their
 * directories if this process dies without doing it, by any signal, SIGKILL included.
 */
let guardChild: Child | null = null;
const guarded = new Set<number>();

async function guard(pid: number, dir: string): Promise<void> {
  if (!guardChild) {
    const g = forkChild('run/guardMain.ts', {});
    await g.waitFor(['ready'], 30_000);
    // The guard must not keep this process alive, only outlive it.
    g.proc.unref();
    (g.proc.channel as { unref?: () => void } | undefined)?.unref?.();
    guardChild = g;
  }
  guarded.add(pid);
  guardChild.proc.send({ type: 'watch', pid, dir });
}

function unguard(pid: number): void {
  if (!guardChild || !guarded.delete(pid)) return;
  guardChild.proc.send({ type: 'release', pid });
  if (!guarded.size) {
    // nothing left to guard: disconnecting lets it exit with nothing to clean
    guardChild.proc.disconnect();
    guardChild = null;
  }
}

/**
 * Removes what private services of earlier runs left behind when their run and its guard were
 * both killed (e.g. SIGKILL of the whole process group): directories whose owner process is gone,
 * and the service still running from such a directory. Says what it removed.
 */
export function reapLeftovers(log: (line: string) => void, tmp = os.tmpdir()): number {
  let reaped = 0;
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!Object.values(DIR_PREFIXES).some((p) => name.startsWith(p))) continue;
    const dir = path.join(tmp, name);
    let owner: { ownerPid?: number; pid?: number | null };
    try {
      owner = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
    } catch {
      continue; // not ours to judge (no owner file, or being created)
    }
    if (!owner.ownerPid || pidAlive(owner.ownerPid)) continue;
    const pid = owner.pid ?? null;
    let killed = '';
    if (pid && pidAlive(pid)) {
      // only a process that runs from this directory: a recycled pid is someone else's
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        // unreadable: leave the process alone
      }
      if (!cmdline.includes(dir)) continue;
      process.kill(pid, 'SIGKILL');
      killed = `stopped pid ${pid} and `;
    }
    rmSync(dir, { recursive: true, force: true });
    reaped++;
    log(`an earlier live run (pid ${owner.ownerPid}) died without cleaning up: ${killed}removed ${dir}`);
  }
  return reaped;
}

/** A private Redis or MariaDB this process started: where it listens, its pid and data directory. */
export interface PrivateService<T> {
  target: T;
  dir: string;
  pid(): number | undefined;
  /** SIGKILL, as a crash would; waits until it is gone; the data directory stays */
  kill(): Promise<void>;
  /** starts it again on the same port with the same data directory */
  restart(): Promise<void>;
  /** stops it (SIGTERM, then SIGKILL after 10 s) and removes its directory */
  stop(): Promise<void>;
}

function privateService<T>(what: string, bin: string, args: string[], dir: string, target: T & { port: number }): Promise<PrivateService<T>> {
  let child: ChildProcess;
  const start = async () => {
    // its own process group: a Ctrl-C to the run does not kill it before the run stops it in order
    child = spawn(bin, args, { stdio: 'ignore', detached: true });
    // part of the system under test: below the generators and proxies (spawn.ts UNDER_TEST_NICE)
    try {
      if (child.pid) os.setPriority(child.pid, UNDER_TEST_NICE);
    } catch {
      // already gone: waitReachable says so
    }
    writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify({ ownerPid: process.pid, pid: child.pid ?? null, what }));
    if (child.pid) await guard(child.pid, dir);
    try {
      await waitReachable('127.0.0.1', target.port, child, what);
    } catch (err) {
      await svc.stop();
      throw err;
    }
  };
  const svc: PrivateService<T> = {
    target,
    dir,
    pid: () => child?.pid,
    async kill() {
      const pid = child.pid;
      child.kill('SIGKILL');
      if (pid) await waitGone([pid], 10_000);
    },
    restart: start,
    async stop() {
      await stopChild(child);
      if (child.pid) unguard(child.pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return start().then(() => svc);
}

function privateDir(kind: keyof typeof DIR_PREFIXES): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), DIR_PREFIXES[kind]));
  writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify({ ownerPid: process.pid, pid: null }));
  return dir;
}

/** Starts a private Redis on a free port with a temporary directory (no persistence). */
export async function privateRedis(log: (l: string) => void): Promise<PrivateService<RedisTarget>> {
  const bin = which(['redis-server']);
  if (!bin) throw new UserError('LIVE_SERVICE', 'Redis is not reachable on 127.0.0.1:6379 and redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL');
  reapLeftovers(log);
  const dir = privateDir('redis');
  const port = await freePort();
  log(`starting a private Redis on 127.0.0.1:${port} (data in ${dir})`);
  return privateService('Redis', bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], dir, { host: '127.0.0.1', port, db: 0 });
}

/**
 * Connections a private MariaDB accepts: its default, 151, is fewer than Proposed II's 16 server
 * processes may hold (pools of up to 16 to a read and a write node each, live/server/store.ts).
 */
export const PRIVATE_MYSQL_MAX_CONNECTIONS = 2000;

/** Starts a private MariaDB on a free port with a temporary data directory. */
export async function privateMysql(database: string, log: (l: string) => void): Promise<PrivateService<MysqlTarget>> {
  const server = which(['mariadbd', 'mysqld', '/usr/sbin/mariadbd', '/usr/sbin/mysqld']);
  const install = which(['mariadb-install-db', 'mysql_install_db']);
  if (!server || !install) throw new UserError('LIVE_SERVICE', 'MySQL is not reachable on 127.0.0.1:3306 and no MariaDB server is installed: install it (Debian/Ubuntu: apt-get install mariadb-server) or set MYSQL_URL');
  reapLeftovers(log);
  const dir = privateDir('mariadb');
  const port = await freePort();
  const user = os.userInfo().username;
  log(`starting a private MariaDB on 127.0.0.1:${port} (data in ${dir})`);
  const init = spawnSync(install, ['--no-defaults', `--datadir=${dir}/data`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new UserError('LIVE_SERVICE', `could not initialise a private MariaDB data directory: ${(init.stderr || init.stdout).trim().split('\n').pop()}`);
  }
  return privateService('MariaDB', server, ['--no-defaults', `--datadir=${dir}/data`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${dir}/mysqld.sock`, `--pid-file=${dir}/mysqld.pid`, `--user=${user}`, '--skip-log-bin', '--innodb-buffer-pool-size=64M', `--max-connections=${PRIVATE_MYSQL_MAX_CONNECTIONS}`], dir, { host: '127.0.0.1', port, user: 'root', password: '', database });
}

/**
 * Finds Redis and MySQL: the URLs when given (they must answer), else the local default
 * servers, else private instances started from the installed binaries on free ports with
 * temporary data directories (removed by `stop`). Throws UserError LIVE_SERVICE saying exactly
 * what is missing or unreachable.
 */
export async function resolveServices(o: ServiceOptions = {}): Promise<Services> {
  const log = o.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const started: string[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    stops.length = 0;
  };
  try {
    let redis: RedisTarget;
    if (o.redisUrl) {
      redis = parseRedisUrl(o.redisUrl);
      if (!(await reachable(redis.host, redis.port))) throw new UserError('LIVE_SERVICE', `Redis at REDIS_URL=${o.redisUrl} is not reachable; start it or unset REDIS_URL`);
    } else {
      redis = parseRedisUrl(DEFAULT_REDIS_URL);
      if (o.forcePrivate || !(await reachable(redis.host, redis.port))) {
        const p = await privateRedis(log);
        stops.push(p.stop);
        started.push(`redis 127.0.0.1:${p.target.port}`);
        redis = p.target;
      }
    }
    let mysql: MysqlTarget;
    if (o.mysqlUrl) {
      mysql = parseMysqlUrl(o.mysqlUrl);
      if (!(await reachable(mysql.host, mysql.port))) throw new UserError('LIVE_SERVICE', `MySQL at MYSQL_URL=${o.mysqlUrl} is not reachable; start it or unset MYSQL_URL`);
    } else {
      mysql = parseMysqlUrl(DEFAULT_MYSQL_URL);
      if (o.database) mysql.database = o.database;
      if (o.forcePrivate || !(await reachable(mysql.host, mysql.port))) {
        const p = await privateMysql(mysql.database, log);
        stops.push(p.stop);
        started.push(`mariadb 127.0.0.1:${p.target.port}`);
        mysql = p.target;
      }
    }
    return { redis, mysql, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../model/errors.ts';
import { DEFAULT_MYSQL_URL, DEFAULT_REDIS_URL, parseMysqlUrl, parseRedisUrl, type MysqlTarget, type RedisTarget } from './endpoints.ts';
import { freePort } from './host.ts';

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

async function privateRedis(log: (l: string) => void): Promise<{ target: RedisTarget; stop: () => Promise<void> }> {
  const bin = which(['redis-server']);
  if (!bin) throw new UserError('LIVE_SERVICE', 'Redis is not reachable on 127.0.0.1:6379 and redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-live-redis-'));
  const port = await freePort();
  log(`starting a private Redis on 127.0.0.1:${port} (data in ${dir})`);
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  try {
    await waitReachable('127.0.0.1', port, child, 'Redis');
  } catch (err) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { target: { host: '127.0.0.1', port, db: 0 }, stop: async () => { await stopChild(child); rmSync(dir, { recursive: true, force: true }); } };
}

async function privateMysql(database: string, log: (l: string) => void): Promise<{ target: MysqlTarget; stop: () => Promise<void> }> {
  const server = which(['mariadbd', 'mysqld', '/usr/sbin/mariadbd', '/usr/sbin/mysqld']);
  const install = which(['mariadb-install-db', 'mysql_install_db']);
  if (!server || !install) throw new UserError('LIVE_SERVICE', 'MySQL is not reachable on 127.0.0.1:3306 and no MariaDB server is installed: install it (Debian/Ubuntu: apt-get install mariadb-server) or set MYSQL_URL');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sim-live-mysql-'));
  const port = await freePort();
  const user = os.userInfo().username;
  log(`starting a private MariaDB on 127.0.0.1:${port} (data in ${dir})`);
  const init = spawnSync(install, ['--no-defaults', `--datadir=${dir}/data`, `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new UserError('LIVE_SERVICE', `could not initialise a private MariaDB data directory: ${(init.stderr || init.stdout).trim().split('\n').pop()}`);
  }
  const child = spawn(server, ['--no-defaults', `--datadir=${dir}/data`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${dir}/mysqld.sock`, `--pid-file=${dir}/mysqld.pid`, `--user=${user}`, '--skip-log-bin', '--innodb-buffer-pool-size=64M'], { stdio: 'ignore' });
  try {
    await waitReachable('127.0.0.1', port, child, 'MariaDB');
  } catch (err) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { target: { host: '127.0.0.1', port, user: 'root', password: '', database }, stop: async () => { await stopChild(child); rmSync(dir, { recursive: true, force: true }); } };
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

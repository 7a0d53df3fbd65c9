import type { Command } from 'commander';
import { DB_MODES } from '../../model/architecture.ts';
import { UserError } from '../../model/errors.ts';
import { parseDbMode, parseDurationMs, parseHostPort, parsePort, parsePositiveInt, parseRegion, parseWindowCheck } from '../args.ts';
import { interruptible, log } from '../console.ts';

/** Registers `sim live server`: one group of server processes on one port (host.ts), until Ctrl-C. */
export function register(live: Command): void {
  live
    .command('server')
    .summary('run one group of WebSocket server processes sharing a port')
    .option('--port <port>', 'port to listen on (0 = any)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--processes <n>', 'processes sharing the port round-robin', '2')
    .option('--db-mode <mode>', `database driver: ${DB_MODES.join(', ')}`, 'async')
    .option('--window-check <c>', 'broadcast window check: atomic or racy', 'atomic')
    .option('--window <d>', 'broadcast window per pool', '3s')
    .option('--region <id>', 'region this group stands for', 'eu-west-1')
    .option('--prefix <p>', 'prefix of every Redis key and channel', 'simlive:')
    .option('--redis-read <host:port>', 'Redis for reads (e.g. a proxy); default REDIS_URL or 127.0.0.1:6379')
    .option('--mysql-read <host:port>', 'MySQL for reads (e.g. a proxy); default MYSQL_URL or 127.0.0.1:3306')
    .option('--redis-write <host:port>', 'Redis for writes; default as reads')
    .option('--mysql-write <host:port>', 'MySQL for writes; default as reads')
    .option('--admin-port <port>', 'port of the GET /metrics endpoint (0 = any)', '0')
    .action(async (f: Record<string, string>) => {
      const { parseMysqlUrl, parseRedisUrl, DEFAULT_MYSQL_URL, DEFAULT_REDIS_URL } = await import('../endpoints.ts');
      const redis = parseRedisUrl(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
      const mysql = parseMysqlUrl(process.env.MYSQL_URL ?? DEFAULT_MYSQL_URL);
      const at = <T extends { host: string; port: number }>(base: T, flag: string, v?: string): T => (v ? { ...base, ...parseHostPort(flag, v) } : base);
      const redisRead = at(redis, '--redis-read', f.redisRead);
      const mysqlRead = at(mysql, '--mysql-read', f.mysqlRead);
      const endpoints = { redisRead, mysqlRead, redisWrite: at(redisRead, '--redis-write', f.redisWrite), mysqlWrite: at(mysqlRead, '--mysql-write', f.mysqlWrite) };
      const { startServerHost } = await import('./host.ts');
      const region = parseRegion('--region', f.region);
      const host = await startServerHost([{
        group: region, region, host: f.host, port: parsePort('--port', f.port), processes: parsePositiveInt('--processes', f.processes),
        mode: parseDbMode('--db-mode', f.dbMode), windowCheck: parseWindowCheck('--window-check', f.windowCheck), windowMs: parseDurationMs('--window', f.window),
        endpoints, keyPrefix: f.prefix,
      }], { adminPort: parsePort('--admin-port', f.adminPort) }).catch((err) => {
        throw new UserError('LIVE_SERVICE', `server could not start: ${(err as Error).message}`);
      });
      const g = host.groups[0];
      log(`serving ws://${f.host}:${g.port}/ with ${g.processes} processes; metrics at http://127.0.0.1:${host.adminPort}/metrics; Ctrl-C stops`);
      await interruptible((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => void host.close().then(resolve))));
    });
}

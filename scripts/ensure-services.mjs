#!/usr/bin/env node
// Makes sure the real services the integration tests use are up: Redis on 127.0.0.1:6379 and
// MariaDB/MySQL on 127.0.0.1:3306 (root, empty password), or the servers named by REDIS_URL /
// MYSQL_URL. Starts them from the installed binaries when they are down, installs them with
// apt-get when they are missing (as root), and otherwise says exactly what is missing and fails.
import net from 'node:net';
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

const log = (m) => process.stderr.write(`ensure-services: ${m}\n`);

function target(envName, fallbackPort) {
  const url = process.env[envName];
  if (!url) return { host: '127.0.0.1', port: fallbackPort, fromEnv: false };
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || fallbackPort), fromEnv: true };
}

function reachable({ host, port }, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const isRoot = process.getuid?.() === 0;

function aptInstall(pkgs) {
  if (!isRoot) return false;
  log(`installing ${pkgs.join(' ')} with apt-get`);
  try {
    execSync('apt-get update -qq', { stdio: 'inherit' });
    execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs.join(' ')}`, { stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(t, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(t, 250)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const services = [
  {
    name: 'Redis', env: 'REDIS_URL', port: 6379, bins: ['redis-server'], pkgs: ['redis-server'],
    start: () => {
      mkdirSync('/var/lib/redis', { recursive: true });
      mkdirSync('/var/log/redis', { recursive: true });
      execSync('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log', { stdio: 'inherit' });
    },
  },
  {
    name: 'MariaDB', env: 'MYSQL_URL', port: 3306, bins: ['mariadbd', 'mysqld'], pkgs: ['mariadb-server'],
    start: () => {
      if (!existsSync('/var/lib/mysql/mysql')) execSync('mariadb-install-db --user=mysql --datadir=/var/lib/mysql --auth-root-authentication-method=normal >/dev/null', { stdio: 'inherit' });
      mkdirSync('/run/mysqld', { recursive: true });
      spawnSync('chown', ['mysql:mysql', '/run/mysqld']);
      const bin = has('mariadbd') ? '/usr/sbin/mariadbd' : '/usr/sbin/mysqld';
      execSync(`start-stop-daemon --start --oknodo --background --exec ${bin}`, { stdio: 'inherit' });
    },
  },
];

let failed = false;
for (const svc of services) {
  const t = target(svc.env, svc.port);
  if (await reachable(t)) continue;
  if (t.fromEnv) {
    log(`${svc.name} at ${svc.env}=${process.env[svc.env]} is not reachable; start it or unset ${svc.env}`);
    failed = true;
    continue;
  }
  log(`${svc.name} is not running on ${t.host}:${t.port}; starting it`);
  if (!svc.bins.some(has) && !aptInstall(svc.pkgs)) {
    log(`${svc.name} is not installed and could not be installed: run 'apt-get install ${svc.pkgs.join(' ')}' as root`);
    failed = true;
    continue;
  }
  try {
    svc.start();
  } catch (err) {
    log(`could not start ${svc.name}: ${err.message}`);
  }
  if (!(await waitFor(t, 30))) {
    log(`${svc.name} did not come up on ${t.host}:${t.port} within 30 s`);
    failed = true;
  } else log(`${svc.name} is up on ${t.host}:${t.port}`);
}
process.exit(failed ? 1 : 0);

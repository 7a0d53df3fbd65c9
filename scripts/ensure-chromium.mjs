#!/usr/bin/env node
// Makes sure Debian's headless-capable Chromium is installed at /usr/bin/chromium for the report
// page's browser test. Installs it with apt-get when it is missing and we are root; otherwise
// fails with the exact command to run. It never lets a test skip silently.
//
// Usable two ways: `node scripts/ensure-chromium.mjs` (exit 0 when ready, 1 with a message when
// not), or `import { ensureChromium } from './ensure-chromium.mjs'` (returns the executable path,
// throws an Error whose message is the one line to act on).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The command a person runs (as root) when this script cannot install Chromium itself. */
export const INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';

// apt may be busy with another install (services for the integration tests); wait, don't fail.
const APT_LOCK_WAIT_S = 600;

const log = (m) => process.stderr.write(`ensure-chromium: ${m}\n`);

function works(path) {
  if (!existsSync(path)) return false;
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /chrom/i.test(r.stdout);
}

/**
 * Returns the path of a working Chromium, installing Debian's `chromium` package first when it
 * is missing and this process runs as root.
 * @throws Error naming the exact install command when Chromium is missing and cannot be installed.
 */
export function ensureChromium() {
  if (works(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; install it as root: ${INSTALL_COMMAND}`);
  }
  log(`Chromium is missing at ${CHROMIUM_PATH}; installing Debian's chromium package with apt-get`);
  const lock = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_WAIT_S}`];
  try {
    execFileSync('apt-get', [...lock, 'update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'] });
    execFileSync('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    throw new Error(`installing Chromium failed (${err.message.split('\n')[0]}); run as root: ${INSTALL_COMMAND}`);
  }
  if (!works(CHROMIUM_PATH)) {
    throw new Error(`Chromium was installed but ${CHROMIUM_PATH} --version does not run; run as root: ${INSTALL_COMMAND}`);
  }
  log(`Chromium is ready at ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const path = ensureChromium();
    log(`using ${path}`);
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}

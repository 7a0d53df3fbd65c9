import type { Command } from 'commander';
import { register as registerLoadgen } from './loadgen/cli.ts';
import { register as registerMerge } from './loadgen/mergeCli.ts';
import { register as registerProxy } from './proxy/cli.ts';
import { register as registerRun } from './run/cli.ts';
import { register as registerServer } from './server/cli.ts';

/** Registers `sim live run|server|proxy|loadgen|merge`, each defined beside its part; heavy modules load inside the actions. */
export function register(program: Command): void {
  const live = program
    .command('live')
    .summary('run the real system locally (ws + Redis + MySQL) with regions emulated, and measure it')
    .description(
      'The real prediction-market WebSocket server, latency proxies standing for the network between regions, ' +
        'and a load generator that measures like the thesis\'s clients. `live run` does it all and writes a Report; ' +
        '`live server`, `live proxy` and `live loadgen` run the parts separately (e.g. on several machines). ' +
        'Uses REDIS_URL / MYSQL_URL when set, else 127.0.0.1:6379 and root@127.0.0.1:3306, else private instances.',
    );

  registerRun(live);
  registerServer(live);
  registerProxy(live);
  registerLoadgen(live);
  registerMerge(live);
}

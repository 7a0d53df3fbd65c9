import type { Command } from 'commander';
import { invalid } from '../../model/errors.ts';
import { parseChoice } from '../../model/args.ts';
import { NETWORKS } from '../../model/network.ts';
import { DEFAULT_PARAMS } from '../../model/params.ts';
import { findRegion } from '../../model/regions.ts';
import { parseFraction, parseHostPort, parseNonNegativeInt, parsePort, parseRegion } from '../args.ts';
import { interruptible, log } from '../console.ts';

/** Registers `sim live proxy`: one latency proxy (proxy.ts) between two regions, until Ctrl-C. */
export function register(live: Command): void {
  live
    .command('proxy')
    .summary('relay TCP with the delay of a path between two regions')
    .requiredOption('--target <host:port>', 'where to relay to')
    .option('--listen <port>', 'port to listen on (0 = any)', '0')
    .option('--rtt <ms>', 'round-trip time to add (half each way)')
    .option('--from <region>', 'take the RTT from the model between two regions: from ...')
    .option('--to <region>', '... to')
    .option('--network <name>', `RTT between the two regions from: ${NETWORKS.join(', ')} (the distance prior alone)`, DEFAULT_PARAMS.network)
    .option('--jitter <ms>', 'jitter of each one-way delay, ms', '0')
    .option('--loss <p>', 'probability per chunk of a retransmission delay', '0')
    .option('--seed <s>', 'seed of jitter and loss draws', 'proxy')
    .option('--setup-rtts <n>', 'round trips a new connection pays before its first byte (TCP 1, + TLS 2)', '0')
    .action(async (f: Record<string, string>) => {
      const target = parseHostPort('--target', f.target);
      let rttMs: number;
      if (f.rtt !== undefined) {
        rttMs = Number(f.rtt);
        if (!(rttMs >= 0)) throw invalid('--rtt', f.rtt, 'must be a number of ms >= 0');
      } else if (f.from && f.to) {
        const { pathBetween } = await import('../../model/network.ts');
        const network = parseChoice('--network', f.network, NETWORKS);
        rttMs = pathBetween(findRegion(parseRegion('--from', f.from))!, findRegion(parseRegion('--to', f.to))!, { network }).rttMs;
      } else throw invalid('--rtt', undefined, 'or --from and --to must be given');
      const jitterMs = Number(f.jitter);
      if (!(jitterMs >= 0)) throw invalid('--jitter', f.jitter, 'must be a number of ms >= 0');
      const loss = parseFraction('--loss', f.loss);
      const { retransmissionTimeoutMs } = await import('../../model/network.ts');
      const { startProxy } = await import('./proxy.ts');
      const l = { delayMs: rttMs / 2, jitterMs, loss, rtoMs: retransmissionTimeoutMs(rttMs, jitterMs) };
      const setupRtts = parseNonNegativeInt('--setup-rtts', f.setupRtts);
      const p = await startProxy({ name: 'proxy', listenPort: parsePort('--listen', f.listen), targetHost: target.host, targetPort: target.port, up: l, down: { ...l }, seed: f.seed, setupRtts });
      log(`127.0.0.1:${p.port} -> ${target.host}:${target.port}, RTT ${rttMs.toFixed(1)} ms (+ jitter ${jitterMs} ms, loss ${loss}); Ctrl-C stops`);
      await interruptible((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => void p.close().then(resolve))));
      log(`relayed ${JSON.stringify(p.stats())}`);
    });
}

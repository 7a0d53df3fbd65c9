import type { Command } from 'commander';
import { invalid } from '../../model/errors.ts';
import { log, writeOut } from '../console.ts';

/** Registers `sim live merge`: the raw results of several load generators merged exactly (merge.ts). */
export function register(live: Command): void {
  live
    .command('merge')
    .summary('merge the raw results of several load generators exactly (counts add, HDR histograms merge)')
    .argument('<files...>', 'raw results written by `sim live loadgen --out`')
    .option('--out <file>', 'write the merged raw result as JSON')
    .option('--format <bench|json>', 'what to print on stdout', 'bench')
    .addHelpText('after', '\nExample:\n  sim live merge sydney.json ireland.json --out all.json --format bench')
    .action(async (files: string[], f: { out?: string; format: string }) => {
      if (!['bench', 'json'].includes(f.format)) throw invalid('--format', f.format, 'must be bench or json');
      const { mergeLoadgenResults, readLoadgenResult } = await import('./merge.ts');
      const { formatLoadgenBench } = await import('./benchreport.ts');
      const merged = mergeLoadgenResults(files.map(readLoadgenResult));
      if (f.out) writeOut(f.out, `${JSON.stringify(merged)}\n`);
      process.stdout.write(f.format === 'json' ? `${JSON.stringify(merged, null, 2)}\n` : formatLoadgenBench(merged));
      const sum = (k: 'users' | 'connected' | 'failed' | 'pending' | 'requests' | 'broadcastsReceived') => merged.regions.reduce((s, r) => s + (r[k] ?? 0), 0);
      log(`merged ${files.length} results: ${sum('users')} users, ${sum('connected')} connected, ${sum('failed')} failed, ${sum('pending')} pending, ${sum('requests')} requests, ${sum('broadcastsReceived')} updates received`);
      for (const w of merged.warnings) log(`warning: ${w}`);
    });
}

import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('run').description('simulate an architecture under the benchmark workload').action(() => {
    process.stdout.write('not yet\n');
  });
}

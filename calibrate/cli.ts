import type { Command } from 'commander';
import { register as registerFit } from './fit/cli.ts';
import { registerImport } from './import/command.ts';

/** Registers this module's subcommands. Heavy dependencies are imported inside actions, lazily. */
export function register(program: Command): void {
  registerImport(program);
  registerFit(program);
}

import type { Command } from 'commander';

/** Registers this module's subcommands. Heavy dependencies are imported inside actions, lazily. */
export function register(_program: Command): void {}

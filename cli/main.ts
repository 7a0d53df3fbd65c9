import { Command, CommanderError } from 'commander';
import { UserError } from '../model/errors.ts';
import * as calibrateCli from '../calibrate/cli.ts';
import * as liveCli from '../live/cli.ts';
import * as reportsCli from '../reports/cli.ts';
import * as simCli from '../sim/cli.ts';

/**
 * The `sim` command. Each module registers its own subcommands; this file only composes them
 * and maps errors to exit codes: 0 success, 1 internal failure, 2 user mistake (bad flag, bad
 * file), never a stack trace for the latter.
 *
 * It lives in `cli/` rather than `sim/` because it wires every module together, and `sim/` may
 * import only `model/` (PRODUCT.md layout).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('sim')
    .description('Simulate a real-time WebSocket architecture before paying for the cloud.')
    .exitOverride();
  // Each module's cli.ts registers its commands; heavy dependencies load inside the actions.
  for (const mod of [simCli, calibrateCli, liveCli, reportsCli]) mod.register(program);
  speakAsSim(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return exitCodeFor(err);
  }
}

/**
 * Commander's own errors (a missing required option, an unknown option or command, a missing
 * argument) in the project's words: one line `sim: <what> (see sim <command> --help)`, exit 2,
 * for every command and subcommand, since settings are set on each.
 */
function speakAsSim(cmd: Command): void {
  const path: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) path.unshift(c.name());
  const help = `${path.join(' ')} --help`;
  cmd.exitOverride().configureOutput({
    outputError: (text, write) => write(`sim: ${text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')} (see ${help})\n`),
  });
  for (const sub of cmd.commands) speakAsSim(sub);
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the message (or the help) itself
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  if (err instanceof UserError) {
    process.stderr.write(`sim: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`sim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

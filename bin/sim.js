#!/usr/bin/env node
// Entry point of the `sim` command: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

// A reader that stops early (`sim list | head`) closes the pipe: that ends the output, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);

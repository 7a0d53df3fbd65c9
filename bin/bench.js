#!/usr/bin/env node
// Entry point of `npm run bench`: registers the TypeScript loader, then runs the benchmark harness.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv);

#!/usr/bin/env -S npx tsx
/** Entry point of `npm start`: see cli/app.ts for the commands. */
import { runCli } from './app.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});

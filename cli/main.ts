#!/usr/bin/env -S npx tsx
/** Entry point of `npm start`: see cli/app.ts for the commands. */
import { runCli } from './app.js';

// Output piped into `head` and closed early is not an error: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});

/**
 * What a notebook imports: `defineNotebook` declares it (see `./kit.ts` for the cells it can write),
 * and runs it in the terminal when its file is the program (`npx tsx notebooks/<id>.ts`).
 */
import { fileURLToPath } from 'node:url';
import { notebookDefinition, type Notebook, type NotebookDefinition } from './kit.js';
import { runInTerminal } from './render.js';

export { formatNumber, show, type Notebook, type NotebookDefinition } from './kit.js';

export function defineNotebook(
  url: string,
  id: string,
  body: (nb: Notebook) => Promise<void> | void,
): NotebookDefinition {
  const definition = notebookDefinition(url, id, body);
  if (process.argv[1] !== undefined && fileURLToPath(url) === process.argv[1]) {
    // Run after the module has finished evaluating, so the export exists first.
    setImmediate(() => void runInTerminal(definition));
  }
  return definition;
}

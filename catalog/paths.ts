import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The project root (the folder with package.json). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A catalog path (relative to the root) as an absolute path. */
export function resolvePath(relative: string): string {
  return join(PROJECT_ROOT, relative);
}

/**
 * `npm run site [-- id ...]`: builds the static site into build/site/ (every concept, or the ones
 * named). Open build/site/index.html in a browser; no server is needed.
 */
import { relative } from 'node:path';
import { buildSite } from '../site/build.js';

const only = process.argv.slice(2);
const { out, pages } = await buildSite(only.length ? { only } : {});
console.log(
  `site: ${pages.length} pages in ${relative(process.cwd(), out) || '.'}; open ${relative(process.cwd(), out)}/index.html`,
);

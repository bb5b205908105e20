/**
 * The command line: `npm start [-- command]`.
 *
 *   (no command)        the catalog grouped by family, with how many questions are answered
 *   list [--json]       every concept with its questions and files
 *   run <id>            run a concept's notebook in the terminal
 *   ask <words...>      find questions and answers by id (Q12), English or Chinese words, with
 *                       the RAG family's retrievers (cli/search.ts) over the bank and notebooks
 *
 * `runCli` takes its output streams as arguments and returns the exit code, so tests drive it in
 * process. Errors are one line on stderr and a non-zero exit, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import {
  catalog,
  FAMILIES,
  findConcept,
  type ConceptEntry,
  type FamilyId,
} from '../catalog/index.js';
import { GLOSSARY } from '../catalog/glossary.js';
import { questions } from '../catalog/questions.js';
import { projectHybridIndex } from './project-index.js';
import { search, type Hit, type Passage, type SearchIndex } from './search.js';
import { shorten, terminalWidth, wrapLine } from '../notebook/layout.js';
import { loadNotebook, TerminalRenderer } from '../notebook/render.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Columns to fit the output to; the terminal's, or 80 when it is not known. */
  width?: number;
}

/** A one-line user error: printed without a stack trace. */
class UsageError extends Error {}

export function answeredQuestions(entries: readonly ConceptEntry[] = catalog): Set<string> {
  return new Set(entries.flatMap((c) => c.questions));
}

const widthOf = (io: Io) => io.width ?? terminalWidth();

function overview(io: Io): void {
  const width = widthOf(io);
  const line = (text: string) => io.out(`${shorten(text, width)}\n`);
  const bank = questions();
  const answered = answeredQuestions();
  io.out(
    `bagu: ${catalog.length} concepts answer ${bank.filter((q) => answered.has(q.id)).length} of ${bank.length} questions\n\n`,
  );
  const idWidth = Math.max(0, ...catalog.map((c) => c.id.length));
  const qWidth = Math.max(0, ...catalog.map((c) => c.questions.join(' ').length));
  for (const [family, { title, titleZh }] of Object.entries(FAMILIES) as [
    FamilyId,
    { title: string; titleZh: string },
  ][]) {
    const entries = catalog.filter((c) => c.family === family);
    line(`${title} (${titleZh}): ${entries.length} concept${entries.length === 1 ? '' : 's'}`);
    for (const c of entries) {
      // the title wraps under itself when the line is too long: nothing is cut
      const head = `  ${c.id.padEnd(idWidth)}  ${c.questions.join(' ').padEnd(qWidth)}  `;
      const lines = wrapLine(c.title, width, head, ' '.repeat(head.length));
      io.out(`${lines.map((l) => shorten(l, width)).join('\n')}\n`);
    }
  }
  const missing = bank.filter((q) => !answered.has(q.id)).map((q) => q.id);
  if (missing.length)
    io.out(`\n${wrapLine(`Not answered yet: ${missing.join(' ')}`, width, '', '  ').join('\n')}\n`);
  io.out(
    `\n${wrapLine('Next: npm start -- run <id>    npm start -- ask <words>    npm start -- list --json', width, '', '      ').join('\n')}\n`,
  );
}

function list(io: Io, json: boolean): void {
  if (json) {
    io.out(`${JSON.stringify(catalog, null, 2)}\n`);
    return;
  }
  const width = widthOf(io);
  for (const c of catalog) {
    const files = [
      `module ${c.module}`,
      `test ${c.test}`,
      `notebook ${c.notebook}`,
      ...(c.bench ? [`bench ${c.bench}`] : []),
    ];
    io.out(
      `${wrapLine(`${c.id}  [${c.questions.join(', ')}]  ${c.title} (${c.titleZh})`, width, '', '  ').join('\n')}\n`,
    );
    io.out(`${wrapLine(c.summary, width, '  ').join('\n')}\n`);
    io.out(`${wrapLine(files.join('  '), width, '  ').join('\n')}\n`);
  }
}

let searchIndex: Promise<SearchIndex> | undefined;
const askIndex = () => (searchIndex ??= projectHybridIndex());

/**
 * The concept that `words` name without doubt: a concept id in any case (spaces for hyphens), a
 * question id answered by one concept, or a glossary term of one concept only. Anything else is a
 * UsageError that suggests the concepts `ask` finds for the words: run never guesses.
 */
async function resolveConcept(words: readonly string[]): Promise<ConceptEntry> {
  const text = words.join(' ').trim();
  const key = text.toLowerCase().replace(/[\s_]+/g, '-');
  const direct = findConcept(key);
  if (direct) return direct;
  const q = /^q(\d{1,2})$/i.exec(text);
  const byQuestion = q
    ? catalog.filter((c) => c.questions.includes(`Q${q[1]!.padStart(2, '0')}`))
    : [];
  if (byQuestion.length === 1) return byQuestion[0]!;
  const byTerm = catalog.filter((c) =>
    (GLOSSARY[c.id] ?? []).some((t) => t.toLowerCase() === text.toLowerCase()),
  );
  if (byTerm.length === 1) return byTerm[0]!;
  const near = byQuestion.length
    ? byQuestion
    : [...new Set((text ? search(await askIndex(), text) : []).flatMap((h) => h.answeredBy))];
  if (near.length === 0)
    throw new UsageError(`unknown concept "${text}" (npm start -- list shows them all)`);
  throw new UsageError(
    `"${text}" could be ${near.length === 1 ? '' : 'one of '}${near
      .slice(0, 6)
      .map((c) => c.id)
      .join(', ')}: npm start -- run <id>`,
  );
}

async function run(io: Io, words: string[]): Promise<void> {
  const entry = await resolveConcept(words);
  const definition = await loadNotebook(entry);
  await definition.run(new TerminalRenderer(io.out, widthOf(io)));
}

/** The paragraph shown under a hit: the one that matched, else the concept's first answer. */
function answerOf(hit: Hit, index: SearchIndex): Passage | undefined {
  if (hit.passage) return hit.passage;
  const own = index.passages.filter((p) => hit.answeredBy.some((c) => c.id === p.concept));
  return own.find((p) => p.heading && !/question/i.test(p.heading)) ?? own[0];
}

async function ask(io: Io, words: string[]): Promise<void> {
  const query = words.join(' ').trim();
  if (!query)
    throw new UsageError(
      'ask needs some words, a question id or Chinese text, e.g. npm start -- ask 旋转数组',
    );
  const index = await askIndex();
  const hits = search(index, query);
  if (!hits.length) throw new UsageError(`no question matches "${query}"`);
  const width = widthOf(io);
  const indent = '     ';
  for (const hit of hits) {
    const { question, answeredBy } = hit;
    io.out(`${shorten(`${question.id}  ${question.text} (${question.zh})`, width)}\n`);
    if (!answeredBy.length) {
      io.out(
        `${shorten(`${indent}not answered yet (concept: ${question.concepts.join(', ')})`, width)}\n`,
      );
      continue;
    }
    const answer = answerOf(hit, index);
    if (answer) {
      // two lines of the notebook's own words; the notebook has the rest
      const lines = wrapLine(answer.text, width, indent, indent);
      const shown = lines.slice(0, 2);
      if (lines.length > 2) shown[1] = shorten(`${shown[1]!} ${lines[2]!.trim()}`, width);
      io.out(`${shown.join('\n')}\n`);
    }
    for (const c of answeredBy) {
      io.out(`${shorten(`${indent}-> npm start -- run ${c.id}`, width)}\n`);
      io.out(
        `${wrapLine(`module ${c.module}, answer key ${c.test}`, width, '        ', '        ').join('\n')}\n`,
      );
    }
  }
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const program = new Command()
    .name('npm start --')
    .usage('[--verbose] [command]')
    .description(
      'bagu: interview questions for ML and algorithm engineers, answered by code that runs',
    )
    .option('--verbose', 'also say which tensor backend runs, and why')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      getOutHelpWidth: () => widthOf(io),
      getErrHelpWidth: () => widthOf(io),
    })
    .argument('[command]')
    .hook('preAction', (cmd) => {
      if ((cmd.opts() as { verbose?: boolean }).verbose) process.env['BAGU_VERBOSE'] = '1';
    })
    .action((command?: string) => {
      if (command !== undefined)
        throw new UsageError(
          `unknown command '${command}' (commands: list, run, ask; npm start -- --help)`,
        );
      overview(io);
    });
  program
    .command('list')
    .description('every concept with its questions and files')
    .option('--json', 'print the catalog as JSON')
    .action((opts: { json?: boolean }) => list(io, Boolean(opts.json)));
  program
    .command('run')
    .description("run a concept's notebook in the terminal")
    .argument('<id...>', 'a concept id (reservoir-sampling), a question id (Q14) or words')
    .action((words: string[]) => run(io, words));
  program
    .command('ask')
    .description('find questions and answers by question id, English or Chinese words')
    .argument('[words...]', 'e.g. Q12, rope, 旋转数组')
    .action((words: string[]) => ask(io, words));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : error.exitCode || 1; // commander already printed its line
    const text =
      error instanceof UsageError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    io.err(`error: ${text}\n`);
    return 1;
  }
}

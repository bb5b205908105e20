/**
 * The main job, driven in process: the overview, list --json, run <id>, ask, and one-line errors
 * with a non-zero exit code.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { runCli } from '../cli/app.js';
import { catalog, findConcept } from '../catalog/index.js';
import { PROJECT_ROOT } from '../catalog/paths.js';
import { questions } from '../catalog/questions.js';
import { displayWidth } from '../notebook/layout.js';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('npm start', () => {
  it('with no command prints the catalog grouped by family and the answered count', async () => {
    const { code, out } = await cli();
    expect(code).toBe(0);
    const answered = new Set(catalog.flatMap((c) => c.questions)).size;
    expect(out).toContain(`bagu: ${catalog.length} concepts answer ${answered} of 73 questions`);
    expect(out).toContain('Classic algorithms (经典算法)');
    expect(out).toContain('reservoir-sampling');
  });

  it('list --json prints the catalog as a JSON array with the required fields', async () => {
    const { code, out } = await cli('list', '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      id: string;
      questions: string[];
      module: string;
      test: string;
      notebook: string;
    }[];
    expect(parsed.map((c) => c.id)).toEqual(catalog.map((c) => c.id));
    for (const c of parsed)
      for (const key of ['id', 'questions', 'module', 'test', 'notebook'] as const)
        expect(c[key]).toBeTruthy();
  });

  it('run reservoir-sampling renders the notebook in the terminal', async () => {
    const { code, out } = await cli('run', 'reservoir-sampling');
    expect(code).toBe(0);
    expect(out).toContain('Reservoir sampling (蓄水池抽样): answers Q01');
    expect(out).toContain('match: true');
    expect(out).not.toContain('match: false');
  });

  it.each([
    ['Q12', 'Q12'],
    ['q1', 'Q01'],
    ['rope', 'Q14'],
    ['旋转数组', 'Q02'],
    ['蓄水池', 'Q01'],
    ['why divide by sqrt', 'Q12'],
  ])('ask %s finds %s first', async (query, first) => {
    const { code, out } = await cli('ask', ...query.split(' '));
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(new RegExp(`^${first} `));
  });

  it('ask keeps the close matches only: 旋转数组 (rotated array) does not drag in RoPE (旋转位置编码)', async () => {
    const { out } = await cli('ask', '旋转数组');
    expect(out).toContain('rotated-array-search');
    expect(out).not.toContain('run rope');
    expect((await cli('ask', '旋转')).out).toContain('-> npm start -- run rope');
  });

  it('ask shows where an answered question lives, and says when one is not answered yet', async () => {
    const q01 = (await cli('ask', 'Q01')).out;
    expect(q01).toContain('-> npm start -- run reservoir-sampling');
    expect(q01).toContain(`module ${findConcept('reservoir-sampling')?.module}`);
    const unanswered = questions().find((q) => !catalog.some((c) => c.questions.includes(q.id)));
    if (unanswered) expect((await cli('ask', unanswered.id)).out).toContain('not answered yet');
  });

  test.prop([fc.constantFrom(...questions())], { numRuns: 30 })(
    'ask <id> puts that question first, for every id',
    async (q) => {
      const { out } = await cli('ask', q.id);
      expect(out.startsWith(`${q.id} `)).toBe(true);
    },
  );

  it.each([
    [['run', 'zzzqqq'], /^error: unknown concept "zzzqqq"/],
    [['run', 'Q32'], /^error: "Q32" could be one of moe-routing, tensor-parallel/],
    [['run', '多任务'], /^error: "多任务" could be one of .*mmoe/],
    [['ask'], /^error: ask needs some words/],
    [['ask', 'zzzqqq'], /^error: no question matches "zzzqqq"/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j is a one-line error with a non-zero exit, no stack trace', async (argv, message) => {
    const { code, err } = await cli(...(argv as string[]));
    expect(code).not.toBe(0);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['Q14'], 'rope'],
    [['q1'], 'reservoir-sampling'],
    [['ROPE'], 'rope'],
    [['Reservoir', 'Sampling'], 'reservoir-sampling'],
    [['reservoir'], 'reservoir-sampling'],
  ])(
    'run %j runs %s: a question id, an id in any case, a short form of one concept',
    async (argv, id) => {
      const { code, out } = await cli('run', ...argv);
      expect(code).toBe(0);
      expect(out).toContain(findConcept(id)!.title);
    },
  );

  it('the real entry point (tsx cli/main.ts) exits non-zero on an unknown id', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'run', 'zzzqqq'],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: unknown concept "zzzqqq"');
  });
});

describe('npm run mutate (dry)', () => {
  const mutate = (...argv: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/mutate.ts', '--dry', ...argv], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });

  it('a named module is mutated against its own answer key only', () => {
    const result = mutate('ml/lora.ts');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('npx stryker run --mutate ml/lora.ts');
    expect(result.stdout).toContain('answer keys: tests/lora.test.ts');
  });

  it('no module or a glob keeps every answer key; a module without a key of its own is an error', () => {
    expect(mutate().stdout).toContain('answer keys: all');
    expect(mutate('algorithms/**/*.ts').stdout).toContain('answer keys: all');
    const keyless = mutate('core/matrix.ts');
    expect(keyless.status).not.toBe(0);
    expect(keyless.stderr).toContain('no answer key tests/matrix.test.ts');
  });
});

describe('npm start fits the terminal', () => {
  const wide = (text: string, width: number) =>
    text.split('\n').filter((l) => displayWidth(l) > width);
  it.each([80, 60])('the overview, list and ask fit %i columns', async (width) => {
    for (const argv of [[], ['list'], ['ask', 'rope'], ['ask', '旋转数组'], ['--help']]) {
      let out = '';
      await runCli(argv, { out: (t) => void (out += t), err: (t) => void (out += t), width });
      expect(wide(out, width), argv.join(' ')).toEqual([]);
    }
  });

  it('help names each command once, without a doubled [command]', async () => {
    const { out } = await cli('--help');
    expect(out).toMatch(/^Usage: npm start -- \[--verbose\] \[command\]$/m);
    expect(out).not.toContain('[command] [command]');
  });
});

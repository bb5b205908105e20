/**
 * The architecture rule (.dependency-cruiser.cjs) holds on the project, and each of its rules fires
 * on a folder of deliberate violations (tests/fixtures/architecture), so none of them passes vacuously.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolvePath } from '../catalog/paths.js';

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

const FOLDERS = [
  'algorithms',
  'ml',
  'core',
  'catalog',
  'notebook',
  'notebooks',
  'cli',
  'bench',
  'tests',
  'scripts',
];

function cruise(cwd: string, folders: readonly string[]): Violation[] {
  const bin = resolvePath('node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const args = [bin, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...folders];
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  let out: string;
  let err = '';
  try {
    out = execFileSync(process.execPath, args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: 'pipe',
    });
  } catch (error) {
    out = (error as { stdout?: string }).stdout ?? '';
    err = (error as { stderr?: string }).stderr ?? '';
  }
  if (!out.trimStart().startsWith('{'))
    throw new Error(`dependency-cruiser printed no report: ${err || out}`);
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('architecture', () => {
  it('the project keeps its floors: core at the bottom, concepts apart, no circles, tfjs on first use', () => {
    const violations = cruise(resolvePath('.'), FOLDERS).map(
      (v) => `${v.rule.name}: ${v.from} -> ${v.to}`,
    );
    expect(violations).toEqual([]);
  }, 60_000);

  it('every rule fires on a deliberate violation, and a type-only tfjs import is allowed', () => {
    const violations = cruise(resolvePath('tests/fixtures/architecture'), [
      'core',
      'ml',
      'algorithms',
      'catalog',
      'notebooks',
    ]);
    const fired = new Set(violations.map((v) => v.rule.name));
    for (const rule of [
      'no-circular',
      'core-is-the-ground-floor',
      'concepts-stand-on-core',
      'ml-and-algorithms-apart',
      'algorithms-and-ml-apart',
      'catalog-is-data',
      'tfjs-on-first-use',
    ]) {
      expect(fired, rule).toContain(rule);
    }
    expect(
      violations.filter((v) => v.from === 'ml/typed.ts' && v.rule.name === 'tfjs-on-first-use'),
    ).toEqual([]);
  }, 60_000);
});

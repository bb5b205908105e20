/**
 * The architecture rule, checked in `npm test` (`npm run arch`). The house has floors:
 *   core/       the ground floor: errors, seeded rng, matrices, counters, stats, the tensor backend
 *   ml/, algorithms/   the concepts, built on core only (and ml on ml): never on each other
 *   catalog/    which concept answers which question
 *   notebook/   the notebook kit: the only part of the lower floors that reads the catalog
 *   notebooks/, cli/, bench/, tests/, scripts/   on top
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles, through dynamic imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-the-ground-floor',
      severity: 'error',
      comment: 'core/ imports nothing of the project above it.',
      from: { path: '^core/' },
      to: { path: '^(ml|algorithms|catalog|notebook|notebooks|cli|bench|tests|scripts)/' },
    },
    {
      name: 'concepts-stand-on-core',
      severity: 'error',
      comment:
        'ml/ and algorithms/ never import notebooks, the kit, the catalog, tests, the CLI or scripts.',
      from: { path: '^(ml|algorithms)/' },
      to: { path: '^(catalog|notebook|notebooks|cli|bench|tests|scripts)/' },
    },
    {
      name: 'ml-and-algorithms-apart',
      severity: 'error',
      comment: 'ml/ and algorithms/ never import each other.',
      from: { path: '^ml/' },
      to: { path: '^algorithms/' },
    },
    {
      name: 'algorithms-and-ml-apart',
      severity: 'error',
      from: { path: '^algorithms/' },
      to: { path: '^ml/' },
    },
    {
      name: 'catalog-is-data',
      severity: 'error',
      comment: 'The catalog names paths; it imports no module, notebook or kit.',
      from: { path: '^catalog/' },
      to: { path: '^(ml|algorithms|notebook|notebooks|cli|bench|tests|scripts)/' },
    },
    {
      name: 'tfjs-on-first-use',
      severity: 'error',
      comment:
        'TensorFlow.js is loaded by the backend picker on first use; elsewhere only its types are imported.',
      from: { pathNot: '^core/backend\\.ts$' },
      to: { path: '@tensorflow/tfjs', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-orphan-test-helpers',
      severity: 'error',
      comment: 'A helper under tests/support that nothing imports is dead code.',
      from: { orphan: true, path: '^tests/support/', pathNot: '(junk-worker|seed)' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|build|\\.stryker-tmp|tests/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};

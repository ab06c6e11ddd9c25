// Lint: typescript-eslint type-checked rules, plus the one-way layer rule of the architecture guide:
// sip <- transport <- transaction <- dialog <- b2bua; leaves import no stack layer.
import tseslint from 'typescript-eslint';

const stack = ['sip', 'transport', 'transaction', 'dialog', 'b2bua'];
const leaves = ['routing', 'rewrite', 'media', 'state', 'observability', 'config', 'keepalive', 'security'];
const wired = ['app', 'main', 'cli', 'configuration'];

function forbid(dirs) {
  return dirs.flatMap((d) => [`**/${d}/**`, `**/${d}.js`]);
}

const layerRules = [
  ...stack.map((layer, i) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          // the b2bua (like keepalive and app) consumes the leaves; the layers below it use none but observability
          group: forbid([...stack.slice(i + 1), ...(layer === 'b2bua' ? [] : leaves.filter((l) => l !== 'observability')), ...wired]),
          message: `The ${layer} layer may import only the layers to its left (see docs: architecture).`,
        }],
      }],
    },
  })),
  // A leaf imports no stack layer, and from another leaf at most its types (data shapes, no code).
  ...leaves.map((leaf) => ({
    files: [`src/${leaf}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: forbid([...stack, ...wired]), message: `The ${leaf} leaf imports no stack layer.` },
          {
            group: forbid(leaves.filter((l) => l !== leaf)),
            allowTypeImports: true,
            message: `The ${leaf} leaf may import only types from another leaf.`,
          },
        ],
      }],
    },
  })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'eslint.config.js', 'coverage/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises that the runner itself awaits
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'bench/**/*.ts', 'src/main.ts'],
    rules: { 'no-console': 'off' },
  },
  ...layerRules,
);

// Lint: typescript-eslint type-checked rules, plus the one-way layer rule of the architecture guide:
//   sip <- transport <- transaction <- dialog <- uac <- b2bua      (the stack)
//   leaves (routing, rewrite, media, state, ...) import no stack layer, and of each other only types
//   node/ (the wiring) may import all of them; cli/ all but the wiring; main.ts everything.
// errors/ and version.ts are below everything: any file may import them.
import tseslint from 'typescript-eslint';

const stack = ['sip', 'transport', 'transaction', 'dialog', 'uac', 'b2bua'];
const leaves = ['routing', 'rewrite', 'media', 'state', 'observability', 'config', 'keepalive', 'security'];
const top = ['node', 'cli'];

/** Import patterns that match a folder of src/ from anywhere in src/ (`../x/y.js`, `../../x/y.js`). */
function folders(dirs) {
  return dirs.flatMap((d) => [`../${d}/*`, `../../${d}/*`, `../../../${d}/*`, `./${d}/*`]);
}
const MAIN = ['../main.js', '../../main.js', '../../../main.js'];

function layerRule(files, patterns) {
  return { files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

const layerRules = [
  ...stack.map((layer, i) =>
    layerRule(
      [`src/${layer}/**/*.ts`],
      [
        {
          // uac and the b2bua consume the leaves; the layers below them use none but observability
          group: [
            ...folders([...stack.slice(i + 1), ...top]),
            ...MAIN,
            ...(i >= stack.indexOf('uac') ? [] : folders(leaves.filter((l) => l !== 'observability'))),
          ],
          message: `The ${layer} layer may import only the layers to its left (see docs: architecture).`,
        },
      ],
    ),
  ),
  // A leaf imports no stack layer, and from another leaf at most its types (data shapes, no code).
  ...leaves.map((leaf) =>
    layerRule(
      [`src/${leaf}/**/*.ts`],
      [
        { group: [...folders([...stack, ...top]), ...MAIN], message: `The ${leaf} leaf imports no stack layer.` },
        {
          group: folders(leaves.filter((l) => l !== leaf)),
          allowTypeImports: true,
          message: `The ${leaf} leaf may import only types from another leaf.`,
        },
      ],
    ),
  ),
  layerRule(
    ['src/errors/**/*.ts'],
    [{ group: [...folders([...stack, ...leaves, ...top]), ...MAIN], message: 'errors/ is below everything.' }],
  ),
  layerRule(
    ['src/node/**/*.ts'],
    [{ group: [...folders(['cli']), ...MAIN], message: 'The node is wired without the CLI; main.ts runs both.' }],
  ),
  layerRule(
    ['src/cli/**/*.ts'],
    [
      {
        group: ['../node/node.js', ...MAIN],
        message: 'The CLI reaches a node through its admin API or Redis; main.ts runs the node.',
      },
    ],
  ),
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
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
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

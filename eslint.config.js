// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const workspaces = [
  'runtime',
  'schemas',
  'warehouse',
  'ingest-gateway',
  'stream-workers',
  'query-service',
  'dashboard',
  'deploy',
  'test',
];

const chdbOnlyInDeploy = {
  name: 'chdb',
  message: 'Only deploy/local may load chdb; services reach ClickHouse through @clickhouse/client.',
};
const workspaceBoundary = {
  regex: `^(\\.\\./)+(${workspaces.join('|')})/`,
  message: 'Import another workspace by its package name (@backbone/...).',
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.backbone/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [chdbOnlyInDeploy], patterns: [workspaceBoundary] },
      ],
    },
  },
  {
    // Sizes a reader can hold: a file in one sitting, a function on one screen or two.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['schemas/src/generated/**'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
  {
    // The local stack is the one place that embeds the ClickHouse engine.
    files: ['deploy/local/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [workspaceBoundary] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { console: 'readonly', process: 'readonly' },
    },
  },
  {
    // The browser snippet: plain JavaScript for any current browser, run in a page.
    files: ['ingest-gateway/snippet/**/*.js'],
    languageOptions: {
      ecmaVersion: 2019,
      sourceType: 'script',
      globals: {
        window: 'readonly',
        document: 'readonly',
        URL: 'readonly',
        Blob: 'readonly',
        Intl: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
);

// ESLint for the page's code (web/src and its build script), run by the
// README's test command (scripts/test.d/05-lint.sh). The recommended rules
// plus the few that catch what bit this code before: names left unused by a
// refactor, == where a number meets a string, an inner name hiding an outer
// one (a cursor note that hid the block's note), and let where nothing
// reassigns.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {ignores: ['node_modules/**', 'dist/**', '../build*/**', '../site/**']},
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {...globals.browser},
    },
    rules: {
      'no-unused-vars': ['error', {args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none'}],
      eqeqeq: ['error', 'always', {null: 'ignore'}],
      'no-shadow': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    // The engine's worker and the layout worker run in a worker's scope.
    files: ['src/worker.js', 'src/layout-worker.js'],
    languageOptions: {globals: {...globals.worker}},
  },
  {
    files: ['build.mjs'],
    languageOptions: {globals: {...globals.node}},
  },
];

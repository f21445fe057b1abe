import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The pure protocol core must not do I/O (STYLE.md principle 1).
const pureCore = ['src/wire/**', 'src/tsig/**', 'src/zone/**', 'src/query/**'];
const ioModules = ['node:net', 'node:dgram', 'node:fs', 'node:fs/promises', 'node:child_process', 'pg', '@electric-sql/pglite', 'fastify', 'node-cron', 'net', 'dgram', 'fs'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'bench/results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: pureCore,
    ignores: ['src/zone/zone-file/include-reader.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'the pure core does no I/O' })) }],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval'],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', '.test-data/', 'coverage/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A PostgreSQL connection without an 'error' listener ends the process when the server
    // drops it: connections are made by src/database/pool.ts, which always adds one.
    files: ['**/*.ts'],
    ignores: ['src/database/pool.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.object.name='pg'][callee.property.name=/^(Pool|Client)$/], NewExpression[callee.name='DataSource']",
          message: "Use newPool, newClient or openDataSource (src/database/pool.ts): they hear the server's 'error' on every connection.",
        },
      ],
    },
  },
  {
    // The domain core stays pure: no framework, driver or I/O (STYLE.md).
    files: ['src/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', 'pg', '@eventstore/*', '@kurrent/*', 'node:*', 'fs', 'crypto', 'uuid'], message: 'domain/ is pure: pass ids, time and outside facts in.' },
          ],
        },
      ],
    },
  },
);

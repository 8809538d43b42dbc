import { defineConfig } from 'drizzle-kit';

// `pnpm --filter @sloth/store-sqlite db:generate` writes a migration into drizzle/ after a schema change;
// openStore applies pending migrations every time a database is opened.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema.ts',
  out: './drizzle',
});

import { defineConfig } from 'drizzle-kit';

// `pnpm --filter @sloth/core db:generate` writes a migration into drizzle/ after a schema change;
// openStore applies pending migrations every time a database is opened.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema.ts',
  out: './drizzle',
});

// PostgreSQL for tests: SOVEREIGN_TEST_DATABASE_URL names a server (CI starts one on 127.0.0.1, see
// .ci/run); each caller gets a fresh database, dropped afterwards. Without the variable the
// PostgreSQL cases are skipped locally, and fail in CI, where skipping would hide a regression.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresAdminUrl = process.env.SOVEREIGN_TEST_DATABASE_URL;

export function postgresSkipReason(): string | false {
  if (postgresAdminUrl) return false;
  if (process.env.CI) throw new Error('SOVEREIGN_TEST_DATABASE_URL is not set in CI: .ci/run must start PostgreSQL');
  return 'SOVEREIGN_TEST_DATABASE_URL is not set (see README, "Tests")';
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sovereign_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: postgresAdminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export * from "./coverage-storage.ts";
export { isDatabaseError, SqlState } from "./database-errors.ts";
export * from "./integration-storage.ts";
export { KyselyStorage, type StorageDialect } from "./kysely-storage.ts";
export { type StorageLogger, silentLogger } from "./logger.ts";
export { createMigrator, MIGRATIONS, migrateToLatest } from "./migrate.ts";
export { type OpenStorageOptions, openStorage } from "./open.ts";
export type { Database } from "./schema.ts";
export * from "./storage.ts";

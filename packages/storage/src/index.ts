export * from "./coverage-storage.ts";
export { isDatabaseError, SqlState } from "./database-errors.ts";
export {
	dumpEmbeddedDatabase,
	type RestoreResult,
	restoreEmbeddedDatabase,
} from "./embedded-backup.ts";
export { type FolderLock, FolderLockedError, type LockHolder, lockFolder } from "./folder-lock.ts";
export * from "./integration-storage.ts";
export { KyselyStorage, type StorageDialect } from "./kysely-storage.ts";
export { type StorageLogger, silentLogger } from "./logger.ts";
export { createMigrator, MIGRATIONS, migrateToLatest } from "./migrate.ts";
export {
	type EmbeddedDatabase,
	embeddedDatabase,
	type OpenStorageOptions,
	openStorage,
} from "./open.ts";
export type { Database } from "./schema.ts";
export * from "./storage.ts";

/**
 * Everything Switchboard keeps, as narrow ports (docs/STORAGE.md): `openStorage` returns
 * one `Storage` that is all of them; consumers declare the ports they use. Everything
 * is exported by name: the port types, the kysely implementation with its tuning, and
 * how to open and migrate it.
 */

export {
	type AuditLog,
	type AuditQuery,
	checkAuditEntry,
	type NewAuditEntry,
	recordAudit,
} from "./audit-storage.ts";
export type {
	CoverageStore,
	ExecuteSystemCommandInput,
	NewSlaBreach,
	PresenceWrite,
	RecordedSlaBreach,
	ReportQuery,
	Reports,
	SlaCandidate,
} from "./coverage-storage.ts";
export { isDatabaseError, SqlState } from "./database-errors.ts";
export {
	dumpEmbeddedDatabase,
	type RestoreResult,
	restoreEmbeddedDatabase,
} from "./embedded-backup.ts";
export { type FolderLock, FolderLockedError, type LockHolder, lockFolder } from "./folder-lock.ts";
export type {
	ConnectedAccount,
	ConnectedAccountWithCredential,
	DeliveryOutcome,
	DueDelivery,
	NewConnectedAccount,
	NewReplySend,
	NewSource,
	NewWebhookEndpoint,
	NewWebhookEvent,
	ReplySend,
	ReplySendPatch,
	ReplyStore,
	Source,
	SourcePatch,
	SourcePollRecord,
	SourceStatus,
	SourceStore,
	SourceWithSecret,
	WebhookDelivery,
	WebhookEndpoint,
	WebhookEndpointPatch,
	WebhookEndpointWithSecret,
	WebhookStore,
} from "./integration-storage.ts";
export {
	type CommandArbiterConfiguration,
	defaultCommandArbiterConfiguration,
} from "./kysely-command-arbiter.ts";
export {
	defaultMentionStoreConfiguration,
	type MentionStoreConfiguration,
} from "./kysely-mention-store.ts";
export { KyselyStorage, type StorageConfiguration, type StorageDialect } from "./kysely-storage.ts";
export {
	defaultThreadStoreConfiguration,
	type ThreadStoreConfiguration,
} from "./kysely-thread-store.ts";
export { type StorageLogger, silentLogger } from "./logger.ts";
export { createMigrator, MIGRATIONS, migrateToLatest } from "./migrate.ts";
export type {
	NewNotification,
	NotificationPage,
	NotificationSelection,
	NotificationStore,
	PushDevice,
	PushDeviceStore,
} from "./notification-storage.ts";
export {
	databasePoolUse,
	type EmbeddedDatabase,
	embeddedDatabase,
	type OpenStorageOptions,
	openStorage,
	type PoolUse,
	pgliteTemplate,
} from "./open.ts";
export * from "./people-storage.ts";
export { ForeignFolderError, securePrivateFolder } from "./private-folder.ts";
export type {
	RateLimitQuery,
	RateLimitQueryResult,
	RateLimitTable,
} from "./rate-limit-storage.ts";
export type {
	AuthorErasure,
	DataRemoval,
	Removal,
	RemovalCounts,
	RetentionSettings,
} from "./removal-storage.ts";
export { noRemovalCounts } from "./removal-storage.ts";
export type { Database } from "./schema.ts";
export * from "./session-storage.ts";
export * from "./sso-storage.ts";
export type {
	ActivityFilter,
	AppendToThreadInput,
	BoardChange,
	CommandArbiter,
	CommandOutcome,
	ConversationRef,
	Directory,
	DocumentLog,
	DocumentUpdate,
	ExecuteCommandInput,
	History,
	HistoryQuery,
	MemberWithSecret,
	MentionAsSent,
	MentionFilter,
	MentionStore,
	MessageRef,
	NewMember,
	NewMention,
	Storage,
	StoredDocument,
	StoredMention,
	ThreadAppend,
	ThreadStore,
} from "./storage.ts";
export {
	DatabaseTimeoutError,
	type DatabaseTuning,
	defaultDatabaseTuning,
} from "./timed-pool.ts";

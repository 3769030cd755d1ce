/**
 * The aggregate storage on kysely: one object that answers every port (`Storage`), made
 * of one implementation per port on a shared kysely handle. The same SQL runs on
 * PostgreSQL and on PGlite; where they differ (bigint as string or number, Buffer or
 * Uint8Array) `rows.ts` evens it out.
 */
import { type Kysely, sql } from "kysely";
import type { EmbeddedAppends } from "./embedded-appends.ts";
import type { HeldConnection } from "./held-connection.ts";
import { KyselyAuditLog } from "./kysely-audit-log.ts";
import {
	type CommandArbiterConfiguration,
	KyselyCommandArbiter,
} from "./kysely-command-arbiter.ts";
import { KyselyCoverageStore } from "./kysely-coverage-store.ts";
import { KyselyDataRemoval } from "./kysely-data-removal.ts";
import { KyselyDirectory } from "./kysely-directory.ts";
import { KyselyDocumentLog } from "./kysely-document-log.ts";
import { KyselyHistory } from "./kysely-history.ts";
import { KyselyMentionStore, type MentionStoreConfiguration } from "./kysely-mention-store.ts";
import { KyselyNotificationStore } from "./kysely-notification-store.ts";
import { KyselyPeopleStore } from "./kysely-people-store.ts";
import { KyselyPushDeviceStore } from "./kysely-push-device-store.ts";
import { KyselyRateLimitTable } from "./kysely-rate-limit-table.ts";
import { KyselyReplyStore } from "./kysely-reply-store.ts";
import { KyselyReports } from "./kysely-reports.ts";
import { KyselySessionStore } from "./kysely-session-store.ts";
import { KyselySourceStore } from "./kysely-source-store.ts";
import { KyselySsoStore } from "./kysely-sso-store.ts";
import { KyselyThreadStore, type ThreadStoreConfiguration } from "./kysely-thread-store.ts";
import { KyselyWebhookStore } from "./kysely-webhook-store.ts";
import type { StorageLogger } from "./logger.ts";
import type { Database } from "./schema.ts";
import type { Storage } from "./storage.ts";

/** Which database engine a storage runs on. */
export type StorageDialect = Storage["dialect"];

/** Tuning of the ports that have any, each merged over its own defaults. */
export interface StorageConfiguration {
	commands?: Partial<CommandArbiterConfiguration>;
	mentions?: Partial<MentionStoreConfiguration>;
	threads?: Partial<ThreadStoreConfiguration>;
	/**
	 * PostgreSQL: the document log appends on a connection of its own, outside the pool
	 * (held-connection.ts); closed with the storage. @default appends go through kysely
	 */
	documentAppends?: HeldConnection;
	/**
	 * PGlite: the document log appends through PGlite's protocol, one prepared statement
	 * (embedded-appends.ts). @default appends go through kysely
	 */
	embeddedAppends?: EmbeddedAppends;
}

/** What the ports answer; the aggregate adds the connection's own methods. */
type PortMethods = Omit<Storage, "dialect" | "ping" | "close">;

/** The callable members of an object, from its own class up to (not including) Object. */
function methodNames(port: object): string[] {
	const names = new Set<string>();
	for (
		let proto = Object.getPrototypeOf(port);
		proto !== null && proto !== Object.prototype;
		proto = Object.getPrototypeOf(proto)
	) {
		for (const name of Object.getOwnPropertyNames(proto)) {
			if (name !== "constructor" && typeof Reflect.get(port, name) === "function") {
				names.add(name);
			}
		}
	}
	return [...names];
}

/**
 * A base class whose instances answer each method of the ports handed to its
 * constructor, bound to the port that implements it. Written once here rather than as
 * sixty one-line forwarding methods that would each restate a signature; `T` says what
 * the ports add up to, and the contract suite calls every method through the aggregate.
 */
function delegatingTo<T extends object>(): new (ports: readonly object[]) => T {
	return class {
		constructor(ports: readonly object[]) {
			for (const port of ports) {
				for (const name of methodNames(port)) {
					// Two ports (or a port and the aggregate) answering one name is a wiring mistake.
					if (name in this) throw new Error(`Storage method ${name} is implemented twice.`);
					const method = Reflect.get(port, name) as (...args: unknown[]) => unknown;
					// Writable and configurable like any method, so tests can spy on one.
					Object.defineProperty(this, name, {
						value: method.bind(port),
						writable: true,
						configurable: true,
					});
				}
			}
		}
	} as unknown as new (
		ports: readonly object[],
	) => T;
}

/**
 * Storage on a kysely database whose schema is migrated (see `openStorage`).
 */
export class KyselyStorage extends delegatingTo<PortMethods>() implements Storage {
	readonly dialect: StorageDialect;
	/**
	 * The kysely handle, for tests and maintenance tasks that need SQL the ports do not
	 * offer. Application code goes through the ports.
	 */
	readonly db: Kysely<Database>;
	readonly #documentAppends: HeldConnection | undefined;

	constructor(
		db: Kysely<Database>,
		dialect: StorageDialect,
		logger: StorageLogger,
		configuration: StorageConfiguration = {},
	) {
		super([
			new KyselyDirectory(db),
			new KyselyMentionStore(db, configuration.mentions),
			new KyselyThreadStore(db, logger, configuration.threads),
			new KyselyHistory(db),
			new KyselyCommandArbiter(db, logger, configuration.commands),
			new KyselyDocumentLog(db, configuration.documentAppends, configuration.embeddedAppends),
			new KyselySourceStore(db),
			new KyselyReplyStore(db),
			new KyselyWebhookStore(db),
			new KyselyCoverageStore(db),
			new KyselyReports(db),
			new KyselySessionStore(db),
			new KyselyNotificationStore(db),
			new KyselyPushDeviceStore(db),
			new KyselyRateLimitTable(db),
			new KyselyPeopleStore(db),
			new KyselyAuditLog(db),
			new KyselySsoStore(db),
			new KyselyDataRemoval(db),
		]);
		this.db = db;
		this.dialect = dialect;
		this.#documentAppends = configuration.documentAppends;
	}

	async ping(): Promise<void> {
		await sql`select 1`.execute(this.db);
	}

	async close(): Promise<void> {
		await this.#documentAppends?.end();
		await this.db.destroy();
	}
}

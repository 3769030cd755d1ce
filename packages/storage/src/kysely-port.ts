/**
 * The start of every kysely implementation of a storage port (`KyselySourceStore`,
 * `KyselyDirectory`, …): the database it runs on, PGlite or PostgreSQL alike. `openStorage`
 * makes one `Kysely<Database>` and hands it to each port; the rows a port reads and writes
 * are its own business, shared shapes of query live in org-rows.ts.
 */
import type { Kysely } from "kysely";
import type { StorageLogger } from "./logger.ts";
import type { Database } from "./schema.ts";

export abstract class KyselyPort {
	protected readonly db: Kysely<Database>;

	constructor(db: Kysely<Database>) {
		this.db = db;
	}
}

/**
 * A port with a logger and tuning (the command arbiter, the thread store): `config` is its
 * defaults with what the caller set laid over them.
 */
export abstract class TunedKyselyPort<Config extends object> extends KyselyPort {
	protected readonly logger: StorageLogger;
	protected readonly config: Config;

	constructor(
		db: Kysely<Database>,
		logger: StorageLogger,
		defaults: Config,
		configuration: Partial<Config>,
	) {
		super(db);
		this.logger = logger;
		this.config = { ...defaults, ...configuration };
	}
}

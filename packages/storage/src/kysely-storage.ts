/**
 * The one Storage implementation, on kysely. The same SQL runs on PostgreSQL and on
 * PGlite; where they differ (bigint as string or number, Buffer or Uint8Array) `rows.ts`
 * evens it out.
 */
import { randomUUID } from "node:crypto";
import {
	type Activity,
	AppError,
	type ApprovalRules,
	type Board,
	type BoardSettings,
	type Decision,
	type DecisionContext,
	decide,
	type Member,
	type MentionWork,
	OPEN_OWNED_STATUSES,
	type Organisation,
	parseApprovalRules,
	rankForMember,
	type SlaKind,
	targetMentionId,
} from "@switchboard/domain";
import {
	type ExpressionBuilder,
	type Kysely,
	type Selectable,
	sql,
	type Transaction,
} from "kysely";
import type {
	ExecuteSystemCommandInput,
	NewSlaBreach,
	PresenceWrite,
	RecordedSlaBreach,
	ReportQuery,
	SlaCandidate,
} from "./coverage-storage.ts";
import { CoverageStore } from "./coverage-store.ts";
import { isDatabaseError, isRetryable, SqlState } from "./database-errors.ts";
import { IntegrationStore } from "./integration-store.ts";
import type { StorageLogger } from "./logger.ts";
import {
	iso,
	normalizeWork,
	toActivity,
	toBoard,
	toBytes,
	toMember,
	toMemberWithSecret,
	toNumber,
	toOrganisation,
	toStoredMention,
} from "./rows.ts";
import type { Database, MembersTable, MentionsTable } from "./schema.ts";
import type {
	CommandOutcome,
	DocumentUpdate,
	ExecuteCommandInput,
	MemberWithSecret,
	MentionFilter,
	NewMember,
	NewMention,
	Storage,
	StoredDocument,
	StoredMention,
} from "./storage.ts";

/** Which database engine a storage runs on. */
export type StorageDialect = Storage["dialect"];

/** Name of the partial unique index that allows one open ownership row per mention. */
const ONE_ACTIVE_OWNER = "ownerships_one_active_owner";
const PROCESSED_COMMANDS_PKEY = "processed_commands_pkey";

/** How often a command transaction is run again after a deadlock or serialization failure. */
const MAX_COMMAND_ATTEMPTS = 3;

/** How many candidates claimNext reads and ranks; the SQL order already matches the ranking. */
const CLAIM_NEXT_CANDIDATES = 50;

/** Rows per INSERT when ingesting, well below PostgreSQL's 65535 bind parameters. */
const INSERT_CHUNK = 500;

/** First key of the advisory locks that order document-log appends against readers. */
const DOCUMENT_LOCK_NAMESPACE = 0x5362;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Reject = Extract<CommandOutcome, { ok: false }>;

function reject(code: Reject["code"], message: string): CommandOutcome {
	return { ok: false, code, message, replayed: false };
}

function json(value: unknown): string {
	return JSON.stringify(value);
}

function jsonOrNull(value: unknown): string | null {
	return value === null ? null : JSON.stringify(value);
}

/**
 * Exclusive lock on one document's log for the rest of the transaction: waits for the
 * appends in flight (which hold it shared) and keeps new ones out.
 */
function documentLock(name: string) {
	return sql`select pg_advisory_xact_lock(${sql.lit(DOCUMENT_LOCK_NAMESPACE)}, hashtext(${name}))`;
}

/**
 * Storage on a kysely database whose schema is migrated (see `openStorage`).
 */
export class KyselyStorage extends IntegrationStore implements Storage {
	readonly dialect: StorageDialect;
	/**
	 * The kysely handle, for tests and maintenance tasks that need SQL the Storage
	 * interface does not offer. Application code goes through the interface.
	 */
	readonly db: Kysely<Database>;
	readonly #logger: StorageLogger;
	readonly #coverage: CoverageStore;

	constructor(db: Kysely<Database>, dialect: StorageDialect, logger: StorageLogger) {
		super(db);
		this.db = db;
		this.dialect = dialect;
		this.#logger = logger;
		this.#coverage = new CoverageStore(db);
	}

	getBoardSettings(orgId: string, boardId: string): Promise<BoardSettings> {
		return this.#coverage.getBoardSettings(orgId, boardId);
	}

	saveBoardSettings(
		orgId: string,
		boardId: string,
		settings: BoardSettings,
	): Promise<BoardSettings> {
		return this.#write("The board's settings", () =>
			this.#coverage.saveBoardSettings(orgId, boardId, settings),
		);
	}

	recordPresence(writes: PresenceWrite[]): Promise<void> {
		return this.#coverage.recordPresence(writes);
	}

	listPresence(orgId: string) {
		return this.#coverage.listPresence(orgId);
	}

	prunePresence(before: string): Promise<number> {
		return this.#coverage.prunePresence(before);
	}

	listSlaCandidates(
		orgId: string,
		boardId: string,
		input: { now: string; since: string; shortestMinutes: Record<SlaKind, number> },
	): Promise<SlaCandidate[]> {
		return this.#coverage.listSlaCandidates(orgId, boardId, input);
	}

	recordSlaBreaches(
		orgId: string,
		breaches: NewSlaBreach[],
		at: string,
	): Promise<RecordedSlaBreach[]> {
		return this.#coverage.recordSlaBreaches(orgId, breaches, at);
	}

	listSlaBreaches(
		orgId: string,
		boardId: string,
		filter?: { mentionIds?: string[] },
	): Promise<RecordedSlaBreach[]> {
		return this.#coverage.listSlaBreaches(orgId, boardId, filter);
	}

	report(query: ReportQuery) {
		return this.#coverage.report(query);
	}

	async ping(): Promise<void> {
		await sql`select 1`.execute(this.db);
	}

	async close(): Promise<void> {
		await this.db.destroy();
	}

	createOrganisation(input: { id?: string; name: string }): Promise<Organisation> {
		return this.#write("The organisation", async () => {
			const row = await this.db
				.insertInto("organisations")
				.values({ id: input.id ?? randomUUID(), name: input.name })
				.returningAll()
				.executeTakeFirstOrThrow();
			return toOrganisation(row);
		});
	}

	async getOrganisation(id: string): Promise<Organisation | null> {
		const row = await this.db
			.selectFrom("organisations")
			.selectAll()
			.where("id", "=", id)
			.executeTakeFirst();
		return row ? toOrganisation(row) : null;
	}

	async listOrganisations(): Promise<Organisation[]> {
		const rows = await this.db
			.selectFrom("organisations")
			.selectAll()
			.orderBy("name")
			.orderBy("id")
			.execute();
		return rows.map(toOrganisation);
	}

	createMember(input: NewMember): Promise<Member> {
		return this.#write("A member with that email", async () => {
			const row = await this.db
				.insertInto("members")
				.values({
					id: input.id ?? randomUUID(),
					org_id: input.orgId,
					email: normalizeEmail(input.email),
					name: input.name,
					role: input.role,
					capacity: input.capacity,
					skills: json(input.skills ?? []),
					languages: json(input.languages ?? []),
					password_hash: input.passwordHash,
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			return toMember(row);
		});
	}

	async getMember(id: string): Promise<Member | null> {
		const row = await this.db
			.selectFrom("members")
			.selectAll()
			.where("id", "=", id)
			.executeTakeFirst();
		return row ? toMember(row) : null;
	}

	async findMemberByEmail(email: string): Promise<MemberWithSecret | null> {
		const row = await this.db
			.selectFrom("members")
			.selectAll()
			.where("email", "=", normalizeEmail(email))
			.executeTakeFirst();
		return row ? toMemberWithSecret(row) : null;
	}

	async listMembers(orgId: string): Promise<Member[]> {
		const rows = await this.db
			.selectFrom("members")
			.selectAll()
			.where("org_id", "=", orgId)
			.orderBy("name")
			.orderBy("id")
			.execute();
		return rows.map(toMember);
	}

	createBoard(input: { id?: string; orgId: string; name: string }): Promise<Board> {
		return this.#write("The board", async () => {
			const row = await this.db
				.insertInto("boards")
				.values({ id: input.id ?? randomUUID(), org_id: input.orgId, name: input.name })
				.returningAll()
				.executeTakeFirstOrThrow();
			return toBoard(row);
		});
	}

	async getBoard(orgId: string, boardId: string): Promise<Board | null> {
		const row = await this.db
			.selectFrom("boards")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "=", boardId)
			.executeTakeFirst();
		return row ? toBoard(row) : null;
	}

	async listBoards(orgId: string): Promise<Board[]> {
		const rows = await this.db
			.selectFrom("boards")
			.selectAll()
			.where("org_id", "=", orgId)
			.orderBy("name")
			.orderBy("id")
			.execute();
		return rows.map(toBoard);
	}

	insertMentions(orgId: string, boardId: string, mentions: NewMention[]): Promise<StoredMention[]> {
		return this.#write("A mention with that id", async () => {
			const inserted: StoredMention[] = [];
			for (let start = 0; start < mentions.length; start += INSERT_CHUNK) {
				const chunk = mentions.slice(start, start + INSERT_CHUNK);
				const rows = await this.db
					.insertInto("mentions")
					.values(
						chunk.map((mention) => ({
							id: mention.id ?? randomUUID(),
							org_id: orgId,
							board_id: boardId,
							network: mention.network,
							external_id: mention.externalId,
							url: mention.url,
							author: json(mention.author),
							text: mention.text,
							thread: json(mention.thread),
							posted_at: iso(mention.postedAt),
							ingested_at: iso(mention.ingestedAt),
							language: mention.language,
							sentiment: mention.sentiment,
							priority: mention.priority ?? "normal",
							tags: json(mention.tags ?? []),
							status: mention.status ?? "new",
							updated_at: iso(mention.ingestedAt),
						})),
					)
					.onConflict((conflict) =>
						conflict.columns(["org_id", "network", "external_id"]).doNothing(),
					)
					.returningAll()
					.execute();
				inserted.push(...rows.map(toStoredMention));
			}
			return inserted;
		});
	}

	async getMention(orgId: string, mentionId: string): Promise<StoredMention | null> {
		const row = await this.db
			.selectFrom("mentions")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "=", mentionId)
			.executeTakeFirst();
		return row ? toStoredMention(row) : null;
	}

	async listMentions(
		orgId: string,
		boardId: string,
		filter: MentionFilter = {},
	): Promise<StoredMention[]> {
		const statuses =
			filter.status === undefined
				? undefined
				: Array.isArray(filter.status)
					? filter.status
					: [filter.status];
		// `in ()` is not SQL; an empty list matches nothing.
		if (statuses?.length === 0 || filter.ids?.length === 0) return [];
		let query = this.db
			.selectFrom("mentions")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("board_id", "=", boardId);
		if (statuses) query = query.where("status", "in", statuses);
		if (filter.ownerId !== undefined) query = query.where("owner_id", "=", filter.ownerId);
		if (filter.ids) query = query.where("id", "in", filter.ids);
		const rows = await query.orderBy("posted_at").orderBy("id").execute();
		return rows.map(toStoredMention);
	}

	/**
	 * Run one command in one transaction. Lock order is always members (sorted by id, in
	 * one statement) before mentions, so two commands cannot deadlock on each other.
	 */
	async executeCommand(input: ExecuteCommandInput): Promise<CommandOutcome> {
		if (!UUID.test(input.commandId)) {
			// processed_commands.id is a uuid column; say so rather than fail in SQL.
			return reject("invalid", "A command id must be a UUID.");
		}
		const now = iso(input.now);
		// The mention the command ended up on; claimNext only knows it inside the transaction.
		const touched: { mentionId: string | null } = { mentionId: targetMentionId(input.command) };
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.db
					.transaction()
					.execute((trx) => this.#runCommand(trx, input, now, touched));
			} catch (error) {
				if (isDatabaseError(error, SqlState.uniqueViolation, ONE_ACTIVE_OWNER)) {
					this.#logger.warn(
						{ commandId: input.commandId, mentionId: touched.mentionId },
						"concurrent claim stopped by the one-active-owner index",
					);
					return this.#rejectConcurrentClaim(input, now, touched.mentionId);
				}
				if (isDatabaseError(error, SqlState.uniqueViolation, PROCESSED_COMMANDS_PKEY)) {
					// The same id ran concurrently (from another actor: the actor lock orders
					// one actor's runs) and committed first; this run is rolled back.
					const replayed = await this.#replay(this.db, input);
					if (replayed) return replayed;
					throw error;
				}
				if (isRetryable(error) && attempt < MAX_COMMAND_ATTEMPTS) {
					this.#logger.warn(
						{ commandId: input.commandId, attempt, code: (error as { code?: unknown }).code },
						"command transaction conflicted; running it again",
					);
					continue;
				}
				throw error;
			}
		}
	}

	async listActivity(
		orgId: string,
		filter: { mentionId?: string; limit?: number } = {},
	): Promise<Activity[]> {
		let query = this.db.selectFrom("activity").selectAll().where("org_id", "=", orgId);
		if (filter.mentionId !== undefined) query = query.where("mention_id", "=", filter.mentionId);
		query = query.orderBy("id", "desc");
		if (filter.limit !== undefined) query = query.limit(filter.limit);
		const rows = await query.execute();
		return rows.map(toActivity);
	}

	/**
	 * Each append holds a shared lock on its documents until it commits; see
	 * {@link KyselyStorage.loadDocument}. Ids are assigned in VALUES order, so sorting the
	 * returned ids gives them in input order whatever order RETURNING lists them in.
	 *
	 * One statement, so one round trip: every update waits for this before it is
	 * acknowledged. Its implicit transaction holds the locks until the rows are committed;
	 * the uncorrelated condition is a one-time filter, evaluated (all locks taken) before
	 * the first row is inserted.
	 */
	async appendUpdates(entries: DocumentUpdate[]): Promise<number[]> {
		if (entries.length === 0) return [];
		const names = [...new Set(entries.map((entry) => entry.name))].sort();
		const values = entries.map(({ name, update }) => sql`(${name}, ${update}::bytea)`);
		const { rows } = await sql<{ id: string | number }>`
			with locks as (
				select pg_advisory_xact_lock_shared(${sql.lit(DOCUMENT_LOCK_NAMESPACE)}, hashtext(name))
				from unnest(array[${sql.join(names)}]::text[]) as name
			)
			insert into document_updates (name, update)
			select entry.name, entry.update from (values ${sql.join(values)}) as entry(name, update)
			where (select count(*) from locks) = ${names.length}
			returning id`.execute(this.db);
		return rows.map((row) => toNumber(row.id)).sort((a, b) => a - b);
	}

	/**
	 * Read a document's snapshot and log. Appends hold a shared lock on the document until
	 * they commit and this read takes it exclusively, so no entry with an id at or below
	 * `lastUpdateId` is still in flight, and no compaction runs between the two reads.
	 */
	loadDocument(documentName: string): Promise<StoredDocument> {
		return this.db.transaction().execute(async (trx) => {
			await documentLock(documentName).execute(trx);
			const snapshot = await trx
				.selectFrom("document_snapshots")
				.select(["snapshot", "up_to_update_id"])
				.where("name", "=", documentName)
				.executeTakeFirst();
			const rows = await trx
				.selectFrom("document_updates")
				.select(["id", "update"])
				.where("name", "=", documentName)
				.orderBy("id")
				.execute();
			const updateIds = rows.map((row) => toNumber(row.id));
			return {
				snapshot: snapshot ? toBytes(snapshot.snapshot) : null,
				updates: rows.map((row) => toBytes(row.update)),
				updateIds,
				lastUpdateId: Math.max(
					snapshot ? toNumber(snapshot.up_to_update_id) : 0,
					updateIds.at(-1) ?? 0,
				),
			};
		});
	}

	async compactDocument(
		documentName: string,
		snapshot: Uint8Array,
		includedIds: number[],
		merge?: (stored: Uint8Array, fresh: Uint8Array) => Uint8Array,
	): Promise<void> {
		await this.db.transaction().execute(async (trx) => {
			await documentLock(documentName).execute(trx);
			let next = snapshot;
			if (merge) {
				const stored = await trx
					.selectFrom("document_snapshots")
					.select("snapshot")
					.where("name", "=", documentName)
					.executeTakeFirst();
				if (stored) next = merge(new Uint8Array(stored.snapshot), snapshot);
			}
			// up_to_update_id stays: it only records what storeSnapshot's range covered.
			await trx
				.insertInto("document_snapshots")
				.values({ name: documentName, snapshot: next, up_to_update_id: 0 })
				.onConflict((conflict) =>
					conflict.column("name").doUpdateSet((eb) => ({
						snapshot: eb.ref("excluded.snapshot"),
						updated_at: sql<Date>`now()`,
					})),
				)
				.execute();
			if (includedIds.length > 0) {
				await trx
					.deleteFrom("document_updates")
					.where("name", "=", documentName)
					.where("id", "in", includedIds)
					.execute();
			}
		});
	}

	async storeSnapshot(
		documentName: string,
		snapshot: Uint8Array,
		upToUpdateId: number,
	): Promise<void> {
		await this.db.transaction().execute(async (trx) => {
			await documentLock(documentName).execute(trx);
			await trx
				.insertInto("document_snapshots")
				.values({ name: documentName, snapshot, up_to_update_id: upToUpdateId })
				.onConflict((conflict) =>
					conflict
						.column("name")
						.doUpdateSet((eb) => ({
							snapshot: eb.ref("excluded.snapshot"),
							up_to_update_id: eb.ref("excluded.up_to_update_id"),
							updated_at: sql<Date>`now()`,
						}))
						.where("document_snapshots.up_to_update_id", "<=", upToUpdateId),
				)
				.execute();
			// Safe even when a newer snapshot was kept: it includes these entries too.
			await trx
				.deleteFrom("document_updates")
				.where("name", "=", documentName)
				.where("id", "<=", upToUpdateId)
				.execute();
		});
	}

	async #runCommand(
		trx: Transaction<Database>,
		input: ExecuteCommandInput,
		now: string,
		touched: { mentionId: string | null },
	): Promise<CommandOutcome> {
		const { orgId, boardId, actorId, command } = input;
		const targetMemberId =
			command.name === "handoff"
				? command.args.to
				: command.name === "assign"
					? command.args.memberId
					: null;

		// Locking the actor serialises one member's commands across server instances, so
		// two concurrent claims cannot both pass the capacity check; the handoff or assign
		// target is locked for the same reason. Both in one statement, in id order, so two
		// handoffs in opposite directions cannot deadlock. NO KEY UPDATE is enough and does
		// not block foreign-key checks of other writers referencing these rows.
		const lockIds = [...new Set(targetMemberId ? [actorId, targetMemberId] : [actorId])];
		const locked = await trx
			.selectFrom("members")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("id", "in", lockIds)
			.orderBy("id")
			.forNoKeyUpdate()
			.execute();

		// Checked after the actor lock: a concurrent run of the same id by the same actor
		// has committed by now, and this read sees it.
		const previous = await this.#replay(trx, input);
		if (previous) return previous;

		const actorRow = locked.find((row) => row.id === actorId);
		if (!actorRow) {
			return this.#remember(
				trx,
				input,
				now,
				reject("forbidden", "You are not a member of this organisation."),
			);
		}
		const actor = toMember(actorRow);

		const mentionId = targetMentionId(command);
		const mentionRow =
			mentionId === null
				? await this.#pickNext(trx, orgId, boardId, actor, now)
				: await trx
						.selectFrom("mentions")
						.selectAll()
						.where("id", "=", mentionId)
						.where("org_id", "=", orgId)
						.where("board_id", "=", boardId)
						.forNoKeyUpdate()
						.executeTakeFirst();
		touched.mentionId = mentionRow?.id ?? mentionId;
		const mention = mentionRow ? toStoredMention(mentionRow).mention : null;

		// decide() is synchronous, so everything it may ask is loaded first: the locked
		// members, the current owner (for "already claimed by …"), and the open counts of
		// the members it may add a conversation to.
		const members = await this.#withOwner(trx, orgId, locked, mention?.owner?.memberId);
		const openCounts = await this.#openOwnedCounts(trx, [...members.keys()]);
		// Every command reads the board's approval rules: a rule that matches now must be
		// recorded before the command may change what it matched (priority, tags, owner).
		const approval = await approvalRulesOf(trx, orgId, boardId);

		const context: DecisionContext = {
			actor,
			now,
			mention,
			member: (id) => members.get(id),
			openOwnedCount: (id) => {
				const count = openCounts.get(id);
				if (count === undefined) throw new Error(`Open conversations of ${id} were not loaded.`);
				return count;
			},
			approval,
		};
		const decision = decide(command, context);
		if (!decision.ok) {
			return this.#remember(trx, input, now, reject(decision.code, decision.message));
		}

		const { work, rev } = await this.#record(trx, {
			orgId,
			decision,
			ownerBefore: mention?.owner?.memberId ?? null,
			actorId,
			commandId: input.commandId,
			action: decision.activity.action,
			detail: decision.activity.detail,
			now,
		});
		const outcome: CommandOutcome = {
			ok: true,
			mentionId: decision.mentionId,
			work,
			rev,
			replayed: false,
		};
		if (decision.result) outcome.result = decision.result;
		return this.#remember(trx, input, now, outcome);
	}

	/**
	 * Store an accepted decision: the mention's new work state (its revision bumped), the
	 * ownership history, and one activity record. Shared by members' and system commands,
	 * so both keep the same invariants.
	 */
	async #record(
		trx: Transaction<Database>,
		input: {
			orgId: string;
			decision: Extract<Decision, { ok: true }>;
			ownerBefore: string | null;
			actorId: string | null;
			commandId: string | null;
			action: string;
			detail: Record<string, unknown>;
			now: string;
		},
	): Promise<{ work: MentionWork; rev: number }> {
		const { decision, now } = input;
		const work = normalizeWork(decision.work);
		const { rev } = await trx
			.updateTable("mentions")
			.set((eb) => ({
				...workColumns(work),
				rev: eb("rev", "+", 1),
			}))
			.where("id", "=", decision.mentionId)
			.returning("rev")
			.executeTakeFirstOrThrow();

		const ownerAfter = work.owner?.memberId ?? null;
		if (input.ownerBefore !== ownerAfter) {
			if (input.ownerBefore !== null) {
				await trx
					.updateTable("ownerships")
					.set({ until: now, reason: input.action })
					.where("mention_id", "=", decision.mentionId)
					.where("until", "is", null)
					.execute();
			}
			if (work.owner !== null) {
				// Fails on the partial unique index if another owner is still open.
				await trx
					.insertInto("ownerships")
					.values({
						mention_id: decision.mentionId,
						member_id: work.owner.memberId,
						since: work.owner.since,
					})
					.execute();
			}
		}

		await trx
			.insertInto("activity")
			.values({
				org_id: input.orgId,
				mention_id: decision.mentionId,
				actor_id: input.actorId,
				action: input.action,
				command_id: input.commandId,
				from_status: decision.activity.fromStatus,
				to_status: decision.activity.toStatus,
				detail: json(input.detail),
				at: now,
			})
			.execute();
		return { work, rev };
	}

	async executeSystemCommand(input: ExecuteSystemCommandInput): Promise<CommandOutcome> {
		const now = iso(input.now);
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.db
					.transaction()
					.execute((trx) => this.#runSystemCommand(trx, input, now));
			} catch (error) {
				if (isDatabaseError(error, SqlState.uniqueViolation, ONE_ACTIVE_OWNER)) {
					return reject(
						"already_claimed",
						"Someone else took this conversation at the same moment.",
					);
				}
				if (isRetryable(error) && attempt < MAX_COMMAND_ATTEMPTS) continue;
				throw error;
			}
		}
	}

	async #runSystemCommand(
		trx: Transaction<Database>,
		input: ExecuteSystemCommandInput,
		now: string,
	): Promise<CommandOutcome> {
		const { orgId, boardId, command } = input;
		const mentionId = targetMentionId(command);
		if (mentionId === null) return reject("invalid", "A system command names its conversation.");
		const targetMemberId =
			command.name === "handoff"
				? command.args.to
				: command.name === "assign"
					? command.args.memberId
					: null;
		// Same lock order as members' commands: members first, then the mention.
		const locked = targetMemberId
			? await trx
					.selectFrom("members")
					.selectAll()
					.where("org_id", "=", orgId)
					.where("id", "=", targetMemberId)
					.forNoKeyUpdate()
					.execute()
			: [];
		const mentionRow = await trx
			.selectFrom("mentions")
			.selectAll()
			.where("id", "=", mentionId)
			.where("org_id", "=", orgId)
			.where("board_id", "=", boardId)
			.forNoKeyUpdate()
			.executeTakeFirst();
		const mention = mentionRow ? toStoredMention(mentionRow).mention : null;
		const ownerId = mention?.owner?.memberId ?? null;
		if (input.expectOwnerId !== undefined && ownerId !== input.expectOwnerId) {
			return reject("not_owner", "The conversation changed hands meanwhile.");
		}
		if (input.unlessSeenAfter !== undefined && ownerId !== null) {
			const seen = await trx
				.selectFrom("member_presence")
				.select("member_id")
				.where("member_id", "=", ownerId)
				.where("last_seen_at", ">", new Date(input.unlessSeenAfter))
				.executeTakeFirst();
			if (seen) return reject("invalid_transition", "The owner is back.");
		}
		const members = await this.#withOwner(trx, orgId, locked, ownerId);
		const openCounts = await this.#openOwnedCounts(trx, [...members.keys()]);
		const actor = systemActor(orgId);
		const decision = decide(command, {
			actor,
			now,
			mention,
			member: (id) => members.get(id),
			openOwnedCount: (id) => (id === actor.id ? 0 : (openCounts.get(id) ?? 0)),
			// A lease expiry releases the owner: a "new member" rule that matched stays recorded.
			approval: await approvalRulesOf(trx, orgId, boardId),
		});
		if (!decision.ok) return reject(decision.code, decision.message);
		const { work, rev } = await this.#record(trx, {
			orgId,
			decision,
			ownerBefore: ownerId,
			actorId: null,
			commandId: null,
			action: input.action,
			detail: { ...decision.activity.detail, ...input.detail },
			now,
		});
		return { ok: true, mentionId: decision.mentionId, work, rev, replayed: false };
	}

	/**
	 * The best conversation for this member, locked. The window of candidates is read
	 * without locks in the ranking's own order (priority, skill match, age), so it holds
	 * the best ones, and `rankForMember` has the last word. Then the first ranked candidate
	 * not locked by someone else is locked (SKIP LOCKED): concurrent claimNext calls each
	 * take a different conversation instead of queueing on, or all locking, the same few.
	 */
	async #pickNext(
		trx: Transaction<Database>,
		orgId: string,
		boardId: string,
		actor: Member,
		now: string,
	): Promise<Selectable<MentionsTable> | undefined> {
		let window = trx
			.selectFrom("mentions")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("board_id", "=", boardId)
			.where((eb) => claimable(eb, now));
		if (actor.languages.length > 0) {
			window = window.where((eb) =>
				eb.or([eb("language", "is", null), eb("language", "in", actor.languages)]),
			);
		}
		window = window.orderBy(
			sql`case ${sql.ref("priority")} when 'high' then 0 when 'normal' then 1 else 2 end`,
		);
		if (actor.skills.length > 0) {
			window = window.orderBy(
				sql`case when ${sql.ref("tags")} ?| array[${sql.join(actor.skills)}]::text[] then 0 else 1 end`,
			);
		}
		const candidates = await window
			.orderBy("posted_at")
			.orderBy("id")
			.limit(CLAIM_NEXT_CANDIDATES)
			.execute();
		const ranked = rankForMember(
			candidates.map((row) => toStoredMention(row).mention),
			actor,
			now,
		);
		if (ranked.length === 0) return undefined;
		// One statement, in the ranking's order: PostgreSQL locks rows as it returns them and
		// skips those locked by concurrent claims, so the first row is the best one free. (One
		// round trip per candidate made a claim storm queue on the connection pool.) Re-checked
		// under the lock: another claim may have committed since the read.
		const ids = ranked.map((candidate) => candidate.id);
		return trx
			.selectFrom("mentions")
			.selectAll()
			.where("id", "in", ids)
			.where((eb) => claimable(eb, now))
			.orderBy(sql`array_position(array[${sql.join(ids)}]::text[], ${sql.ref("id")})`)
			.limit(1)
			.forNoKeyUpdate()
			.skipLocked()
			.executeTakeFirst();
	}

	/** The locked members by id, and the conversation's current owner among them. */
	async #withOwner(
		trx: Transaction<Database>,
		orgId: string,
		locked: Selectable<MembersTable>[],
		ownerId: string | null | undefined,
	): Promise<Map<string, Member>> {
		const members = new Map(locked.map((row) => [row.id, toMember(row)]));
		if (ownerId != null && !members.has(ownerId)) {
			const ownerRow = await trx
				.selectFrom("members")
				.selectAll()
				.where("org_id", "=", orgId)
				.where("id", "=", ownerId)
				.executeTakeFirst();
			if (ownerRow) members.set(ownerRow.id, toMember(ownerRow));
		}
		return members;
	}

	/** Conversations each member owns that count against capacity (0 for none). */
	async #openOwnedCounts(
		trx: Transaction<Database>,
		memberIds: string[],
	): Promise<Map<string, number>> {
		const counts = new Map(memberIds.map((id) => [id, 0]));
		if (memberIds.length === 0) return counts;
		const rows = await trx
			.selectFrom("mentions")
			.select((eb) => ["owner_id", eb.fn.countAll<string | number>().as("count")])
			.where("owner_id", "in", memberIds)
			.where("status", "in", [...OPEN_OWNED_STATUSES])
			.groupBy("owner_id")
			.execute();
		for (const row of rows) {
			if (row.owner_id !== null) counts.set(row.owner_id, toNumber(row.count));
		}
		return counts;
	}

	/** The stored outcome of this command id, marked as replayed; undefined if it is new. */
	async #replay(
		trx: Kysely<Database>,
		input: ExecuteCommandInput,
	): Promise<CommandOutcome | undefined> {
		const row = await trx
			.selectFrom("processed_commands")
			.selectAll()
			.where("id", "=", input.commandId)
			.executeTakeFirst();
		if (!row) return undefined;
		if (
			row.org_id !== input.orgId ||
			row.actor_id !== input.actorId ||
			row.name !== input.command.name
		) {
			// Never hand one member's outcome to another who reuses the id.
			return reject("invalid", "This command id was already used for another command.");
		}
		return { ...row.outcome, replayed: true };
	}

	/**
	 * Record the outcome under the command id, so a repeat gets the same answer. A
	 * duplicate id fails the insert and so rolls back whatever the command changed, unless
	 * `ifNew` (nothing else to roll back) makes a duplicate keep the first answer.
	 */
	async #remember(
		trx: Transaction<Database>,
		input: ExecuteCommandInput,
		now: string,
		outcome: CommandOutcome,
		ifNew = false,
	): Promise<CommandOutcome> {
		const insert = trx.insertInto("processed_commands").values({
			id: input.commandId,
			org_id: input.orgId,
			actor_id: input.actorId,
			name: input.command.name,
			outcome: json(outcome),
			at: now,
		});
		await (ifNew
			? insert.onConflict((conflict) => conflict.column("id").doNothing())
			: insert
		).execute();
		return outcome;
	}

	/**
	 * The command's transaction was rolled back by the one-active-owner index: someone
	 * else's ownership committed first. Answer as decide() would have, naming the owner,
	 * and remember the answer in a transaction of its own.
	 */
	#rejectConcurrentClaim(
		input: ExecuteCommandInput,
		now: string,
		mentionId: string | null,
	): Promise<CommandOutcome> {
		return this.db.transaction().execute(async (trx) => {
			const owner =
				mentionId === null
					? undefined
					: await trx
							.selectFrom("ownerships")
							.innerJoin("members", "members.id", "ownerships.member_id")
							.select(["members.id", "members.name"])
							.where("ownerships.mention_id", "=", mentionId)
							.where("ownerships.until", "is", null)
							.executeTakeFirst();
			const message = !owner
				? "Someone else took this conversation at the same moment."
				: owner.id === input.actorId
					? "You already own this conversation."
					: `Already claimed by ${owner.name}.`;
			return this.#remember(trx, input, now, reject("already_claimed", message), true);
		});
	}

	/** Run a write, turning constraint violations into AppErrors the API can map. */
	async #write<T>(subject: string, run: () => Promise<T>): Promise<T> {
		try {
			return await run();
		} catch (error) {
			const constraint = (error as { constraint?: unknown }).constraint;
			const details = typeof constraint === "string" ? { constraint } : undefined;
			if (isDatabaseError(error, SqlState.uniqueViolation)) {
				throw new AppError("conflict", `${subject} already exists.`, details);
			}
			if (isDatabaseError(error, SqlState.foreignKeyViolation)) {
				throw new AppError(
					"not_found",
					"It refers to an organisation or board that does not exist.",
					details,
				);
			}
			if (isDatabaseError(error, SqlState.checkViolation)) {
				throw new AppError("invalid", "A value is out of its allowed range.", details);
			}
			throw error;
		}
	}
}

/** The board's approval rules, read inside the command's transaction. */
async function approvalRulesOf(
	trx: Transaction<Database>,
	orgId: string,
	boardId: string,
): Promise<ApprovalRules> {
	const row = await trx
		.selectFrom("board_settings")
		.select("settings")
		.where("org_id", "=", orgId)
		.where("board_id", "=", boardId)
		.executeTakeFirst();
	return parseApprovalRules(row?.settings.approval);
}

/**
 * Who decides a system command: the server itself, with a moderator's reach and no
 * conversations of its own. It never appears in the activity log (actor null).
 */
function systemActor(orgId: string): Member {
	return {
		id: "switchboard",
		orgId,
		email: "system@switchboard.invalid",
		name: "Switchboard",
		role: "admin",
		capacity: 0,
		skills: [],
		languages: [],
		active: true,
	};
}

/** SQL for the domain's `isClaimable`: unowned, and new, escalated or done snoozing. */
function claimable(eb: ExpressionBuilder<Database, "mentions">, now: string) {
	return eb.and([
		eb("owner_id", "is", null),
		eb.or([
			eb("status", "in", ["new", "escalated"]),
			eb.and([
				eb("status", "=", "snoozed"),
				eb.or([eb("snoozed_until", "is", null), eb("snoozed_until", "<=", new Date(now))]),
			]),
		]),
	]);
}

/** Emails compare case-blind: store and look them up in one form. */
function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/** The mention columns a command may change, from its new work state. */
function workColumns(work: MentionWork) {
	return {
		status: work.status,
		priority: work.priority,
		tags: json(work.tags),
		owner_id: work.owner?.memberId ?? null,
		owner_since: work.owner?.since ?? null,
		review: jsonOrNull(work.review),
		reply: jsonOrNull(work.reply),
		snoozed_until: work.snoozedUntil,
		approval_required: work.approvalRequired,
		updated_at: work.updatedAt,
	};
}

/**
 * The command arbiter port on kysely: every change to a conversation's work state runs
 * here, members' commands and the server's own, in one transaction that locks what the
 * domain's `decide` reads. Lock order is always members (sorted by id, in one statement)
 * before mentions, so two commands cannot deadlock on each other.
 */
import {
	type Activity,
	type ApprovalRules,
	boardArchived,
	ClaimPool,
	type Command,
	type Decision,
	type DecisionContext,
	decide,
	type Member,
	type Mention,
	type MentionStatus,
	type MentionWork,
	type Network,
	OPEN_OWNED_STATUSES,
	rankForMember,
	targetMentionId,
} from "@switchboard/domain";
import {
	type ExpressionBuilder,
	type Kysely,
	type Selectable,
	sql,
	type Transaction,
} from "kysely";
import { BoardBatches } from "./board-batches.ts";
import type { ExecuteSystemCommandInput } from "./coverage-storage.ts";
import {
	isConstraintViolation,
	isDatabaseError,
	retryTransaction,
	SqlState,
} from "./database-errors.ts";
import {
	boardForCommands,
	boardWithSettings,
	boardWithSettingsQuery,
} from "./kysely-coverage-store.ts";
import { TunedKyselyPort } from "./kysely-port.ts";
import type { StorageLogger } from "./logger.ts";
import {
	iso,
	isUuid,
	type JsonRow,
	json,
	jsonOrNull,
	normalizeWork,
	toActivity,
	toMember,
	toNumber,
	toStoredMention,
} from "./rows.ts";
import type { Database, MembersTable, MentionsTable, ProcessedCommandsTable } from "./schema.ts";
import type {
	ActivityFilter,
	CommandArbiter,
	CommandOutcome,
	ExecuteCommandInput,
} from "./storage.ts";

/** Name of the partial unique index that allows one open ownership row per mention. */
const ONE_ACTIVE_OWNER = "ownerships_one_active_owner";
const PROCESSED_COMMANDS_PKEY = "processed_commands_pkey";

/** Tuning of the command arbiter; every field has a default. */
export interface CommandArbiterConfiguration {
	/**
	 * How often a command transaction runs in all when PostgreSQL answers it with a
	 * deadlock or a serialization failure. Lock order makes both rare; a third conflict in
	 * a row is a fault worth an error rather than a longer wait.
	 * @default 3
	 */
	maxAttempts: number;
	/**
	 * How many candidates claimNext reads and ranks. The SQL order already matches the
	 * ranking, so the window only needs room for the candidates concurrent claims skip.
	 * @default 50
	 */
	claimNextCandidates: number;
	/**
	 * Most claimNext commands of one board decided in one transaction. claimNext commands
	 * that arrive while a board's batch runs wait for it and form the next batch, so a storm
	 * costs one transaction per batch instead of one per claim (see `#claimBatch`). A wave
	 * of 200 forms one batch: one transaction, one board update and one broadcast instead of
	 * two of each, the second waiting for the first. Bench scenario 5 with its clients
	 * answered as they come (seven alternated pairs against 100): claimNext p99 for all 200
	 * ambassadors 143 against 248 ms (medians, lower in 6 of 7), 1,336 against 929 claims/s
	 * (bench/findings/05.md, 2026-12-06). 100 had looked better when the bench's load
	 * process, decoding every board for all of them, stretched each wave over its queue.
	 * @default 200
	 */
	claimNextBatch: number;
	/**
	 * How long a board's first claimNext may wait for more while every event-loop turn
	 * brings more (a storm's wave still being read: 200 took 25-30 ms to arrive), so the
	 * wave forms one batch instead of waiting behind a batch of its first command. A turn
	 * that brings none starts the batch, so a lone command waits one turn.
	 * @default 40
	 */
	claimNextLingerMs: number;
}

export const defaultCommandArbiterConfiguration: CommandArbiterConfiguration = {
	maxAttempts: 3,
	claimNextCandidates: 50,
	claimNextBatch: 200,
	claimNextLingerMs: 40,
};

type Reject = Extract<CommandOutcome, { ok: false }>;
type Accepted = Extract<Decision, { ok: true }>;
/** A conversation's work as stored, with its new revision. */
type StoredWork = { work: MentionWork; rev: number };

/** The domain's priority rank (high first) in SQL, for reading candidates in its order. */
const PRIORITY_ORDER = sql<number>`case ${sql.ref("priority")} when 'high' then 0 when 'normal' then 1 else 2 end`;

function reject(code: Reject["code"], message: string): CommandOutcome {
	return { ok: false, code, message, replayed: false };
}

/** A batch's answer for a command it leaves to a transaction of its own. */
const ALONE = Symbol("decided alone");
type ClaimAnswer = CommandOutcome | typeof ALONE;

export class KyselyCommandArbiter
	extends TunedKyselyPort<CommandArbiterConfiguration>
	implements CommandArbiter
{
	readonly #claims: BoardBatches<ExecuteCommandInput, CommandOutcome>;

	constructor(
		db: Kysely<Database>,
		logger: StorageLogger,
		configuration: Partial<CommandArbiterConfiguration> = {},
	) {
		super(db, logger, defaultCommandArbiterConfiguration, configuration);
		this.#claims = new BoardBatches(
			(batch) => this.#claimBatch(batch),
			this.config.claimNextBatch,
			this.config.claimNextLingerMs,
		);
	}

	/** Run one member's command in one transaction, idempotent by its id. */
	async executeCommand(input: ExecuteCommandInput): Promise<CommandOutcome> {
		if (!isUuid(input.commandId)) {
			// processed_commands.id is a uuid column; say so rather than fail in SQL.
			return reject("invalid", "A command id must be a UUID.");
		}
		if (input.command.name === "bulk") {
			// The command extension runs each item as a command of its own (bulkItems).
			return reject("invalid", "A bulk command is executed item by item.");
		}
		if (input.command.name === "claimNext") {
			return this.#claims.submit(`${input.orgId}/${input.boardId}`, input);
		}
		return this.#executeAlone(input);
	}

	/** One command in a transaction of its own. */
	async #executeAlone(input: ExecuteCommandInput): Promise<CommandOutcome> {
		const now = iso(input.now);
		// The mention the command ended up on; claimNext only knows it inside the transaction.
		const touched: { mentionId: string | null } = { mentionId: targetMentionId(input.command) };
		try {
			return await this.#transaction(input.commandId, (trx) =>
				this.#runCommand(trx, input, now, touched),
			);
		} catch (error) {
			if (isDatabaseError(error, SqlState.uniqueViolation, ONE_ACTIVE_OWNER)) {
				this.logger.warn(
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
			}
			throw error;
		}
	}

	async executeSystemCommand(input: ExecuteSystemCommandInput): Promise<CommandOutcome> {
		const now = iso(input.now);
		try {
			return await this.#transaction(null, (trx) => this.#runSystemCommand(trx, input, now));
		} catch (error) {
			if (isDatabaseError(error, SqlState.uniqueViolation, ONE_ACTIVE_OWNER)) {
				return reject("already_claimed", "Someone else took this conversation at the same moment.");
			}
			throw error;
		}
	}

	async listActivity(orgId: string, filter: ActivityFilter = {}): Promise<Activity[]> {
		// An id is a bigserial: anything but digits names no entry (and would fail the cast).
		if (filter.before !== undefined && !/^\d{1,18}$/.test(filter.before)) return [];
		let query = this.db.selectFrom("activity").selectAll().where("org_id", "=", orgId);
		if (filter.mentionId !== undefined) query = query.where("mention_id", "=", filter.mentionId);
		if (filter.before !== undefined) query = query.where("id", "<", filter.before);
		query = query.orderBy("id", "desc");
		if (filter.limit !== undefined) query = query.limit(filter.limit);
		const rows = await query.execute();
		return rows.map(toActivity);
	}

	/** One command's transaction, run again (up to `maxAttempts`) when PostgreSQL asks to. */
	#transaction<T>(
		commandId: string | null,
		run: (trx: Transaction<Database>) => Promise<T>,
	): Promise<T> {
		return retryTransaction(
			() => this.db.transaction().execute(run),
			this.config.maxAttempts,
			(error, attempt) => {
				this.logger.warn(
					{ commandId, attempt, code: (error as { code?: unknown }).code },
					"command transaction conflicted; running it again",
				);
			},
		);
	}

	async #runCommand(
		trx: Transaction<Database>,
		input: ExecuteCommandInput,
		now: string,
		touched: { mentionId: string | null },
	): Promise<CommandOutcome> {
		const { orgId, boardId, actorId, command } = input;
		const targetMemberId = targetMemberOf(command);
		// Every command reads the board's approval rules: a rule that matches now must be
		// recorded before the command may change what it matched (priority, tags, owner).
		// The reply limits hold the text of a review. An archived board takes no command;
		// that answer is not remembered, as the board may be restored.
		const board = await boardOf(trx, orgId, boardId);
		if (board.archived !== null) return reject("forbidden", board.archived);

		// Locking the actor serialises one member's commands across server instances, so
		// two concurrent claims cannot both pass the capacity check; the handoff or assign
		// target is locked for the same reason.
		const locked = await lockMembers(
			trx,
			orgId,
			targetMemberId ? [actorId, targetMemberId] : [actorId],
		);

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
				: await lockMention(trx, orgId, boardId, mentionId);
		touched.mentionId = mentionRow?.id ?? mentionId;
		const mention = mentionRow ? toStoredMention(mentionRow).mention : null;

		// decide() is synchronous, so everything it may ask is loaded first: the locked
		// members, the current owner (for "already claimed by …"), and the open counts of
		// the members it may add a conversation to.
		const members = await this.#withOwner(trx, orgId, locked, mention?.owner?.memberId);
		const openCounts = await openOwnedCounts(trx, [...members.keys()]);
		const { approval, replyLimits } = board;

		const context: DecisionContext = {
			actor,
			now,
			mention,
			member: (id) => members.get(id),
			openOwnedCount: loadedCount(openCounts),
			approval,
			replyLimits,
		};
		const decision = decide(command, context);
		if (!decision.ok) {
			return this.#remember(trx, input, now, reject(decision.code, decision.message));
		}

		const recorded = await recordWork(trx, {
			orgId,
			decision,
			ownerBefore: mention?.owner?.memberId ?? null,
			actorId,
			commandId: input.commandId,
			action: decision.activity.action,
			detail: decision.activity.detail,
			now,
			answers: input,
		});
		return acceptedOutcome(decision, recorded, mention?.owner?.memberId ?? null);
	}

	async #runSystemCommand(
		trx: Transaction<Database>,
		input: ExecuteSystemCommandInput,
		now: string,
	): Promise<CommandOutcome> {
		const { orgId, boardId, command } = input;
		const mentionId = targetMentionId(command);
		if (mentionId === null) return reject("invalid", "A system command names its conversation.");
		const targetMemberId = targetMemberOf(command);
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
		const mentionRow = await lockMention(trx, orgId, boardId, mentionId);
		const mention = mentionRow ? toStoredMention(mentionRow).mention : null;
		const ownerId = mention?.owner?.memberId ?? null;
		if (input.expectOwnerId !== undefined && ownerId !== input.expectOwnerId) {
			return reject("not_owner", "The conversation changed hands meanwhile.");
		}
		if (
			input.snoozedDueBy !== undefined &&
			(mention?.status !== "snoozed" ||
				mention.snoozedUntil === null ||
				Date.parse(mention.snoozedUntil) > Date.parse(input.snoozedDueBy))
		) {
			return reject("invalid_transition", "The conversation is no longer snoozed until then.");
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
		const openCounts = await openOwnedCounts(trx, [...members.keys()]);
		const actor = systemActor(orgId);
		const { approval, replyLimits } = await boardOf(trx, orgId, boardId);
		const decision = decide(command, {
			actor,
			now,
			mention,
			member: (id) => members.get(id),
			openOwnedCount: (id) => (id === actor.id ? 0 : (openCounts.get(id) ?? 0)),
			// A lease expiry releases the owner: a "new member" rule that matched stays recorded.
			approval,
			replyLimits,
		});
		if (!decision.ok) return reject(decision.code, decision.message);
		const { work, rev } = await recordWork(trx, {
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
		window = window.orderBy(PRIORITY_ORDER);
		if (actor.skills.length > 0) {
			window = window.orderBy(
				sql`case when ${sql.ref("tags")} ?| array[${sql.join(actor.skills)}]::text[] then 0 else 1 end`,
			);
		}
		const candidates = await window
			.orderBy("posted_at")
			.orderBy("id")
			.limit(this.config.claimNextCandidates)
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

	/**
	 * A batch of one board's claimNext commands, decided in one transaction (`#decideClaims`).
	 * When the database refuses the batch as a whole (a constraint, as when a race got past
	 * the row locks), each command is decided again on its own: one claim's failure is that
	 * claim's answer, never its neighbours'. A lost database fails them all.
	 */
	async #claimBatch(
		batch: readonly ExecuteCommandInput[],
	): Promise<PromiseSettledResult<CommandOutcome>[]> {
		let answers: ClaimAnswer[];
		try {
			answers = await this.#transaction(null, (trx) => this.#decideClaims(trx, batch));
		} catch (error) {
			if (!isConstraintViolation(error)) throw error;
			this.logger.warn(
				{ err: error, commands: batch.length },
				"claimNext batch refused by the database; deciding its commands one by one",
			);
			answers = batch.map(() => ALONE);
		}
		return Promise.allSettled(
			batch.map((input, i) => {
				const answer = answers[i] ?? ALONE;
				return answer === ALONE ? this.#executeAlone(input) : Promise.resolve(answer);
			}),
		);
	}

	/**
	 * claimNext for several members of one board in one transaction: the same locks, reads
	 * and `decide` as `#runCommand`, each done once for the batch. The actors are locked
	 * together (in id order, as everywhere), then a pool of the board's best claimable
	 * conversations (`SKIP LOCKED`: what another instance's batch or a single command holds
	 * is left to it), and each command in arrival order takes the best one left for its
	 * member (`rankForMember`). The writes are one statement per table for the whole batch.
	 *
	 * A command the pool cannot answer for certain is left to a transaction of its own
	 * (ALONE): when the pool was full and something beyond it might rank higher for this
	 * member (a skill match), or the pool has nothing left for them. So are a repeated id
	 * within the batch and anything the database refuses.
	 */
	async #decideClaims(
		trx: Transaction<Database>,
		batch: readonly ExecuteCommandInput[],
	): Promise<ClaimAnswer[]> {
		const first = batch[0];
		if (!first) return [];
		const { orgId, boardId } = first;
		const times = batch.map((input) => iso(input.now));
		const latest = iso(new Date(Math.max(...times.map((time) => Date.parse(time)))));
		const locked = await lockMembers(
			trx,
			orgId,
			batch.map((input) => input.actorId),
		);
		const members = new Map(locked.map((row) => [row.id, toMember(row)]));
		// After the actor locks, as in #runCommand: a concurrent run of an id has committed,
		// and so has a claim that counts against an actor's capacity. The rest in one
		// statement: the board, the outcomes stored under the batch's ids, the actors' open
		// counts and the pool. (Five round trips, the reads of a 200-claim batch, were a tenth
		// of its time.) As json, not jsonb: the values are the same, and PostgreSQL writes
		// json_agg's rows straight out as text where jsonb_agg builds its binary form first
		// (the pool of a 200-claim batch, 250 rows: 3.0-3.6 ms against 7.5-8.2 ms, of about
		// 30 ms the batch spends in PostgreSQL).
		const limit = this.config.claimNextCandidates + batch.length;
		const poolQuery = trx
			.selectFrom("mentions")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("board_id", "=", boardId)
			.where((eb) => claimable(eb, latest))
			.orderBy(PRIORITY_ORDER)
			.orderBy("posted_at")
			.orderBy("id")
			.limit(limit)
			.forNoKeyUpdate()
			.skipLocked();
		const processedQuery = trx
			.selectFrom("processed_commands")
			.selectAll()
			.where(
				"id",
				"in",
				batch.map((input) => input.commandId),
			);
		const { rows: reads } = await sql<{
			board: JsonRow<Parameters<typeof boardForCommands>[0]> | null;
			processed: JsonRow<Selectable<ProcessedCommandsTable>>[];
			counts: Record<string, number>;
			pool: JsonRow<Selectable<MentionsTable>>[];
		}>`select
			(select row_to_json(b) from ${boardWithSettingsQuery(trx, orgId, boardId)} as b) as board,
			(select coalesce(json_agg(p), '[]') from ${processedQuery} as p) as processed,
			(select coalesce(json_object_agg(c.owner_id, c.count), '{}')
				from ${openOwnedCountsQuery(trx, [...members.keys()])} as c) as counts,
			(select coalesce(json_agg(m order by ${PRIORITY_ORDER}, m.posted_at, m.id), '[]')
				from ${poolQuery} as m) as pool`.execute(trx);
		const read = reads[0];
		if (!read) throw new Error("The claim batch's reads returned no row.");
		const board = boardForCommands(read.board ?? undefined);
		if (board.archived) {
			const refusal = boardArchived(board.name ?? boardId);
			return batch.map(() => reject("forbidden", refusal));
		}
		const rules = { approval: board.settings.approval, replyLimits: board.settings.replyLimits };
		const stored = new Map(read.processed.map((row) => [row.id, row]));
		const openCounts = new Map([...members.keys()].map((id) => [id, read.counts[id] ?? 0]));
		const rows = read.pool;
		const candidates = rows.map((row) => toStoredMention(row).mention);
		const pool = new ClaimPool(candidates);
		// The pool holds every claimable conversation nobody else holds, unless it is full:
		// then the rest rank after its last one by priority and age, though not by skills.
		const last = rows.length === limit ? candidates[candidates.length - 1] : undefined;
		const seen = new Set<string>();
		const answers: ClaimAnswer[] = [];
		/** Refusals decided here, remembered under their ids (a replay is not). */
		const rejected: RememberedOutcome[] = [];
		const answer = (index: number, outcome: CommandOutcome) => {
			answers.push(outcome);
			rejected.push({
				input: batch[index] as ExecuteCommandInput,
				now: times[index] as string,
				outcome,
			});
		};
		const accepted: {
			index: number;
			input: ExecuteCommandInput;
			now: string;
			decision: Accepted;
		}[] = [];
		for (const [index, input] of batch.entries()) {
			const now = times[index] as string;
			const previous = stored.get(input.commandId);
			if (seen.has(input.commandId)) {
				answers.push(ALONE);
				continue;
			}
			seen.add(input.commandId);
			if (previous) {
				answers.push(storedOutcome(previous, input));
				continue;
			}
			const actor = members.get(input.actorId);
			if (!actor) {
				answer(index, reject("forbidden", "You are not a member of this organisation."));
				continue;
			}
			const pick = pool.best(actor, now);
			const decision = decide(input.command, {
				actor,
				now,
				mention: pick,
				member: (id) => members.get(id),
				openOwnedCount: loadedCount(openCounts),
				...rules,
			});
			if (!decision.ok && decision.code !== "nothing_to_claim") {
				// Whichever conversation it picked, the member could not have taken it.
				answer(index, reject(decision.code, decision.message));
				continue;
			}
			if (last && !(pick && outranksBeyondPool(pick, last, actor, now))) {
				answers.push(ALONE);
				continue;
			}
			if (!decision.ok) {
				answer(index, reject(decision.code, decision.message));
				continue;
			}
			pool.take(decision.mentionId);
			openCounts.set(actor.id, (openCounts.get(actor.id) ?? 0) + 1);
			answers.push(ALONE);
			accepted.push({ index, input, now, decision });
		}
		const recorded = await recordWorks(
			trx,
			accepted.map(({ input, now, decision }) => ({
				orgId,
				decision,
				ownerBefore: null,
				actorId: input.actorId,
				commandId: input.commandId,
				action: decision.activity.action,
				detail: decision.activity.detail,
				now,
				answers: input,
			})),
			rejected,
		);
		for (const [k, { index, decision }] of accepted.entries()) {
			answers[index] = acceptedOutcome(decision, recorded[k] as StoredWork, null);
		}
		return answers;
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
		return row && storedOutcome(row, input);
	}

	/** Remember one command's outcome (`rememberOutcomes`) and answer it. */
	async #remember(
		trx: Transaction<Database>,
		input: ExecuteCommandInput,
		now: string,
		outcome: CommandOutcome,
		ifNew = false,
	): Promise<CommandOutcome> {
		await rememberOutcomes(trx, [{ input, now, outcome }], ifNew);
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
}

/** The member a handoff or an assign gives the conversation to, locked with the actor. */
function targetMemberOf(command: Command): string | null {
	if (command.name === "handoff") return command.args.to;
	if (command.name === "assign") return command.args.memberId;
	return null;
}

/**
 * Lock these members of the organisation for the transaction and read them. In one
 * statement, in id order, so two transactions locking overlapping sets (handoffs in
 * opposite directions, two claim batches) cannot deadlock. NO KEY UPDATE is enough and
 * does not block foreign-key checks of other writers referencing these rows.
 */
function lockMembers(
	trx: Transaction<Database>,
	orgId: string,
	ids: readonly string[],
): Promise<Selectable<MembersTable>[]> {
	return trx
		.selectFrom("members")
		.selectAll()
		.where("org_id", "=", orgId)
		.where("id", "in", [...new Set(ids)])
		.orderBy("id")
		.forNoKeyUpdate()
		.execute();
}

/**
 * The command's mention on this board, locked for the transaction. NO KEY UPDATE is
 * enough and does not block foreign-key checks of writers referencing the row.
 */
function lockMention(
	trx: Transaction<Database>,
	orgId: string,
	boardId: string,
	mentionId: string,
): Promise<Selectable<MentionsTable> | undefined> {
	return trx
		.selectFrom("mentions")
		.selectAll()
		.where("id", "=", mentionId)
		.where("org_id", "=", orgId)
		.where("board_id", "=", boardId)
		.forNoKeyUpdate()
		.executeTakeFirst();
}

/**
 * The board's approval rules and reply limits, and the refusal a command gets when it is
 * archived (null when it is not), read inside the command's transaction in one statement.
 */
async function boardOf(
	trx: Transaction<Database>,
	orgId: string,
	boardId: string,
): Promise<{
	archived: string | null;
	approval: ApprovalRules;
	replyLimits: Record<Network, number>;
}> {
	const { name, archived, settings } = await boardWithSettings(trx, orgId, boardId);
	const { approval, replyLimits } = settings;
	return { archived: archived ? boardArchived(name ?? boardId) : null, approval, replyLimits };
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

/** The mention columns a command may change, from its new work state. */
export function workColumns(work: MentionWork) {
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
		unseen_follow_ups: work.unseenFollowUps,
		sla_from: work.slaFrom,
		updated_at: work.updatedAt,
	};
}

/** An accepted decision to store, as `recordWorks` takes it. */
export interface WorkRecord {
	orgId: string;
	/** The conversation, its new work state and the statuses the activity records. */
	decision: {
		mentionId: string;
		work: MentionWork;
		activity: { fromStatus: MentionStatus; toStatus: MentionStatus };
		/** Extra data for the command's ack (claimNext names what it claimed). */
		result?: Record<string, unknown>;
	};
	ownerBefore: string | null;
	actorId: string | null;
	commandId: string | null;
	action: string;
	detail: Record<string, unknown>;
	now: string;
	/**
	 * The member's command this decision answers: its outcome (`acceptedOutcome`) is
	 * remembered under the command's id by the same statement. Absent for the server's own
	 * changes, which have no id to repeat.
	 */
	answers?: ExecuteCommandInput;
}

/** An outcome to remember under its command id, so a repeat gets the same answer. */
interface RememberedOutcome {
	input: ExecuteCommandInput;
	now: string;
	outcome: CommandOutcome;
}

/**
 * Store an accepted decision: the mention's new work state (its revision bumped), the
 * ownership history, and one activity record. Shared by members' and system commands and
 * by follow-ups (kysely-thread-store.ts), so all keep the same invariants.
 */
export async function recordWork(
	trx: Transaction<Database>,
	input: WorkRecord,
): Promise<StoredWork> {
	const [recorded] = await recordWorks(trx, [input]);
	if (!recorded) throw new Error(`Mention ${input.decision.mentionId} is gone.`);
	return recorded;
}

/**
 * The SQL type of each column `workColumns` writes, for reading a batch of them from one
 * JSON parameter (`jsonb_to_recordset`). jsonb columns arrive as their JSON text.
 */
const WORK_COLUMN_TYPES = {
	status: "text",
	priority: "text",
	tags: "jsonb",
	owner_id: "text",
	owner_since: "timestamptz",
	review: "jsonb",
	reply: "jsonb",
	snoozed_until: "timestamptz",
	approval_required: "boolean",
	unseen_follow_ups: "integer",
	sla_from: "timestamptz",
	updated_at: "timestamptz",
} as const satisfies Record<keyof ReturnType<typeof workColumns>, string>;

const WORK_COLUMNS = Object.entries(WORK_COLUMN_TYPES);
const WORK_RECORD_TYPE = sql.raw(
	WORK_COLUMNS.map(([column, type]) => `${column} ${type === "jsonb" ? "text" : type}`).join(", "),
);
const WORK_ASSIGNMENTS = sql.raw(
	WORK_COLUMNS.map(([column, type]) => `${column} = v.${column}::${type}`).join(", "),
);

/**
 * `recordWork` for several decisions on different conversations, and the outcomes of the
 * commands they answer (`answers`) with `rejected` ones besides, in one statement whatever
 * their number (a batch of claims): the mentions' updates, the ownerships begun, the
 * activity records and the processed commands, each read from one JSON parameter. (One
 * statement per table, each with a parameter per value, made a 200-claim batch's writes
 * four round trips and several thousand parameters to bind.) An accepted outcome takes its
 * revision from the mention's update. Ownerships ended by a handoff or a release are a
 * statement before it: the one-active-owner index must see the old one closed before the
 * new one opens, and the sub-statements of one statement run in no set order. Returns
 * each decision's stored work and new revision, in input order.
 */
export async function recordWorks(
	trx: Transaction<Database>,
	inputs: readonly WorkRecord[],
	rejected: readonly RememberedOutcome[] = [],
): Promise<StoredWork[]> {
	if (inputs.length === 0 && rejected.length === 0) return [];
	const works = inputs.map((input) => normalizeWork(input.decision.work));
	const changes = inputs.map((input, i) => ({
		id: input.decision.mentionId,
		...workColumns(works[i] as MentionWork),
	}));
	const changedHands = inputs.flatMap((input, i) => {
		const owner = (works[i] as MentionWork).owner;
		return input.ownerBefore === (owner?.memberId ?? null) ? [] : [{ input, owner }];
	});
	const endings = changedHands.flatMap(({ input }) =>
		input.ownerBefore === null
			? []
			: [{ mention_id: input.decision.mentionId, until: input.now, reason: input.action }],
	);
	if (endings.length > 0) {
		await sql`
			update ownerships as o set until = v.until, reason = v.reason
			from jsonb_to_recordset(${json(endings)}::jsonb) as v(mention_id text, until timestamptz, reason text)
			where o.mention_id = v.mention_id and o.until is null`.execute(trx);
	}
	const begun = changedHands.flatMap(({ input, owner }) =>
		owner
			? [{ mention_id: input.decision.mentionId, member_id: owner.memberId, since: owner.since }]
			: [],
	);
	const activity = inputs.map((input) => ({
		org_id: input.orgId,
		mention_id: input.decision.mentionId,
		actor_id: input.actorId,
		action: input.action,
		command_id: input.commandId,
		from_status: input.decision.activity.fromStatus,
		to_status: input.decision.activity.toStatus,
		detail: input.detail,
		at: input.now,
	}));
	// An accepted outcome is stored without its revision; `rev_of` names the mention whose
	// new revision the statement adds to it.
	const processed = [
		...inputs.flatMap((input, i) => {
			if (!input.answers) return [];
			const { mentionId, result } = input.decision;
			const outcome = {
				ok: true,
				mentionId,
				work: works[i],
				replayed: false,
				ownerBefore: input.ownerBefore,
				...(result && { result }),
			};
			return [processedRow(input.answers, input.now, outcome, mentionId)];
		}),
		...rejected.map(({ input, now, outcome }) => processedRow(input, now, outcome, null)),
	];
	// Fails on the partial unique index (begun) if another owner is still open, and on the
	// primary key of processed_commands if an id was used before.
	const { rows } = await sql<{ id: string; rev: number }>`
		with updated as (
			update mentions as m set ${WORK_ASSIGNMENTS}, rev = m.rev + 1
			from jsonb_to_recordset(${json(changes)}::jsonb) as v(id text, ${WORK_RECORD_TYPE})
			where m.id = v.id
			returning m.id, m.rev
		), begun as (
			insert into ownerships (mention_id, member_id, since)
			select v.mention_id, v.member_id, v.since
			from jsonb_to_recordset(${json(begun)}::jsonb)
				as v(mention_id text, member_id text, since timestamptz)
		), logged as (
			insert into activity (org_id, mention_id, actor_id, action, command_id, from_status, to_status, detail, at)
			select v.org_id, v.mention_id, v.actor_id, v.action, v.command_id, v.from_status, v.to_status, v.detail, v.at
			from jsonb_to_recordset(${json(activity)}::jsonb)
				as v(org_id text, mention_id text, actor_id text, action text, command_id uuid, from_status text, to_status text, detail jsonb, at timestamptz)
		), remembered as (
			insert into processed_commands (id, org_id, actor_id, name, outcome, at)
			select v.id, v.org_id, v.actor_id, v.name,
				case when v.rev_of is null then v.outcome else v.outcome || jsonb_build_object('rev', u.rev) end,
				v.at
			from jsonb_to_recordset(${json(processed)}::jsonb)
				as v(id uuid, org_id text, actor_id text, name text, outcome jsonb, at timestamptz, rev_of text)
			left join updated as u on u.id = v.rev_of
		)
		select id, rev from updated`.execute(trx);
	const revs = new Map(rows.map((row) => [row.id, row.rev]));
	return inputs.map((input, i) => {
		const rev = revs.get(input.decision.mentionId);
		if (rev === undefined) throw new Error(`Mention ${input.decision.mentionId} is gone.`);
		return { work: works[i] as MentionWork, rev };
	});
}

/** A processed_commands row as `recordWorks` reads it from JSON. */
function processedRow(
	input: ExecuteCommandInput,
	now: string,
	outcome: object,
	revOf: string | null,
) {
	return {
		id: input.commandId,
		org_id: input.orgId,
		actor_id: input.actorId,
		name: input.command.name,
		outcome,
		at: now,
		rev_of: revOf,
	};
}

/**
 * Whether `pick` ranks, for this member, before everything a full pool of candidates left
 * out. What it left out ranks after `last` by priority and age; at best it is as early as
 * `last`, matches every skill of the member and is in no particular language.
 */
function outranksBeyondPool(pick: Mention, last: Mention, member: Member, now: string): boolean {
	const bestLeftOut: Mention = {
		...last,
		tags: [...member.skills],
		language: null,
		status: "new",
		owner: null,
		snoozedUntil: null,
	};
	return rankForMember([pick, bestLeftOut], member, now)[0] === pick;
}

/** The answer to an accepted command, once its work is stored. */
function acceptedOutcome(
	decision: Accepted,
	{ work, rev }: StoredWork,
	ownerBefore: string | null,
): CommandOutcome {
	const outcome: CommandOutcome = {
		ok: true,
		mentionId: decision.mentionId,
		work,
		rev,
		replayed: false,
		ownerBefore,
	};
	if (decision.result) outcome.result = decision.result;
	return outcome;
}

/** The stored outcome of a processed command id, marked as replayed, for a repeat of it. */
function storedOutcome(
	row: Pick<Selectable<ProcessedCommandsTable>, "org_id" | "actor_id" | "name" | "outcome">,
	input: ExecuteCommandInput,
): CommandOutcome {
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
 * Record outcomes under their command ids, so a repeat gets the same answer. A duplicate
 * id fails the insert and so rolls back whatever the transaction changed, unless `ifNew`
 * (nothing else to roll back) makes a duplicate keep the first answer.
 */
async function rememberOutcomes(
	trx: Transaction<Database>,
	entries: readonly { input: ExecuteCommandInput; now: string; outcome: CommandOutcome }[],
	ifNew = false,
): Promise<void> {
	if (entries.length === 0) return;
	const insert = trx.insertInto("processed_commands").values(
		entries.map(({ input, now, outcome }) => ({
			id: input.commandId,
			org_id: input.orgId,
			actor_id: input.actorId,
			name: input.command.name,
			outcome: json(outcome),
			at: now,
		})),
	);
	await (ifNew
		? insert.onConflict((conflict) => conflict.column("id").doNothing())
		: insert
	).execute();
}

/** `openOwnedCount` for decide(), from counts loaded for the members it may ask about. */
function loadedCount(counts: ReadonlyMap<string, number>): (memberId: string) => number {
	return (id) => {
		const count = counts.get(id);
		if (count === undefined) throw new Error(`Open conversations of ${id} were not loaded.`);
		return count;
	};
}

/** Conversations each member owns that count against capacity (0 for none). */
export async function openOwnedCounts(
	trx: Transaction<Database>,
	memberIds: string[],
): Promise<Map<string, number>> {
	const counts = new Map(memberIds.map((id) => [id, 0]));
	if (memberIds.length === 0) return counts;
	const rows = await openOwnedCountsQuery(trx, memberIds).execute();
	for (const row of rows) {
		if (row.owner_id !== null) counts.set(row.owner_id, toNumber(row.count));
	}
	return counts;
}

/** The statement of `openOwnedCounts`: a row per member with open conversations. */
function openOwnedCountsQuery(trx: Transaction<Database>, memberIds: string[]) {
	return (
		trx
			.selectFrom("mentions")
			.select((eb) => ["owner_id", eb.fn.countAll<string | number>().as("count")])
			// `in ()` is no SQL: with no members, an id nobody has.
			.where("owner_id", "in", memberIds.length > 0 ? memberIds : [""])
			.where("status", "in", [...OPEN_OWNED_STATUSES])
			.groupBy("owner_id")
	);
}

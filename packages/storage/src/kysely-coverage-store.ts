/**
 * The coverage store port on kysely (see `coverage-storage.ts`): board settings, presence
 * and SLA breaches. System commands share the command transaction, in
 * `kysely-command-arbiter.ts`; reports are in `kysely-reports.ts`.
 */
import {
	type BoardSettings,
	DONE_STATUSES,
	OPEN_OWNED_STATUSES,
	type PresenceRecord,
	parseSettings,
	type SlaKind,
	SlaKinds,
	SystemActions,
} from "@switchboard/domain";
import { type Kysely, sql } from "kysely";
import type {
	CoverageStore,
	NewSlaBreach,
	PresenceWrite,
	RecordedSlaBreach,
	SlaCandidate,
} from "./coverage-storage.ts";
import { mapConstraintErrors } from "./database-errors.ts";
import { KyselyPort } from "./kysely-port.ts";
import { CLAIM_ACTIONS, iso, isoOrNull, json, toNumber, toStoredMention } from "./rows.ts";
import type { Database, MentionsTable } from "./schema.ts";

function isSlaKind(value: unknown): value is SlaKind {
	return (SlaKinds as readonly unknown[]).includes(value);
}

function settingsFrom(stored: Partial<BoardSettings> | undefined): BoardSettings {
	const fields = (stored ?? {}) as Record<string, unknown>;
	return parseSettings((key) => fields[key]);
}

/** Settings of each of the organisation's boards (defaults where none are stored). */
export async function boardSettingsOf(
	db: Kysely<Database>,
	orgId: string,
	boardId?: string,
): Promise<Map<string, BoardSettings>> {
	let query = db
		.selectFrom("boards")
		.leftJoin("board_settings", (join) =>
			join
				.onRef("board_settings.org_id", "=", "boards.org_id")
				.onRef("board_settings.board_id", "=", "boards.id"),
		)
		.select(["boards.id", "board_settings.settings"])
		.where("boards.org_id", "=", orgId);
	if (boardId !== undefined) query = query.where("boards.id", "=", boardId);
	const rows = await query.execute();
	return new Map(rows.map((row) => [row.id, settingsFrom(row.settings ?? undefined)]));
}

/** One board's settings (defaults where none are stored); inside a transaction, with `trx`. */
export async function boardSettings(
	db: Kysely<Database>,
	orgId: string,
	boardId: string,
): Promise<BoardSettings> {
	const row = await db
		.selectFrom("board_settings")
		.select("settings")
		.where("org_id", "=", orgId)
		.where("board_id", "=", boardId)
		.executeTakeFirst();
	return settingsFrom(row?.settings);
}

/** A board as a command needs it: its name, whether it is archived, its settings. */
export interface BoardForCommands {
	name: string | null;
	archived: boolean;
	settings: BoardSettings;
}

/**
 * The statement `boardWithSettings` runs, for embedding in a larger one: one row of the
 * board's name, archive time and stored settings, or none when the board does not exist.
 */
export function boardWithSettingsQuery(db: Kysely<Database>, orgId: string, boardId: string) {
	return db
		.selectFrom("boards")
		.leftJoin("board_settings", (join) =>
			join
				.onRef("board_settings.org_id", "=", "boards.org_id")
				.onRef("board_settings.board_id", "=", "boards.id"),
		)
		.select(["boards.name", "boards.archived_at", "board_settings.settings"])
		.where("boards.org_id", "=", orgId)
		.where("boards.id", "=", boardId);
}

/**
 * A row of `boardWithSettingsQuery` as a board (read directly or as JSON). A board that
 * does not exist is not archived and has the default settings.
 */
export function boardForCommands(
	row:
		| { name: string; archived_at: Date | string | null; settings: Partial<BoardSettings> | null }
		| undefined,
): BoardForCommands {
	return {
		name: row?.name ?? null,
		archived: row?.archived_at != null,
		settings: settingsFrom(row?.settings ?? undefined),
	};
}

/**
 * One board's settings with its name and whether it is archived, in one statement (a
 * command reads both inside its transaction).
 */
export async function boardWithSettings(
	db: Kysely<Database>,
	orgId: string,
	boardId: string,
): Promise<BoardForCommands> {
	return boardForCommands(await boardWithSettingsQuery(db, orgId, boardId).executeTakeFirst());
}

export class KyselyCoverageStore extends KyselyPort implements CoverageStore {
	getBoardSettings(orgId: string, boardId: string): Promise<BoardSettings> {
		return boardSettings(this.db, orgId, boardId);
	}

	saveBoardSettings(
		orgId: string,
		boardId: string,
		settings: BoardSettings,
	): Promise<BoardSettings> {
		// Parsed first: what is stored always reads back the same.
		const clean = settingsFrom(settings);
		return mapConstraintErrors("The board's settings", async () => {
			await this.db
				.insertInto("board_settings")
				.values({ org_id: orgId, board_id: boardId, settings: json(clean) })
				.onConflict((conflict) =>
					conflict.columns(["org_id", "board_id"]).doUpdateSet((eb) => ({
						settings: eb.ref("excluded.settings"),
						updated_at: sql<Date>`now()`,
					})),
				)
				.execute();
			return clean;
		});
	}

	async recordPresence(writes: PresenceWrite[]): Promise<void> {
		if (writes.length === 0) return;
		await this.db
			.insertInto("member_presence")
			.values(
				writes.map((write) => ({
					member_id: write.memberId,
					instance_id: write.instanceId,
					org_id: write.orgId,
					connections: write.connections,
					last_seen_at: iso(write.at),
				})),
			)
			.onConflict((conflict) =>
				conflict.columns(["member_id", "instance_id"]).doUpdateSet((eb) => ({
					connections: eb.ref("excluded.connections"),
					last_seen_at: sql<Date>`greatest(${sql.ref("member_presence.last_seen_at")}, ${sql.ref("excluded.last_seen_at")})`,
				})),
			)
			.execute();
	}

	async listPresence(orgId: string): Promise<PresenceRecord[]> {
		const rows = await this.db
			.selectFrom("member_presence")
			.select(["member_id", "connections", "last_seen_at"])
			.where("org_id", "=", orgId)
			.execute();
		return rows.map((row) => ({
			memberId: row.member_id,
			connections: row.connections,
			lastSeenAt: iso(row.last_seen_at),
		}));
	}

	async prunePresence(before: string): Promise<number> {
		const result = await this.db
			.deleteFrom("member_presence")
			.where("last_seen_at", "<", new Date(before))
			.executeTakeFirst();
		return Number(result.numDeletedRows);
	}

	async listSlaCandidates(
		orgId: string,
		boardId: string,
		input: { now: string; since: string; shortestMinutes: Record<SlaKind, number> },
	): Promise<SlaCandidate[]> {
		const nowMs = Date.parse(input.now);
		const done = [...DONE_STATUSES];
		// A kind not recorded yet, for a conversation old enough to have missed it (the
		// partial unique index answers the first half).
		// A follow-up that reopened the conversation started a new round (`sla_from`): its
		// breaches are its own, and only what happened since meets its targets.
		const inRound = sql<boolean>`nullif(a.detail->>'round', '')::timestamptz is not distinct from m.sla_from`;
		const sinceStart = sql<boolean>`a.at >= coalesce(m.sla_from, '-infinity'::timestamptz)`;
		const open = (kind: SlaKind) =>
			sql<boolean>`(not exists (select 1 from activity a
				where a.mention_id = m.id and a.action = ${SystemActions.slaBreached}
					and a.detail->>'kind' = ${kind} and ${inRound})
				and coalesce(m.sla_from, m.ingested_at) <= ${new Date(nowMs - input.shortestMinutes[kind] * 60_000)})`;
		const rows = await this.db
			.selectFrom("mentions as m")
			.selectAll("m")
			.select((eb) => [
				eb
					.selectFrom("activity as a")
					.select((a) => a.fn.min("a.at").as("at"))
					.whereRef("a.mention_id", "=", "m.id")
					.where((a) =>
						a.or([
							a("a.action", "in", [...CLAIM_ACTIONS]),
							// Reopened to its owner: taken from the round's first moment.
							a.and([
								a("a.action", "=", SystemActions.followUp),
								a("a.to_status", "in", [...OPEN_OWNED_STATUSES]),
							]),
						]),
					)
					.where(sinceStart)
					.as("claimed_at"),
				eb
					.selectFrom("activity as a")
					.select((a) => a.fn.min("a.at").as("at"))
					.whereRef("a.mention_id", "=", "m.id")
					.where("a.action", "=", "markReplied")
					.where(sinceStart)
					.as("replied_at"),
				eb
					.selectFrom("activity as a")
					.select((a) => a.fn.min("a.at").as("at"))
					.whereRef("a.mention_id", "=", "m.id")
					.where("a.action", "<>", SystemActions.slaBreached)
					.where("a.to_status", "in", done)
					.where(sinceStart)
					.as("ended_at"),
				sql<string[] | null>`(select array_agg(a.detail->>'kind') from activity a
					where a.mention_id = m.id and a.action = ${SystemActions.slaBreached}
						and ${inRound})`.as("recorded"),
			])
			.where("m.org_id", "=", orgId)
			.where("m.board_id", "=", boardId)
			.where((eb) =>
				eb.or([eb("m.status", "not in", done), eb("m.updated_at", ">=", new Date(input.since))]),
			)
			.where(sql<boolean>`(${open("claim")} or ${open("reply")})`)
			.orderBy("m.ingested_at")
			.orderBy("m.id")
			.execute();
		return rows.map((row) => {
			const recorded = (row.recorded ?? []).filter(isSlaKind);
			return {
				stored: toStoredMention(row as MentionsTable & typeof row),
				progress: {
					claimedAt: isoOrNull(row.claimed_at as Date | null),
					repliedAt: isoOrNull(row.replied_at as Date | null),
					endedAt: isoOrNull(row.ended_at as Date | null),
				},
				recorded,
			};
		});
	}

	async recordSlaBreaches(
		orgId: string,
		breaches: NewSlaBreach[],
		at: string,
	): Promise<RecordedSlaBreach[]> {
		if (breaches.length === 0) return [];
		const values = sql.join(
			breaches.map(
				(breach) => sql`(${orgId}, ${breach.mentionId}, null, ${SystemActions.slaBreached}, null,
					${breach.status}, ${breach.status},
					${json({
						kind: breach.kind,
						dueAt: breach.dueAt,
						priority: breach.priority,
						ownerId: breach.ownerId,
						...(breach.round ? { round: breach.round } : {}),
					})}::jsonb,
					${iso(at)}::timestamptz)`,
			),
		);
		const { rows } = await sql<{
			id: string | number;
			mention_id: string;
			detail: unknown;
			at: Date;
		}>`
			insert into activity (org_id, mention_id, actor_id, action, command_id, from_status, to_status, detail, at)
			values ${values}
			on conflict (mention_id, (detail->>'kind'), (coalesce(detail->>'round', '')))
				where action = 'sla_breached' do nothing
			returning id, mention_id, detail, at
		`.execute(this.db);
		return rows.map((row) => toBreach(row)).sort((a, b) => a.id - b.id);
	}

	async listSlaBreaches(
		orgId: string,
		boardId: string,
		filter: { mentionIds?: string[] } = {},
	): Promise<RecordedSlaBreach[]> {
		if (filter.mentionIds?.length === 0) return [];
		let query = this.db
			.selectFrom("activity as a")
			.innerJoin("mentions as m", "m.id", "a.mention_id")
			.select(["a.id", "a.mention_id", "a.detail", "a.at"])
			.where("a.org_id", "=", orgId)
			.where("a.action", "=", SystemActions.slaBreached)
			.where("m.board_id", "=", boardId);
		if (filter.mentionIds) query = query.where("a.mention_id", "in", filter.mentionIds);
		const rows = await query.orderBy("a.id").execute();
		return rows.map((row) => toBreach(row));
	}
}

function toBreach(row: {
	id: string | number;
	mention_id: string | null;
	detail: unknown;
	at: Date | string;
}): RecordedSlaBreach {
	const detail = (row.detail ?? {}) as Record<string, unknown>;
	return {
		id: toNumber(row.id),
		mentionId: row.mention_id ?? "",
		kind: isSlaKind(detail.kind) ? detail.kind : "claim",
		dueAt: typeof detail.dueAt === "string" ? detail.dueAt : iso(row.at),
		at: iso(row.at),
	};
}

/** The audit log port on kysely (see `audit-storage.ts`). */
import {
	type AuditAction,
	type AuditEntry,
	type AuditTargetType,
	webhookHost,
} from "@switchboard/domain";
import { sql } from "kysely";
import {
	type AuditLog,
	type AuditQuery,
	checkAuditEntry,
	type NewAuditEntry,
} from "./audit-storage.ts";
import { KyselyPort } from "./kysely-port.ts";
import { iso, json } from "./rows.ts";

/** Ids are bigserial: a cursor that is not a whole number names no row (and must not reach SQL). */
const WHOLE = /^\d{1,18}$/;
/** Rows per INSERT: 8 parameters each, far below PostgreSQL's limit of 65,535. */
const INSERT_CHUNK = 2000;

interface AuditRow {
	id: string | number;
	org_id: string;
	actor_kind: "member" | "system" | "cli";
	actor_id: string | null;
	actor_name: string | null;
	/** The member an entry is about, as they are now (null for other targets, or one removed). */
	target_name: string | null;
	target_email: string | null;
	action: string;
	target_type: string | null;
	target_id: string | null;
	details: Record<string, unknown>;
	at: Date;
}

export class KyselyAuditLog extends KyselyPort implements AuditLog {
	async appendAuditEntries(entries: readonly NewAuditEntry[]): Promise<AuditEntry[]> {
		if (entries.length === 0) return [];
		for (const entry of entries) checkAuditEntry(entry);
		const values = entries.map((entry) => ({
			org_id: entry.orgId,
			actor_kind: entry.actor.kind,
			actor_id: entry.actor.kind === "member" ? entry.actor.memberId : null,
			action: entry.action,
			target_type: entry.target?.type ?? null,
			target_id: entry.target?.id ?? null,
			details: json(entry.details ?? {}),
			...(entry.at ? { at: entry.at } : {}),
		}));
		// A batch of 10,000 invitations is one act: all its entries or none, in statements
		// that stay under PostgreSQL's 65,535 parameters.
		const rows = await this.db.transaction().execute(async (trx) => {
			const stored = [];
			for (let i = 0; i < values.length; i += INSERT_CHUNK) {
				stored.push(
					...(await trx
						.insertInto("audit_log")
						.values(values.slice(i, i + INSERT_CHUNK))
						.returningAll()
						.execute()),
				);
			}
			return stored;
		});
		// bigserial ids are handed out in the order of the VALUES list.
		const sorted = rows.sort((a, b) => Number(a.id) - Number(b.id));
		const known = new Map<string, { name: string; email: string }>();
		const memberIds = [
			...new Set(
				sorted.flatMap((row) => [
					...(row.actor_id ? [row.actor_id] : []),
					...(row.target_type === "member" && row.target_id ? [row.target_id] : []),
				]),
			),
		];
		if (memberIds.length > 0) {
			const members = await this.db
				.selectFrom("members")
				.select(["id", "name", "email"])
				.where("id", "in", memberIds)
				.execute();
			for (const member of members) known.set(member.id, member);
		}
		const appended = sorted.map((row) => {
			const target =
				row.target_type === "member" && row.target_id ? known.get(row.target_id) : undefined;
			return toEntry({
				...row,
				actor_name: row.actor_id ? (known.get(row.actor_id)?.name ?? null) : null,
				target_name: target?.name ?? null,
				target_email: target?.email ?? null,
			});
		});
		return this.#named(appended);
	}

	/**
	 * Boards, sources, webhooks and invitations named as they are now (a member is named by the
	 * reads themselves): an admin reads "Source: Support inbox", not its id. One query per kind
	 * present, for a page of entries; one removed since keeps its id alone.
	 */
	async #named(entries: AuditEntry[]): Promise<AuditEntry[]> {
		const idsOf = (type: AuditTargetType) => [
			...new Set(entries.flatMap((e) => (e.target?.type === type ? [e.target.id] : []))),
		];
		const orgIds = [...new Set(entries.map((entry) => entry.orgId))];
		/** The `column` of `table`'s rows among `ids`, by organisation and id; nothing read for none. */
		const namesIn = async (
			table: "boards" | "sources" | "webhook_endpoints" | "invitations",
			column: "name" | "url" | "email",
			ids: string[],
		): Promise<Map<string, string>> => {
			if (ids.length === 0) return new Map();
			const rows = await this.db
				.selectFrom(table)
				.select(["org_id", "id", sql<string>`${sql.ref(column)}`.as("name")])
				.where("org_id", "in", orgIds)
				.where("id", "in", ids)
				.execute();
			return new Map(rows.map((row) => [`${row.org_id}\u0000${row.id}`, row.name]));
		};
		const [boards, sources, webhooks, invitations] = await Promise.all([
			namesIn("boards", "name", idsOf("board")),
			namesIn("sources", "name", idsOf("source")),
			namesIn("webhook_endpoints", "url", idsOf("webhook")).then(
				(urls) => new Map([...urls].map(([key, url]) => [key, webhookHost(url)])),
			),
			namesIn("invitations", "email", idsOf("invitation")),
		]);
		const byType: Partial<Record<AuditTargetType, Map<string, string>>> = {
			board: boards,
			source: sources,
			webhook: webhooks,
			invitation: invitations,
		};
		// One deleted since is named as its entries recorded it: a source's name and a webhook's
		// host are in the details of its creation and its deletion.
		const recorded = new Map<string, string>();
		for (const entry of entries) {
			const field = entry.target && RECORDED_NAME[entry.target.type];
			const value = field && entry.details[field];
			if (entry.target && typeof value === "string") {
				recorded.set(`${entry.orgId}\u0000${entry.target.type}\u0000${entry.target.id}`, value);
			}
		}
		return entries.map((entry) => {
			const target = entry.target;
			if (!target) return entry;
			const name =
				byType[target.type]?.get(`${entry.orgId}\u0000${target.id}`) ??
				recorded.get(`${entry.orgId}\u0000${target.type}\u0000${target.id}`);
			if (name === undefined) return entry;
			return target.type === "invitation"
				? { ...entry, target: { ...target, email: name } }
				: { ...entry, target: { ...target, name } };
		});
	}

	async listAuditEntries(orgId: string, query: AuditQuery): Promise<AuditEntry[]> {
		if (query.before !== undefined && !WHOLE.test(query.before)) return [];
		if (query.actions && query.actions.length === 0) return [];
		let select = this.db
			.selectFrom("audit_log")
			.leftJoin("members", "members.id", "audit_log.actor_id")
			// The member an entry is about, named here: an organisation of a thousand is not read
			// whole by the screen to name a page of entries.
			.leftJoin("members as target_member", (join) =>
				join
					.onRef("target_member.id", "=", "audit_log.target_id")
					.on("audit_log.target_type", "=", "member"),
			)
			.selectAll("audit_log")
			.select([
				"members.name as actor_name",
				"target_member.name as target_name",
				"target_member.email as target_email",
			])
			.where("audit_log.org_id", "=", orgId);
		if (query.actions) select = select.where("audit_log.action", "in", [...query.actions]);
		if (query.actor) {
			select =
				query.actor.kind === "member"
					? select.where("audit_log.actor_id", "=", query.actor.memberId)
					: select.where("audit_log.actor_kind", "=", query.actor.kind);
		}
		if (query.from) select = select.where("audit_log.at", ">=", new Date(query.from));
		if (query.to) select = select.where("audit_log.at", "<", new Date(query.to));
		if (query.before) select = select.where("audit_log.id", "<", query.before as never);
		const rows = await select.orderBy("audit_log.id", "desc").limit(query.limit).execute();
		return this.#named(rows.map((row) => toEntry(row as AuditRow)));
	}
}

/** The detail that names a target of this type in the entries about it. */
const RECORDED_NAME: Partial<Record<AuditTargetType, string>> = { source: "name", webhook: "host" };

function toEntry(row: AuditRow): AuditEntry {
	return {
		id: String(row.id),
		orgId: row.org_id,
		actor: row.actor_id ?? row.actor_kind,
		actorName: row.actor_name,
		// Written only from the closed set (the port's input type).
		action: row.action as AuditAction,
		target:
			row.target_type !== null && row.target_id !== null
				? {
						type: row.target_type as AuditTargetType,
						id: row.target_id,
						...(row.target_name !== null && row.target_email !== null
							? { name: row.target_name, email: row.target_email }
							: {}),
					}
				: null,
		details: row.details,
		at: iso(row.at),
	};
}

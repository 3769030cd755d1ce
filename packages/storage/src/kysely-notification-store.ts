/** The notifications port on kysely (see `notification-storage.ts`). */
import {
	type Notification,
	type NotificationSettings,
	notificationSettings,
} from "@switchboard/domain";
import { type Selectable, sql } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import type { NotificationsTable } from "./notification-schema.ts";
import type {
	NewNotification,
	NotificationPage,
	NotificationSelection,
	NotificationStore,
} from "./notification-storage.ts";
import { findOne } from "./org-rows.ts";
import { iso, isoOrNull, json } from "./rows.ts";

/** Ids are bigserial: a cursor that is not a whole number names no row (and must not reach SQL). */
const WHOLE = /^\d{1,18}$/;

function toNotification(row: Selectable<NotificationsTable>): Notification {
	return {
		id: String(row.id),
		kind: row.kind,
		mentionId: row.mention_id,
		boardId: row.board_id,
		actorId: row.actor_id,
		at: iso(row.created_at),
		readAt: isoOrNull(row.read_at),
		detail: row.detail,
	};
}

function newRow(entry: NewNotification) {
	return {
		org_id: entry.orgId,
		member_id: entry.memberId,
		kind: entry.kind,
		mention_id: entry.mentionId,
		board_id: entry.boardId,
		actor_id: entry.actorId,
		detail: json(entry.detail),
		key: entry.key,
		...(entry.at ? { created_at: entry.at } : {}),
	};
}

export class KyselyNotificationStore extends KyselyPort implements NotificationStore {
	async foldNotification(
		entry: NewNotification,
	): Promise<{ added: Notification; folded: string[] } | undefined> {
		return this.db.transaction().execute(async (trx) => {
			const added = await trx
				.insertInto("notifications")
				.values(newRow(entry))
				.onConflict((oc) => oc.columns(["member_id", "key"]).doNothing())
				.returningAll()
				.executeTakeFirst();
			if (!added) return undefined;
			// Locked: two instances folding at once never count an entry twice (the later one may
			// then stand beside the earlier, which the client's `foldFeed` hides).
			const older = await trx
				.selectFrom("notifications")
				.select(["id", "detail"])
				.where("member_id", "=", entry.memberId)
				.where("kind", "=", entry.kind)
				.where("mention_id", "=", entry.mentionId)
				.where("read_at", "is", null)
				.where("id", "<>", added.id)
				.forUpdate()
				.execute();
			if (older.length === 0) return { added: toNotification(added), folded: [] };
			const count = older.reduce(
				(sum, row) => sum + (row.detail.count ?? 1),
				entry.detail.count ?? 1,
			);
			await trx
				.deleteFrom("notifications")
				.where(
					"id",
					"in",
					older.map((row) => row.id),
				)
				.execute();
			const folded = await trx
				.updateTable("notifications")
				.set({ detail: json({ ...entry.detail, count }) })
				.where("id", "=", added.id)
				.returningAll()
				.executeTakeFirstOrThrow();
			return { added: toNotification(folded), folded: older.map((row) => String(row.id)) };
		});
	}

	async addNotifications(entries: readonly NewNotification[]): Promise<Notification[]> {
		if (entries.length === 0) return [];
		const rows = await this.db
			.insertInto("notifications")
			.values(entries.map(newRow))
			.onConflict((oc) => oc.columns(["member_id", "key"]).doNothing())
			.returningAll()
			.execute();
		// In input order, which RETURNING does not promise.
		const byKey = new Map(rows.map((row) => [`${row.member_id}\u0000${row.key}`, row]));
		return entries.flatMap((entry) => {
			const key = `${entry.memberId}\u0000${entry.key}`;
			const row = byKey.get(key);
			byKey.delete(key);
			return row ? [toNotification(row)] : [];
		});
	}

	async listNotifications(
		memberId: string,
		options: { unread?: boolean; before?: string; limit: number },
	): Promise<NotificationPage> {
		if (options.before !== undefined && !WHOLE.test(options.before)) {
			return { notifications: [], next: null };
		}
		let query = this.db
			.selectFrom("notifications")
			.selectAll()
			.where("member_id", "=", memberId)
			.orderBy("id", "desc")
			// One more than asked tells whether another page follows.
			.limit(options.limit + 1);
		if (options.unread) query = query.where("read_at", "is", null);
		if (options.before !== undefined) query = query.where("id", "<", options.before);
		const rows = await query.execute();
		const page = rows.slice(0, options.limit).map(toNotification);
		return {
			notifications: page,
			next: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null,
		};
	}

	async countUnread(memberId: string): Promise<number> {
		const row = await this.db
			.selectFrom("notifications")
			.select(sql<string | number>`count(*)`.as("n"))
			.where("member_id", "=", memberId)
			.where("read_at", "is", null)
			.executeTakeFirst();
		return Number(row?.n ?? 0);
	}

	async markNotificationsRead(
		memberId: string,
		which: NotificationSelection,
		at: string = new Date().toISOString(),
	): Promise<number> {
		let query = this.db
			.updateTable("notifications")
			.set({ read_at: at })
			.where("member_id", "=", memberId)
			.where("read_at", "is", null);
		if ("ids" in which) {
			const ids = which.ids.filter((id) => WHOLE.test(id));
			if (ids.length === 0) return 0;
			query = query.where("id", "in", ids);
		} else if ("mentionId" in which) {
			const kinds = typeof which.kind === "string" ? [which.kind] : which.kind;
			if (kinds.length === 0) return 0;
			query = query.where("mention_id", "=", which.mentionId).where("kind", "in", kinds);
		}
		const result = await query.executeTakeFirst();
		return Number(result.numUpdatedRows);
	}

	async getNotificationSettings(memberId: string): Promise<NotificationSettings> {
		return notificationSettings(
			await findOne(this.db, "notification_settings", "member_id", memberId, (row) => row.settings),
		);
	}

	async saveNotificationSettings(
		memberId: string,
		settings: NotificationSettings,
	): Promise<NotificationSettings> {
		await this.db
			.insertInto("notification_settings")
			.values({ member_id: memberId, settings: json(settings) })
			.onConflict((oc) =>
				oc.column("member_id").doUpdateSet({ settings: json(settings), updated_at: sql`now()` }),
			)
			.execute();
		return notificationSettings(settings);
	}
}

/**
 * The reply store port on kysely: members' connected accounts and the replies sent through them.
 */
import { randomUUID } from "node:crypto";
import type { ReplyNetwork } from "@switchboard/domain";
import { type Selectable, sql } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import type { ConnectedAccountsTable, ReplySendsTable } from "./integration-schema.ts";
import type {
	ConnectedAccount,
	ConnectedAccountWithCredential,
	NewConnectedAccount,
	NewReplySend,
	ReplySend,
	ReplySendPatch,
	ReplyStore,
} from "./integration-storage.ts";
import { KyselyPort } from "./kysely-port.ts";
import { findInOrg, insertOne, listOwned } from "./org-rows.ts";
import { isUuid, recordOf } from "./rows.ts";

function toAccount(row: Selectable<ConnectedAccountsTable>): ConnectedAccount {
	const { sealed_credential: _, ...account } = row;
	return recordOf(account);
}

function toSend(row: Selectable<ReplySendsTable>): ReplySend {
	return recordOf(row);
}

export class KyselyReplyStore extends KyselyPort implements ReplyStore {
	saveConnectedAccount(input: NewConnectedAccount): Promise<ConnectedAccount> {
		return mapConstraintErrors("That account", async () => {
			const row = await this.db
				.insertInto("connected_accounts")
				.values({
					id: randomUUID(),
					org_id: input.orgId,
					member_id: input.memberId,
					network: input.network,
					server_url: input.serverUrl,
					handle: input.handle,
					sealed_credential: input.sealedCredential,
				})
				.onConflict((conflict) =>
					conflict.columns(["member_id", "network"]).doUpdateSet((eb) => ({
						server_url: eb.ref("excluded.server_url"),
						handle: eb.ref("excluded.handle"),
						sealed_credential: eb.ref("excluded.sealed_credential"),
						updated_at: sql<Date>`now()`,
					})),
				)
				.returningAll()
				.executeTakeFirstOrThrow();
			return toAccount(row);
		});
	}

	listConnectedAccounts(memberId: string): Promise<ConnectedAccount[]> {
		return listOwned(this.db, "connected_accounts", "member_id", memberId, "network", toAccount);
	}

	async getConnectedAccount(
		memberId: string,
		network: ReplyNetwork,
	): Promise<ConnectedAccountWithCredential | null> {
		const row = await this.db
			.selectFrom("connected_accounts")
			.selectAll()
			.where("member_id", "=", memberId)
			.where("network", "=", network)
			.executeTakeFirst();
		return row ? { ...toAccount(row), sealedCredential: row.sealed_credential } : null;
	}

	async deleteConnectedAccount(memberId: string, network: ReplyNetwork): Promise<boolean> {
		const result = await this.db
			.deleteFrom("connected_accounts")
			.where("member_id", "=", memberId)
			.where("network", "=", network)
			.executeTakeFirst();
		return result.numDeletedRows > 0n;
	}

	createReplySend(input: NewReplySend): Promise<ReplySend> {
		return mapConstraintErrors("A send with that id", () =>
			insertOne(
				this.db,
				"reply_sends",
				{
					id: input.id ?? randomUUID(),
					org_id: input.orgId,
					board_id: input.boardId,
					mention_id: input.mentionId,
					member_id: input.memberId,
					network: input.network,
					text: input.text,
					status: "sending",
					attempts: 1,
				},
				toSend,
			),
		);
	}

	async updateReplySend(
		orgId: string,
		sendId: string,
		patch: ReplySendPatch,
	): Promise<ReplySend | null> {
		const row = await this.db
			.updateTable("reply_sends")
			.set((eb) => ({
				status: patch.status,
				...(patch.error !== undefined ? { error: patch.error } : {}),
				...(patch.url !== undefined ? { url: patch.url } : {}),
				...(patch.text !== undefined ? { text: patch.text } : {}),
				...(patch.attempt ? { attempts: eb("attempts", "+", 1) } : {}),
				updated_at: sql<Date>`now()`,
			}))
			.where("org_id", "=", orgId)
			.where("id", "=", sendId)
			.returningAll()
			.executeTakeFirst();
		return row ? toSend(row) : null;
	}

	async getReplySend(orgId: string, sendId: string): Promise<ReplySend | null> {
		if (!isUuid(sendId)) return null;
		return findInOrg(this.db, "reply_sends", orgId, sendId, toSend);
	}

	async listReplySends(
		orgId: string,
		filter: { mentionId?: string; memberId?: string; status?: ReplySend["status"] } = {},
	): Promise<ReplySend[]> {
		let query = this.db.selectFrom("reply_sends").selectAll().where("org_id", "=", orgId);
		if (filter.mentionId !== undefined) query = query.where("mention_id", "=", filter.mentionId);
		if (filter.memberId !== undefined) query = query.where("member_id", "=", filter.memberId);
		if (filter.status !== undefined) query = query.where("status", "=", filter.status);
		const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").execute();
		return rows.map(toSend);
	}
}

/**
 * A socket is authenticated when it opens a document; a member removed later, or a token
 * that expires, must not keep it. Every `intervalMs` the watcher looks at the members
 * behind the open connections and closes with 4401 the sockets of members who are no
 * longer active (or left the organisation) and of tokens that have expired. A member whose
 * role changed is closed too: the reconnect authenticates with the new role. A socket on a
 * board the member may no longer open closes with 4403. (An admin's change of a role or of
 * boards closes the sockets at once through the revocation bus; this catches one that was
 * still authenticating at that moment, or an instance the bus did not reach.)
 *
 * When the database cannot be asked, nobody is closed: an outage is not a revocation.
 */
import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import {
	CloseCodes,
	isActiveMembership,
	MEMBERSHIP_ENDED,
	mayOpenBoard,
	notOnBoard,
	ROLE_CHANGED,
	seesEveryBoard,
} from "@switchboard/domain";
import type { Directory } from "@switchboard/storage";
import type { Logger } from "pino";
import type { SyncContext } from "./context.ts";
import { createPeriodicTask, type PeriodicTask } from "./periodic-task.ts";

export interface MembershipWatcherOptions {
	storage: Directory;
	logger: Logger;
	/** How often to check, in milliseconds. @default defaultMembershipCheckMs */
	intervalMs?: number;
	/** The clock; tests pass their own. */
	now?: () => number;
}

/**
 * How often open sockets are checked against memberships, in milliseconds.
 * @default 30000 (a removed member is out within a minute, at one query per organisation)
 */
export const defaultMembershipCheckMs = 30_000;

export class MembershipWatcher implements Extension {
	readonly extensionName = "switchboard-membership-watcher";
	private readonly options: MembershipWatcherOptions;
	private instance: Hocuspocus | null = null;
	private readonly checks: PeriodicTask;

	constructor(options: MembershipWatcherOptions) {
		this.options = options;
		this.checks = createPeriodicTask({
			intervalMs: options.intervalMs ?? defaultMembershipCheckMs,
			round: () => this.checkOnce(),
			onError: (error) => this.options.logger.warn({ err: error }, "membership check failed"),
		});
	}

	async onConfigure({ instance }: onConfigurePayload): Promise<void> {
		this.instance = instance;
		this.checks.start();
	}

	async onDestroy(): Promise<void> {
		await this.checks.stop();
	}

	/** Check every open connection once; resolves when the sockets to close are closed. */
	check(): Promise<void> {
		return this.checks.runNow();
	}

	private async checkOnce(): Promise<void> {
		if (!this.instance) return;
		const now = this.options.now?.() ?? Date.now();
		const byOrg = new Map<string, SyncContext[]>();
		for (const document of this.instance.documents.values()) {
			for (const connection of document.getConnections()) {
				const context = connection.context as Partial<SyncContext>;
				if (!context.member || !context.closeSocket) continue;
				const { member } = context;
				if (member.expiresAt !== undefined && member.expiresAt * 1000 <= now) {
					context.closeSocket(CloseCodes.unauthorized.code, "Unauthorized: The token has expired.");
					continue;
				}
				const list = byOrg.get(member.orgId) ?? [];
				list.push(context as SyncContext);
				byOrg.set(member.orgId, list);
			}
		}
		for (const [orgId, contexts] of byOrg) {
			const members = new Map(
				(await this.options.storage.listMembers(orgId)).map((member) => [member.id, member]),
			);
			const boardsOf = new Map<string, Promise<string[]>>();
			for (const context of contexts) {
				const stored = members.get(context.member.memberId);
				if (isActiveMembership(stored, orgId) && stored.role === context.member.role) {
					if (seesEveryBoard(stored.role) || context.boardId === undefined) continue;
					let boards = boardsOf.get(stored.id);
					if (!boards) {
						boards = this.options.storage.boardIdsOf(stored.id);
						boardsOf.set(stored.id, boards);
					}
					if (mayOpenBoard(stored.role, await boards, context.boardId)) continue;
					context.closeSocket(
						CloseCodes.forbidden.code,
						`${CloseCodes.forbidden.reason}: ${notOnBoard(context.boardId)}`,
					);
					continue;
				}
				(context.log ?? this.options.logger).info(
					{ member: context.member.memberId, active: stored?.active ?? false },
					"closing the socket of a member whose membership changed",
				);
				context.closeSocket(
					CloseCodes.unauthorized.code,
					stored?.active
						? `${CloseCodes.unauthorized.reason}: ${ROLE_CHANGED}`
						: `${CloseCodes.unauthorized.reason}: ${MEMBERSHIP_ENDED}`,
				);
			}
		}
	}
}

/**
 * A socket is authenticated when it opens a document; a member removed later, or a token
 * that expires, must not keep it. Every `intervalMs` the watcher looks at the members
 * behind the open connections and closes with 4401 the sockets of members who are no
 * longer active (or left the organisation) and of tokens that have expired. A member whose
 * role changed is closed too: the reconnect authenticates with the new role.
 *
 * When the database cannot be asked, nobody is closed: an outage is not a revocation.
 */
import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import { CloseCodes } from "@switchboard/domain";
import type { Directory } from "@switchboard/storage";
import type { Logger } from "pino";
import type { SyncContext } from "./context.ts";

export interface MembershipWatcherOptions {
	storage: Directory;
	logger: Logger;
	/**
	 * How often to check, in milliseconds.
	 * @default 30000 (a removed member is out within a minute, at one query per organisation)
	 */
	intervalMs?: number;
	/** The clock; tests pass their own. */
	now?: () => number;
}

export class MembershipWatcher implements Extension {
	readonly extensionName = "switchboard-membership-watcher";
	private readonly options: MembershipWatcherOptions;
	private instance: Hocuspocus | null = null;
	private timer: ReturnType<typeof setInterval> | null = null;
	private running: Promise<void> | null = null;

	constructor(options: MembershipWatcherOptions) {
		this.options = options;
	}

	async onConfigure({ instance }: onConfigurePayload): Promise<void> {
		this.instance = instance;
		this.timer ??= setInterval(() => {
			this.check().catch((error: unknown) =>
				this.options.logger.warn({ err: error }, "membership check failed"),
			);
		}, this.options.intervalMs ?? 30_000);
		this.timer.unref();
	}

	async onDestroy(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		await this.running;
	}

	/** Check every open connection once; resolves when the sockets to close are closed. */
	check(): Promise<void> {
		this.running ??= this.checkOnce().finally(() => {
			this.running = null;
		});
		return this.running;
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
			for (const context of contexts) {
				const stored = members.get(context.member.memberId);
				if (stored?.active && stored.orgId === orgId && stored.role === context.member.role) {
					continue;
				}
				this.options.logger.info(
					{ member: context.member.memberId, active: stored?.active ?? false },
					"closing the socket of a member whose membership changed",
				);
				context.closeSocket(
					CloseCodes.unauthorized.code,
					stored?.active
						? "Unauthorized: Your role changed; connect again."
						: "Unauthorized: Your membership is no longer active.",
				);
			}
		}
	}
}

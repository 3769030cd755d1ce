/**
 * Authentication and authorisation of every document connection: a valid token, a
 * document name of the caller's organisation, an active membership, and a board the
 * member may open (their own boards; moderators and admins every board: `mayOpenBoard`),
 * for the board document and for the drafts of its conversations alike. Board documents
 * are read-only for every client; an archived board's drafts too.
 */
import type { Extension, onAuthenticatePayload } from "@hocuspocus/server";
import {
	COOKIE_SESSION_TOKEN,
	isActiveMembership,
	isAppError,
	MEMBERSHIP_ENDED,
	mayOpenBoard,
	notOnBoard,
	parseDocumentName,
} from "@switchboard/domain";
import type { Directory, MentionStore } from "@switchboard/storage";
import type { Logger } from "pino";
import { CloseError } from "./close-error.ts";
import type { SocketContext, SyncContext } from "./context.ts";
import { quoteClientText } from "./log-text.ts";
import type { MemberSockets } from "./member-sockets.ts";
import type { TokenService } from "./tokens.ts";

/** Thrown from hooks: Hocuspocus sends `reason` in its permission-denied message. */
export class DeniedError extends CloseError {
	constructor(kind: "unauthorized" | "forbidden", message: string) {
		super(kind, message);
	}
}

export interface AuthExtensionOptions {
	tokens: TokenService;
	storage: Directory & MentionStore;
	logger: Logger;
	/** Counts each member's open sockets; a socket past the cap is closed with 4429. */
	sockets?: MemberSockets;
}

/**
 * The token a document authenticates with: the one the client sent, or the upgrade
 * request's session cookie when the client sent the placeholder for it. The upgrade was
 * refused already if it came from a foreign page (the server's origin check), so the
 * cookie is this page's own.
 */
function tokenOf(data: onAuthenticatePayload<SocketContext>): string {
	if (data.token !== COOKIE_SESSION_TOKEN) return data.token;
	const cookie = data.context.sessionCookie;
	if (!cookie) {
		throw new DeniedError("unauthorized", "Sign in first: this connection has no session cookie.");
	}
	return cookie;
}

export class AuthExtension implements Extension {
	readonly extensionName = "switchboard-auth";
	private readonly options: AuthExtensionOptions;

	constructor(options: AuthExtensionOptions) {
		this.options = options;
	}

	async onAuthenticate(data: onAuthenticatePayload<SocketContext>): Promise<Partial<SyncContext>> {
		try {
			return await this.authorise(data);
		} catch (error) {
			if (!isAppError(error)) {
				// The database did not answer: not a refusal. Close the socket at once, before
				// Hocuspocus sends permission-denied (a provider would give up on the document);
				// the provider reconnects and authenticates again.
				const unavailable = new CloseError(
					"unavailable",
					"the membership could not be checked; connect again later",
				);
				(data.context.log ?? this.options.logger).warn(
					{ err: error, documentName: data.documentName },
					"authentication failed: storage unavailable",
				);
				data.context.closeSocket(unavailable.code, unavailable.reason);
				throw unavailable;
			}
			if (error instanceof CloseError && error.kind === "rate_limited") {
				// Not a refusal of the member: closed at once with 4429, before permission-denied,
				// so the provider backs off and connects again rather than signing out.
				this.options.logger.info({ remote: data.context.remoteAddress }, error.reason);
				data.context.closeSocket(error.code, error.reason);
				throw error;
			}
			const denied =
				error instanceof DeniedError ? error : new DeniedError("unauthorized", error.message);
			(data.context.log ?? this.options.logger).info(
				{ documentName: data.documentName, code: denied.code, remote: data.context.remoteAddress },
				denied.message,
			);
			// Hocuspocus answers permission-denied for this document first; then the socket
			// is closed with the close code, so the client cannot keep probing on it.
			setImmediate(() => data.context.closeSocket(denied.code, denied.reason));
			throw denied;
		}
	}

	private async authorise(
		data: onAuthenticatePayload<SocketContext>,
	): Promise<Partial<SyncContext>> {
		const claims = await this.options.tokens.verify(tokenOf(data)).catch((error: unknown) => {
			// A token that does not verify is a refusal; a session store that does not answer
			// is an outage (closed with 4503 above), or a provider would give the draft up.
			if (!isAppError(error)) throw error;
			throw new DeniedError("unauthorized", error.message);
		});
		const sockets = this.options.sockets;
		if (sockets && !sockets.admit(claims.memberId, data.context)) {
			throw new CloseError("tooManySockets", sockets.refusal());
		}
		const doc = parseDocumentName(data.documentName);
		if (!doc) {
			throw new DeniedError(
				"forbidden",
				`${quoteClientText(data.documentName)} is not a document name.`,
			);
		}
		if (doc.orgId !== claims.orgId) {
			throw new DeniedError("forbidden", "That document belongs to another organisation.");
		}
		const member = await this.options.storage.getMember(claims.memberId);
		if (!isActiveMembership(member, claims.orgId)) {
			throw new DeniedError("unauthorized", MEMBERSHIP_ENDED);
		}
		const boardId =
			doc.kind === "board"
				? doc.boardId
				: await this.options.storage.getMentionBoardId(doc.orgId, doc.mentionId);
		if (boardId === null) throw new DeniedError("forbidden", "No such conversation.");
		const [board, memberBoards] = await Promise.all([
			this.options.storage.getBoard(doc.orgId, boardId),
			this.options.storage.boardIdsOf(member.id),
		]);
		if (!board) throw new DeniedError("forbidden", "No such board.");
		if (!mayOpenBoard(member.role, memberBoards, boardId)) {
			throw new DeniedError("forbidden", notOnBoard(boardId));
		}
		// Clients change boards only through commands; an archived board's drafts not at all.
		if (doc.kind === "board" || board.archivedAt !== null) data.connectionConfig.readOnly = true;
		return { member: { ...claims, role: member.role, name: member.name }, doc, boardId };
	}
}

/**
 * Replies out: a member's approved reply posted from their own connected account as a
 * reply to the mention, then recorded with the domain's `markReplied` command (so the
 * board, the activity log and the `mention.replied` webhook follow as for any command),
 * and added to the conversation's thread as the organisation's message (by the id the
 * network gave it, so the customer's answer to it, naming it, finds the conversation).
 * Every attempt is a stored send; a failed one keeps its error and can be retried.
 */
import {
	loginBluesky,
	type OutboundClient,
	type SourceError,
	sendBlueskyReply,
	sendMastodonReply,
} from "@switchboard/connectors";
import {
	AppError,
	approvalBlock,
	draftHash,
	type Member,
	type Mention,
	mayReplyIn,
	type ReplyNetwork,
	ReplyNetworks,
	webLink,
} from "@switchboard/domain";
import type {
	CommandArbiter,
	ConnectedAccountWithCredential,
	CoverageStore,
	MentionStore,
	ReplySend,
	ReplyStore,
	ThreadStore,
} from "@switchboard/storage";
import type { DraftTexts } from "@switchboard/sync";
import type { Logger } from "pino";
import type { MentionPublisher } from "./ingest.ts";
import type { SecretBox } from "./secret-box.ts";

export interface ReplySenderOptions {
	storage: ReplyStore & MentionStore & ThreadStore & CommandArbiter & CoverageStore;
	secrets: SecretBox;
	publisher: MentionPublisher | null;
	logger: Pick<Logger, "warn" | "info">;
	/** The guarded client replies are posted through. */
	outbound: OutboundClient;
	/** Per request to the network. @default defaultReplyTimeoutMs */
	timeoutMs?: number;
	/**
	 * Empties the conversation's draft once its text is posted, while it holds exactly that
	 * text (`DraftTexts.emptyIf`): the next answer starts blank, a later edit is kept.
	 */
	drafts?: Pick<DraftTexts, "emptyIf">;
}

/**
 * How long a reply may take to post, in ms: longer than a poll's, since a member waits
 * for it and a timeout leaves the reply's fate unknown (it may have been posted).
 * @default 15000
 */
export const defaultReplyTimeoutMs = 15_000;

export type SendOutcome =
	| { ok: true; send: ReplySend; mention: Mention }
	| { ok: false; send: ReplySend; error: string };

/** What a Bluesky connection stores, sealed. */
interface BlueskyCredential {
	identifier: string;
	password: string;
}

const MAX_REPLY_CHARS = 5_000;

export class ReplySender {
	private readonly options: ReplySenderOptions;

	constructor(options: ReplySenderOptions) {
		this.options = options;
	}

	/** Post `text` as the reply to a mention the member owns. */
	async send(member: Member, mentionId: string, text: string): Promise<SendOutcome> {
		const { storage } = this.options;
		// The draft is kept as written, so its hash is the one a review approved; only the
		// post itself leaves out surrounding white space.
		const trimmed = text.trim();
		if (!trimmed) throw new AppError("invalid", "text: the reply is empty.");
		if (trimmed.length > MAX_REPLY_CHARS) {
			throw new AppError("too_large", `text: at most ${MAX_REPLY_CHARS} characters.`);
		}
		const { mention, boardId, network, account } = await this.check(member, mentionId, text);
		const send = await storage.createReplySend({
			orgId: member.orgId,
			boardId,
			mentionId: mention.id,
			memberId: member.id,
			network,
			text,
		});
		return this.attempt(member, mention, account, send);
	}

	/** Try a failed send again, with its text, from the member's account as it is now. */
	async retry(member: Member, sendId: string): Promise<SendOutcome> {
		const { storage } = this.options;
		const send = await storage.getReplySend(member.orgId, sendId);
		if (!send || send.memberId !== member.id) {
			throw new AppError("not_found", "No such send of yours.");
		}
		if (send.status !== "failed") {
			throw new AppError("conflict", `This send is ${send.status}; only a failed send is retried.`);
		}
		const { mention, account } = await this.check(member, send.mentionId, send.text);
		const again = await storage.updateReplySend(member.orgId, send.id, {
			status: "sending",
			error: null,
			attempt: true,
		});
		if (!again) throw new AppError("not_found", "No such send of yours.");
		return this.attempt(member, mention, account, again);
	}

	/** Everything that must hold before anything is posted. */
	private async check(member: Member, mentionId: string, text: string) {
		const { storage } = this.options;
		const stored = await storage.getMention(member.orgId, mentionId);
		const boardId = await storage.getMentionBoardId(member.orgId, mentionId);
		if (!stored || !boardId)
			throw new AppError("not_found", "That conversation is not on a board.");
		const { mention } = stored;
		const network = mention.network;
		if (!ReplyNetworks.includes(network as ReplyNetwork)) {
			throw new AppError(
				"conflict",
				`No connector posts to ${network}; post the reply by hand and record its URL (markReplied).`,
			);
		}
		if (mention.owner?.memberId !== member.id) {
			throw new AppError("forbidden", "Only the conversation's owner sends its reply.");
		}
		if (!mayReplyIn(mention.status)) {
			throw new AppError(
				"conflict",
				`Cannot send the reply of a conversation that is ${mention.status.replace("_", " ")}.`,
			);
		}
		if (
			mention.review?.state === "approved" &&
			mention.review.hash !== null &&
			mention.review.hash !== draftHash(text)
		) {
			throw new AppError(
				"conflict",
				"The text is not the one approved; submit the changed reply for review again.",
			);
		}
		// The board's approval rules, checked before posting: markReplied would refuse after.
		const { approval } = await storage.getBoardSettings(member.orgId, boardId);
		const block = approvalBlock(mention, approval, draftHash(text));
		if (block) throw new AppError("conflict", block.message);
		const account = await storage.getConnectedAccount(member.id, network as ReplyNetwork);
		if (!account) {
			throw new AppError(
				"conflict",
				`Connect your ${network === "mastodon" ? "Mastodon" : "Bluesky"} account first (PUT /api/me/accounts/${network}), or post by hand and record the URL.`,
			);
		}
		return { mention, boardId, network: network as ReplyNetwork, account };
	}

	private async attempt(
		member: Member,
		mention: Mention,
		account: ConnectedAccountWithCredential,
		send: ReplySend,
	): Promise<SendOutcome> {
		const { storage, logger } = this.options;
		let url: string;
		let externalId: string;
		try {
			({ url, externalId } = await this.post(account, mention, send));
		} catch (error) {
			const message = (error as SourceError).message ?? String(error);
			const failed = await storage.updateReplySend(member.orgId, send.id, {
				status: "failed",
				error: message,
			});
			logger.warn({ send: send.id, mention: mention.id, error: message }, "reply send failed");
			return { ok: false, send: failed ?? send, error: message };
		}
		// The send id is the command id: a repeat (after a crash) is answered, not applied twice.
		const outcome = await storage.executeCommand({
			orgId: member.orgId,
			boardId: send.boardId,
			actorId: member.id,
			commandId: send.id,
			command: {
				name: "markReplied",
				args: { mentionId: mention.id, url, hash: draftHash(send.text) },
			},
			now: new Date().toISOString(),
		});
		const error = outcome.ok
			? null
			: `Posted, but the conversation could not be marked replied: ${outcome.message}`;
		const sent = await storage.updateReplySend(member.orgId, send.id, {
			status: "sent",
			url,
			error,
		});
		// The organisation's words join the thread (idempotent by the network's id for them),
		// with the reply's link: the page of an answered conversation shows them by it.
		await storage
			.appendToThread({
				orgId: member.orgId,
				mentionId: mention.id,
				messages: [
					{
						externalId,
						handle: account.handle,
						fromOrganisation: true,
						text: send.text.trim(),
						postedAt: new Date().toISOString(),
						...(webLink(url) ? { url } : {}),
					},
				],
				now: new Date().toISOString(),
			})
			.catch((err: unknown) => {
				logger.warn({ err, mention: mention.id }, "the sent reply could not join the thread");
			});
		const stored = await storage.getMention(member.orgId, mention.id);
		if (stored && this.options.publisher) {
			await this.options.publisher.publish(member.orgId, send.boardId, [stored]).catch((err) => {
				logger.warn(
					{ err, mention: mention.id },
					"replied conversation could not be projected now",
				);
			});
		}
		// After the thread with our words is on the board: the page shows them in its place.
		if (outcome.ok && !outcome.replayed) {
			await this.options.drafts?.emptyIf(member.orgId, mention.id, send.text).catch((err) => {
				logger.warn({ err, mention: mention.id }, "the sent reply's draft could not be emptied");
			});
		}
		return { ok: true, send: sent ?? send, mention: stored?.mention ?? mention };
	}

	private async post(
		account: ConnectedAccountWithCredential,
		mention: Mention,
		send: ReplySend,
	): Promise<{ url: string; externalId: string }> {
		const credential = this.options.secrets.open(account.sealedCredential);
		const timeoutMs = this.options.timeoutMs ?? defaultReplyTimeoutMs;
		if (account.network === "mastodon") {
			const sent = await sendMastodonReply({
				outbound: this.options.outbound,
				instanceUrl: account.serverUrl,
				accessToken: credential,
				timeoutMs,
				target: { url: mention.url ?? mention.externalId, authorHandle: mention.author.handle },
				text: send.text.trim(),
				idempotencyKey: send.id,
			});
			// Mentions are kept by URI (the same on every instance), so is the reply.
			return { url: sent.url, externalId: sent.uri };
		}
		const { identifier, password } = JSON.parse(credential) as BlueskyCredential;
		const agent = await loginBluesky({
			outbound: this.options.outbound,
			service: account.serverUrl,
			identifier,
			password,
			timeoutMs,
		});
		const sent = await sendBlueskyReply(agent, {
			targetUri: mention.externalId,
			text: send.text.trim(),
			language: mention.language,
		});
		return { url: sent.url, externalId: sent.uri };
	}
}

/** Seal a Bluesky credential for storage. */
export function blueskyCredential(identifier: string, password: string): string {
	return JSON.stringify({ identifier, password } satisfies BlueskyCredential);
}

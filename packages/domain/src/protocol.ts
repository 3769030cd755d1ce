/**
 * The application protocol: every message Switchboard adds on top of Yjs sync and
 * awareness. Messages travel as JSON in Hocuspocus stateless messages on the board
 * document. Server and client both parse with these schemas and switch exhaustively
 * on `type`. docs/PROTOCOL.md describes the same rules for people.
 */
import { toHexString } from "lib0/buffer";
import { digest } from "lib0/hash/sha256";
import { encodeUtf8 } from "lib0/string";
import * as v from "valibot";
import { describeIssues } from "./issues.ts";
import { PrioritySchema } from "./model.ts";
import { NotificationSchema } from "./notifications.ts";
import { findInvalidText } from "./text.ts";

/**
 * Bumped on every incompatible change to a message schema. A test pins the schemas'
 * shape to this number, so a schema change without a bump fails the build.
 */
export const PROTOCOL_VERSION = 6;

/**
 * The oldest protocol version this server still serves. A version stays served as long as
 * its commands mean what they meant (docs/PROTOCOL.md, "Compatibility"): a client installed
 * before an upgrade, or an offline queue it wrote, must not have its work refused.
 * Version 2 only added close codes, so version 1 commands are version 2 commands; version 3
 * added commands, the reply text to submitForReview and approve (see COMMAND_SINCE and
 * TEXT_REQUIRED_SINCE: what an older client sends still means what it meant) and the
 * `notifications` server message. Version 4 only added a notification kind (`lease_expired`),
 * version 5 a notification detail (`count`, a follow-up entry's messages), and version 6 a
 * notification kind (`taken_away`, with its details `newOwnerId` and `newOwnerName`), so
 * their commands are version 3 commands.
 */
export const MIN_PROTOCOL_VERSION = 1;

/** Whether this server serves commands stamped with version `version`. */
export function isSupportedVersion(version: unknown): version is number {
	return (
		typeof version === "number" &&
		Number.isInteger(version) &&
		version >= MIN_PROTOCOL_VERSION &&
		version <= PROTOCOL_VERSION
	);
}

/** Largest stateless payload the server parses, in bytes of its JSON text. */
export const MAX_COMMAND_BYTES = 16 * 1024;

const MentionId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const MemberId = MentionId;
const Hash = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "a SHA-256 hex digest"));
const Tag = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64));
const Comment = v.pipe(v.string(), v.maxLength(2000));

/**
 * The reply text as the client's draft holds it, sent with submitForReview and approve
 * from version 3 so the server can hold the network's character limit: the text must
 * hash to the command's `hash`. The largest limit a board may set is 5,000 characters;
 * 20,000 leaves room for text over it to be refused with words rather than a schema error.
 */
const ReplyText = v.pipe(v.string(), v.maxLength(20_000));

/** Argument schema of each command a bulk command may carry, by command name. */
const BulkableArgs = {
	claim: v.strictObject({ mentionId: MentionId }),
	release: v.strictObject({ mentionId: MentionId }),
	assign: v.strictObject({ mentionId: MentionId, memberId: MemberId }),
	unassign: v.strictObject({ mentionId: MentionId }),
	dismiss: v.strictObject({ mentionId: MentionId, reason: v.optional(Comment) }),
	snooze: v.strictObject({ mentionId: MentionId, until: v.pipe(v.string(), v.isoTimestamp()) }),
	escalate: v.strictObject({ mentionId: MentionId, reason: v.optional(Comment) }),
	close: v.strictObject({ mentionId: MentionId, reason: v.optional(Comment) }),
	reopen: v.strictObject({ mentionId: MentionId }),
	tag: v.strictObject({
		mentionId: MentionId,
		add: v.optional(v.pipe(v.array(Tag), v.maxLength(20)), []),
		remove: v.optional(v.pipe(v.array(Tag), v.maxLength(20)), []),
	}),
	setPriority: v.strictObject({ mentionId: MentionId, priority: PrioritySchema }),
} as const;

export type BulkableName = keyof typeof BulkableArgs;
export const BULKABLE_NAMES = Object.keys(BulkableArgs) as BulkableName[];

/** Most conversations one bulk command may touch. */
export const MAX_BULK_ITEMS = 100;

/** One command of a bulk command: the same name and arguments as on its own. */
const BulkItemSchema = v.variant("name", [
	v.strictObject({ name: v.literal("claim"), args: BulkableArgs.claim }),
	v.strictObject({ name: v.literal("release"), args: BulkableArgs.release }),
	v.strictObject({ name: v.literal("assign"), args: BulkableArgs.assign }),
	v.strictObject({ name: v.literal("unassign"), args: BulkableArgs.unassign }),
	v.strictObject({ name: v.literal("dismiss"), args: BulkableArgs.dismiss }),
	v.strictObject({ name: v.literal("snooze"), args: BulkableArgs.snooze }),
	v.strictObject({ name: v.literal("escalate"), args: BulkableArgs.escalate }),
	v.strictObject({ name: v.literal("close"), args: BulkableArgs.close }),
	v.strictObject({ name: v.literal("reopen"), args: BulkableArgs.reopen }),
	v.strictObject({ name: v.literal("tag"), args: BulkableArgs.tag }),
	v.strictObject({ name: v.literal("setPriority"), args: BulkableArgs.setPriority }),
]);

/** Argument schema of each command, by command name. */
export const CommandArgs = {
	claim: BulkableArgs.claim,
	claimNext: v.strictObject({}),
	release: BulkableArgs.release,
	handoff: v.strictObject({ mentionId: MentionId, to: MemberId }),
	assign: BulkableArgs.assign,
	unassign: BulkableArgs.unassign,
	submitForReview: v.strictObject({
		mentionId: MentionId,
		hash: Hash,
		text: v.optional(ReplyText),
	}),
	approve: v.strictObject({ mentionId: MentionId, hash: Hash, text: v.optional(ReplyText) }),
	requestChanges: v.strictObject({ mentionId: MentionId, comment: Comment }),
	markReplied: v.strictObject({
		mentionId: MentionId,
		url: v.pipe(v.string(), v.url(), v.maxLength(2000)),
		hash: v.optional(Hash),
	}),
	dismiss: BulkableArgs.dismiss,
	snooze: BulkableArgs.snooze,
	escalate: BulkableArgs.escalate,
	tag: BulkableArgs.tag,
	setPriority: BulkableArgs.setPriority,
	/** Version 3: the conversation is finished (answered elsewhere, resolved, nothing to add). */
	close: BulkableArgs.close,
	/** Version 3: a closed, dismissed, replied or snoozed conversation back to work. */
	reopen: BulkableArgs.reopen,
	/** Version 3: the same or different commands on several conversations, each decided on its own. */
	bulk: v.strictObject({
		items: v.pipe(v.array(BulkItemSchema), v.minLength(1), v.maxLength(MAX_BULK_ITEMS)),
	}),
} as const;

/**
 * The protocol version each command appeared in; the others exist since version 1. A
 * client of an older version never sends them, so a message that does is refused.
 */
export const COMMAND_SINCE: Partial<Record<keyof typeof CommandArgs, number>> = {
	close: 3,
	reopen: 3,
	bulk: 3,
};

/**
 * From this version, submitForReview and approve carry the reply text. The server refuses
 * a text that is empty or over the network's limit for every version: an older client's
 * command, which names only the hash, is decided on the draft's text (the server has the
 * draft), and its refusal is told with a code that version knows (`rejectCodeFor`).
 */
export const TEXT_REQUIRED_SINCE = 3;

export type CommandName = keyof typeof CommandArgs;
export const COMMAND_NAMES = Object.keys(CommandArgs) as CommandName[];

/** A command's arguments after parsing, by name. */
export type CommandArgsOf<N extends CommandName> = v.InferOutput<(typeof CommandArgs)[N]>;

/** A parsed command, discriminated on `name`. */
export type Command = {
	[N in CommandName]: { name: N; args: CommandArgsOf<N> };
}[CommandName];

/** The command a bulk command may carry, parsed. */
export type BulkItem = Extract<Command, { name: BulkableName }>;

/** A command as a client writes it (optional arguments may be left out). */
export type CommandInput = {
	[N in CommandName]: { name: N; args: v.InferInput<(typeof CommandArgs)[N]> };
}[CommandName];

/** A command a bulk command may carry, as a client writes it. */
export type BulkItemInput = Extract<CommandInput, { name: BulkableName }>;

const CommandId = v.pipe(v.string(), v.uuid("a command id must be a UUID"));

/** The envelope of a command, before its arguments are checked against its name. */
export const CommandEnvelopeSchema = v.strictObject({
	type: v.literal("command"),
	/** The version the client wrote it under: any from MIN_PROTOCOL_VERSION to PROTOCOL_VERSION. */
	v: v.pipe(
		v.number(),
		v.integer(),
		v.minValue(MIN_PROTOCOL_VERSION),
		v.maxValue(PROTOCOL_VERSION),
	),
	id: CommandId,
	name: v.picklist(COMMAND_NAMES as [CommandName, ...CommandName[]]),
	args: v.record(v.string(), v.unknown()),
});

/** The client → server message, with its arguments parsed. */
export type CommandMessage = { type: "command"; v: number; id: string } & Command;

/**
 * Why a command or message was refused. A closed set: the client maps each to words
 * a person understands.
 */
export const RejectCodes = {
	/** The message is not JSON, not an object, or has no usable `type`. */
	malformed: "malformed",
	/** The message or its arguments do not match the schema. */
	invalid: "invalid",
	/** The client speaks another protocol version. */
	unsupported_version: "unsupported_version",
	/** The message is larger than MAX_COMMAND_BYTES. */
	too_large: "too_large",
	/** The member's role may not run this command. */
	forbidden: "forbidden",
	not_found: "not_found",
	already_claimed: "already_claimed",
	not_owner: "not_owner",
	capacity_reached: "capacity_reached",
	invalid_transition: "invalid_transition",
	/** claimNext found nothing the member can take. */
	nothing_to_claim: "nothing_to_claim",
	/** An approval names a draft hash other than the one submitted. */
	stale_hash: "stale_hash",
	/** The server could not record the command (database down); safe to retry. */
	unavailable: "unavailable",
	/** Too many commands in a short time. */
	rate_limited: "rate_limited",
	/** Version 3: the reply text submitted or approved is empty. */
	text_empty: "text_empty",
	/** Version 3: the reply text is longer than the network's limit (board settings). */
	text_too_long: "text_too_long",
} as const;
export type RejectCode = keyof typeof RejectCodes;

/** The protocol version each reject code came in; the codes not named are version 1's. */
export const REJECT_CODE_SINCE: Partial<Record<RejectCode, number>> = {
	text_empty: 3,
	text_too_long: 3,
};

/**
 * The code a client of protocol `version` is told a refusal with: one its version knows.
 * A client drops a reject whose code it cannot parse, and its command would wait for an
 * answer for ever; a newer code is told as `invalid`, whose message such a client shows
 * to the person as it is.
 */
export function rejectCodeFor(code: RejectCode, version: number): RejectCode {
	return (REJECT_CODE_SINCE[code] ?? MIN_PROTOCOL_VERSION) > version ? "invalid" : code;
}

/** Server → client messages. */
export const AckSchema = v.strictObject({
	type: v.literal("ack"),
	id: v.string(),
	/** Extra result data; `claimNext` names the mention it claimed. */
	result: v.optional(v.record(v.string(), v.unknown())),
});
export const RejectSchema = v.strictObject({
	type: v.literal("reject"),
	/** The command id, or null when the message had no readable id. */
	id: v.nullable(v.string()),
	code: v.picklist(Object.keys(RejectCodes) as [RejectCode, ...RejectCode[]]),
	message: v.string(),
});
export const NoticeSchema = v.strictObject({
	type: v.literal("notice"),
	level: v.picklist(["info", "warning"]),
	message: v.string(),
});
/**
 * The member's notifications changed: a new one arrived (`added`), or some were read on
 * another device. Sent on every board connection of the member, whatever board it is.
 */
export const NotificationsMessageSchema = v.strictObject({
	type: v.literal("notifications"),
	/** How many of the member's notifications are unread now. */
	unread: v.pipe(v.number(), v.integer(), v.minValue(0)),
	added: v.optional(NotificationSchema),
});
export const ServerMessageSchema = v.variant("type", [
	AckSchema,
	RejectSchema,
	NoticeSchema,
	NotificationsMessageSchema,
]);
export type Ack = v.InferOutput<typeof AckSchema>;
export type Reject = v.InferOutput<typeof RejectSchema>;
export type Notice = v.InferOutput<typeof NoticeSchema>;
export type NotificationsMessage = v.InferOutput<typeof NotificationsMessageSchema>;
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;

/**
 * The token a browser's provider sends when its session is the HttpOnly cookie, which page
 * scripts cannot read: the server authenticates the document with the session cookie of the
 * socket's upgrade request instead (a same-origin or allowed page only, see PROTOCOL.md).
 */
export const COOKIE_SESSION_TOKEN = "session-cookie";

/**
 * The ack's `result` for a bulk command: one entry per item, in the order sent. An item is
 * decided on its own (its own transaction), so some may be refused while others apply;
 * the bulk command is acknowledged either way, and only refused as a whole when it does not
 * parse.
 */
export const BulkResultSchema = v.strictObject({
	items: v.array(
		v.variant("ok", [
			v.strictObject({ mentionId: v.string(), ok: v.literal(true) }),
			v.strictObject({
				mentionId: v.string(),
				ok: v.literal(false),
				code: v.picklist(Object.keys(RejectCodes) as [RejectCode, ...RejectCode[]]),
				message: v.string(),
			}),
		]),
	),
});
export type BulkResult = v.InferOutput<typeof BulkResultSchema>;
export type BulkItemResult = BulkResult["items"][number];

/** A bulk ack's per-item results, or null when the result is not one. */
export function parseBulkResult(result: unknown): BulkResult | null {
	const parsed = v.safeParse(BulkResultSchema, result);
	return parsed.success ? parsed.output : null;
}

/**
 * The id under which item `index` of bulk command `bulkId` is decided and remembered: a
 * UUID derived from both, so a bulk command sent again (its answer was lost) finds each
 * item's first outcome and applies nothing twice.
 */
export function bulkItemCommandId(bulkId: string, index: number): string {
	const hex = toHexString(digest(encodeUtf8(`${bulkId.toLowerCase()}/${index}`))).slice(0, 32);
	// Shaped as a version 8 (custom) UUID with the RFC 4122 variant.
	const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * WebSocket close codes, 4xxx. Hocuspocus' own (4401, 4403, 4408, 4205) keep their meaning.
 * Every limit has its own code, so a client (and a person reading its log) knows which one
 * it ran into; docs/PROTOCOL.md lists when each is sent.
 */
export const CloseCodes = {
	unauthorized: { code: 4401, reason: "Unauthorized" },
	forbidden: { code: 4403, reason: "Forbidden" },
	timeout: { code: 4408, reason: "Connection Timeout" },
	/** A frame that does not parse as the message its type announces, or a type clients may not send. */
	badMessage: { code: 4400, reason: "Bad Message" },
	tooLarge: { code: 4413, reason: "Message Too Large" },
	/** An update would grow a document past its size limit; it was not stored. */
	documentTooLarge: { code: 4414, reason: "Document Too Large" },
	rateLimited: { code: 4429, reason: "Too Many Messages" },
	awarenessRateLimited: { code: 4430, reason: "Too Many Awareness Updates" },
	tooManyDocuments: { code: 4431, reason: "Too Many Documents" },
	/** Too many messages for documents whose authentication has not finished. */
	unauthenticatedQueueFull: { code: 4432, reason: "Too Many Unauthenticated Messages" },
	/** The client does not read what the server sends fast enough (backpressure). */
	slowConsumer: { code: 4433, reason: "Slow Consumer" },
	unavailable: { code: 4503, reason: "Storage Unavailable" },
	reset: { code: 4205, reason: "Reset Connection" },
} as const;
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

/** Result of parsing a client message: the command, or the reject to answer with. */
export type ParsedClientMessage =
	| { ok: true; message: CommandMessage }
	| { ok: false; reject: Reject };

const utf8 = new TextEncoder();

function reject(id: string | null, code: RejectCode, message: string): ParsedClientMessage {
	return { ok: false, reject: { type: "reject", id, code, message } };
}

/**
 * Parse a stateless payload sent by a client. Never throws: anything unusable becomes
 * a reject that says what was wrong.
 */
export function parseClientMessage(payload: string): ParsedClientMessage {
	// UTF-8 takes at most three bytes per UTF-16 code unit: encode only when it could matter.
	const tooLarge =
		payload.length > MAX_COMMAND_BYTES ||
		(payload.length * 3 > MAX_COMMAND_BYTES && utf8.encode(payload).byteLength > MAX_COMMAND_BYTES);
	if (tooLarge) {
		return reject(null, "too_large", `A command may be at most ${MAX_COMMAND_BYTES} bytes.`);
	}
	let json: unknown;
	try {
		json = JSON.parse(payload);
	} catch {
		return reject(null, "malformed", "The message is not valid JSON.");
	}
	if (typeof json !== "object" || json === null || Array.isArray(json)) {
		return reject(null, "malformed", "The message must be a JSON object.");
	}
	const raw = json as Record<string, unknown>;
	const id = typeof raw.id === "string" && raw.id.length <= 64 ? raw.id : null;
	// Refused here with the command's id, so the client drops it: stored, it would fail in
	// the database on every retry.
	const invalidAt = findInvalidText(raw);
	if (invalidAt !== null) {
		return reject(
			id,
			"invalid",
			`${invalidAt || "message"}: text may not contain a NUL character or a lone surrogate`,
		);
	}
	if (raw.type !== "command") {
		return reject(id, "malformed", `Unknown message type ${JSON.stringify(raw.type ?? null)}.`);
	}
	if (!isSupportedVersion(raw.v)) {
		return reject(
			id,
			"unsupported_version",
			`This server speaks protocol version ${PROTOCOL_VERSION} and serves versions ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}; the message says ${JSON.stringify(raw.v ?? null)}.`,
		);
	}
	const envelope = v.safeParse(CommandEnvelopeSchema, raw);
	if (!envelope.success) {
		return reject(id, "invalid", describeIssues(envelope.issues, 3));
	}
	const { name, v: version } = envelope.output;
	const since = COMMAND_SINCE[name] ?? MIN_PROTOCOL_VERSION;
	if (version < since) {
		return reject(
			id,
			"invalid",
			`name: ${name} is a command of protocol version ${since}; the message says ${version}.`,
		);
	}
	const args = v.safeParse(CommandArgs[name], envelope.output.args);
	if (!args.success) {
		return reject(id, "invalid", `${name}: ${describeIssues(args.issues, 3)}`);
	}
	if (
		(name === "submitForReview" || name === "approve") &&
		version >= TEXT_REQUIRED_SINCE &&
		(args.output as { text?: string }).text === undefined
	) {
		return reject(
			id,
			"invalid",
			`${name}: text: the reply text is required from protocol version ${TEXT_REQUIRED_SINCE}`,
		);
	}
	return {
		ok: true,
		message: {
			type: "command",
			v: envelope.output.v,
			id: envelope.output.id,
			name,
			args: args.output,
		} as CommandMessage,
	};
}

/**
 * Build a command message for the wire. `version` is the one the command was made under:
 * a command queued offline by an earlier release keeps its version when sent later.
 */
export function encodeCommand(
	id: string,
	command: CommandInput,
	version: number = PROTOCOL_VERSION,
): string {
	return JSON.stringify({ type: "command", v: version, id, ...command });
}

/**
 * Parse a server message; null when it is not one this protocol version knows. A
 * `notifications` message whose new entry this version cannot read (a kind from a newer
 * server) still counts: it is read without the entry, so the bell's unread count stays
 * true and the entry comes with the next read of the feed.
 */
export function parseServerMessage(payload: string): ServerMessage | null {
	let data: unknown;
	try {
		data = JSON.parse(payload);
	} catch {
		return null;
	}
	const result = v.safeParse(ServerMessageSchema, data);
	if (result.success) return result.output;
	if (typeof data === "object" && data !== null && "added" in data) {
		const { added: _unreadable, ...count } = data;
		const counted = v.safeParse(NotificationsMessageSchema, count);
		if (counted.success) return counted.output;
	}
	return null;
}

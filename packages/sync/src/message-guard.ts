/**
 * The first judgement of every WebSocket frame, before Hocuspocus sees it, on what the frame
 * codec decoded (frame-codec.ts). A frame must parse completely as the message its type
 * announces (Hocuspocus and Yjs would otherwise meet
 * truncated varints, garbage updates or server-only message types deep inside their own
 * code), and a socket must stay within its limits: message and awareness rates, open
 * documents, messages queued while a document authenticates. The verdict names the close
 * code for whatever was exceeded; the socket layer closes with it.
 */
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { type SyncClose, SyncCloses } from "./close-error.ts";
import {
	type ClientMessage,
	type DecodedFrame,
	decodeFrame,
	MalformedError,
	MessageTypes,
	malformedReason,
	markValidUpdate,
	readString,
	SyncSteps,
} from "./frame-codec.ts";
import { type RateLimit, TokenBucket } from "./rate-limiter.ts";

export { MessageTypes };

/** Limits of one socket. Every value has a default in `defaultSyncLimits`. */
export interface SyncLimits {
	/**
	 * Largest document update (sync step 2 or update) in bytes.
	 * @default 1048576 (1 MiB: a reply draft is a few KiB; a paste of a long thread fits)
	 */
	maxUpdateBytes: number;
	/**
	 * Largest encoded document (draft) in bytes; an update that would grow it further is refused.
	 * @default 4194304 (4 MiB: hundreds of times a long reply with its notes and history)
	 */
	maxDocumentBytes: number;
	/** Largest awareness message in bytes. @default 65536 */
	maxAwarenessBytes: number;
	/** Awareness client ids one connection may speak for. @default 4 */
	maxAwarenessClients: number;
	/**
	 * Largest stateless message in bytes. Commands above 16 KiB are answered with a
	 * `too_large` reject; only far larger ones close the socket.
	 * @default 65536
	 */
	maxStatelessBytes: number;
	/** Largest token in an authentication message. @default 8192 */
	maxTokenBytes: number;
	/**
	 * Documents one socket may have open at once (the board and the drafts in view).
	 * @default 32
	 */
	maxDocumentsPerSocket: number;
	/**
	 * Messages a socket may send for documents whose authentication has not finished
	 * (Hocuspocus queues them until it has). A provider sends the edits it queued while
	 * offline right after its authentication message, one message per edit.
	 * @default 1000 messages and 4 MiB
	 */
	maxUnauthenticatedMessages: number;
	maxUnauthenticatedBytes: number;
	/**
	 * Messages per socket. The burst covers a provider flushing the edits it queued while
	 * the connection was down.
	 * @default burst 2000, 300 per second
	 */
	messageRate: RateLimit;
	/** Awareness messages per socket (cursor moves, typing). @default burst 200, 60 per second */
	awarenessRate: RateLimit;
	/**
	 * Bytes the server may have queued for a socket that reads too slowly; above it the
	 * socket is closed rather than buffered without bound. The largest frame not yet
	 * written out (a large board's first sync) does not count (outgoing-backlog.ts).
	 * @default 8388608 (8 MiB)
	 */
	maxBufferedBytes: number;
}

export const defaultSyncLimits: SyncLimits = {
	maxUpdateBytes: 1024 * 1024,
	maxDocumentBytes: 4 * 1024 * 1024,
	maxAwarenessBytes: 64 * 1024,
	maxAwarenessClients: 4,
	maxStatelessBytes: 64 * 1024,
	maxTokenBytes: 8 * 1024,
	maxDocumentsPerSocket: 32,
	maxUnauthenticatedMessages: 1000,
	maxUnauthenticatedBytes: 4 * 1024 * 1024,
	messageRate: { burst: 2000, perSecond: 300 },
	awarenessRate: { burst: 200, perSecond: 60 },
	maxBufferedBytes: 8 * 1024 * 1024,
};

export type GuardVerdict =
	| { action: "forward" }
	/** A frame that needs no handling (a bare keep-alive pong). */
	| { action: "ignore" }
	| { action: "close"; code: number; reason: string };

const FORWARD: GuardVerdict = { action: "forward" };

function close(why: SyncClose, message: string): GuardVerdict {
	const { code, reason } = SyncCloses[why];
	return { action: "close", code, reason: `${reason}: ${message}` };
}

interface OpenDocument {
	authenticated: boolean;
	queuedMessages: number;
	queuedBytes: number;
}

export class MessageGuard {
	private readonly limits: SyncLimits;
	private readonly messages: TokenBucket;
	private readonly awareness: TokenBucket;
	/** By address (document name, or `name\0session` for session-aware providers). */
	private readonly documents = new Map<string, OpenDocument>();

	constructor(limits: SyncLimits = defaultSyncLimits, now?: () => number) {
		this.limits = limits;
		this.messages = new TokenBucket(limits.messageRate, now);
		this.awareness = new TokenBucket(limits.awarenessRate, now);
	}

	/**
	 * Decide what to do with one incoming frame; `decoded` is what the frame codec made of
	 * it (decoded here when the caller has not).
	 */
	inspect(frame: Uint8Array, decoded: DecodedFrame = decodeFrame(frame)): GuardVerdict {
		if (!this.messages.take()) {
			return close(
				"rateLimited",
				`more than ${this.limits.messageRate.perSecond} messages per second`,
			);
		}
		if (decoded.kind === "pong") return { action: "ignore" };
		// Awareness counts against its own rate before its content is judged.
		const isAwareness =
			decoded.kind === "awareness" ||
			(decoded.kind === "malformed" && decoded.type === MessageTypes.awareness);
		if (isAwareness && !this.awareness.take()) {
			return close(
				"awarenessRateLimited",
				`more than ${this.limits.awarenessRate.perSecond} awareness updates per second`,
			);
		}
		if (decoded.kind === "malformed") return close("badMessage", decoded.reason);
		let verdict: GuardVerdict | null;
		try {
			verdict = this.judge(decoded);
		} catch (error) {
			return close("badMessage", malformedReason(error));
		}
		return verdict ?? this.account(decoded, frame.byteLength);
	}

	/** The document at this address finished authentication; its queue was handed over. */
	authenticated(address: string): void {
		const document = this.documents.get(address);
		if (document) {
			document.authenticated = true;
			document.queuedMessages = 0;
			document.queuedBytes = 0;
		}
	}

	/** The server closed the document's connection: whatever comes next starts afresh. */
	forget(documentName: string): void {
		for (const address of this.documents.keys()) {
			if (address === documentName || address.startsWith(`${documentName}\0`)) {
				this.documents.delete(address);
			}
		}
	}

	/** Open documents, for tests and metrics. */
	get openDocuments(): number {
		return this.documents.size;
	}

	/** The limits and content of one message: a verdict to close, or null. */
	private judge(message: ClientMessage): GuardVerdict | null {
		switch (message.kind) {
			case "sync":
				return this.judgeSync(message.step, message.payload);
			case "awareness":
				if (message.update.byteLength > this.limits.maxAwarenessBytes) {
					return close(
						"tooLarge",
						`an awareness update may be at most ${this.limits.maxAwarenessBytes} bytes`,
					);
				}
				parseAwareness(message.update);
				return null;
			case "auth":
				if (message.token.length > this.limits.maxTokenBytes) {
					return close("tooLarge", `a token may be at most ${this.limits.maxTokenBytes} bytes`);
				}
				return null;
			case "stateless":
				if (message.payload.length > this.limits.maxStatelessBytes) {
					return close(
						"tooLarge",
						`a stateless message may be at most ${this.limits.maxStatelessBytes} bytes`,
					);
				}
				return null;
			case "queryAwareness":
			case "close":
				return null;
			default: {
				const unreachable: never = message;
				return unreachable;
			}
		}
	}

	private judgeSync(step: number, payload: Uint8Array): GuardVerdict | null {
		if (payload.byteLength > this.limits.maxUpdateBytes) {
			return close(
				"tooLarge",
				`an update may be at most ${this.limits.maxUpdateBytes} bytes, this one has ${payload.byteLength}`,
			);
		}
		// A copy of its own: lib0 must not read past the payload into the rest of a buffer.
		const own = payload.slice();
		switch (step) {
			case SyncSteps.step1:
				Y.decodeStateVector(own);
				return null;
			case SyncSteps.step2:
			case SyncSteps.update:
				try {
					Y.decodeUpdate(own);
				} catch {
					throw new MalformedError("the update is not a valid Yjs update");
				}
				markValidUpdate(payload);
				return null;
			default:
				throw new MalformedError(`there is no sync step ${step}`);
		}
	}

	private account(message: ClientMessage, bytes: number): GuardVerdict {
		const { address } = message;
		const closing = message.kind === "close";
		let document = this.documents.get(address);
		if (!document) {
			if (closing) return FORWARD;
			if (this.documents.size >= this.limits.maxDocumentsPerSocket) {
				return close(
					"tooManyDocuments",
					`a connection may have at most ${this.limits.maxDocumentsPerSocket} documents open`,
				);
			}
			document = { authenticated: false, queuedMessages: 0, queuedBytes: 0 };
			this.documents.set(address, document);
		}
		if (closing) {
			this.documents.delete(address);
			return FORWARD;
		}
		if (!document.authenticated) {
			document.queuedMessages += 1;
			document.queuedBytes += bytes;
			let messages = 0;
			let total = 0;
			for (const open of this.documents.values()) {
				messages += open.queuedMessages;
				total += open.queuedBytes;
			}
			if (
				messages > this.limits.maxUnauthenticatedMessages ||
				total > this.limits.maxUnauthenticatedBytes
			) {
				return close(
					"unauthenticatedQueueFull",
					`at most ${this.limits.maxUnauthenticatedMessages} messages (${this.limits.maxUnauthenticatedBytes} bytes) may wait for authentication`,
				);
			}
		}
		return FORWARD;
	}
}

/** An awareness update: entries of client id, clock and a JSON state (an object or null). */
function parseAwareness(update: Uint8Array): void {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	for (let i = 0; i < count; i++) {
		decoding.readVarUint(decoder);
		decoding.readVarUint(decoder);
		const json = readString(decoder);
		let state: unknown;
		try {
			state = JSON.parse(json);
		} catch {
			throw new MalformedError("an awareness state is not JSON");
		}
		if (typeof state !== "object" || Array.isArray(state)) {
			throw new MalformedError("an awareness state is not an object");
		}
	}
	if (decoding.hasContent(decoder))
		throw new MalformedError("an awareness update has trailing bytes");
}

/**
 * The one decoder of incoming sync frames. The socket decodes each frame here once and
 * hands the result to the MessageGuard (limits and content), the FirstSyncOrder (which
 * updates wait for a sync step 2) and, behind Hocuspocus, the durable log (which updates
 * are appended as soon as they arrive). Results are kept per frame object, so a frame that
 * reaches `decodeFrame` again on its way through Hocuspocus is not decoded twice.
 *
 * Decoding checks the envelope only: every length lies inside the frame, strings are
 * UTF-8, nothing trails, the type is one a client may send. What the payload means (a
 * valid Yjs update, JSON awareness states) and whether it is within its limits is the
 * guard's judgement; the codec never throws, a frame it cannot read is `malformed`.
 */
import * as decoding from "lib0/decoding";
import { AUTH_TOKEN_MESSAGE, MessageTypes } from "./hocuspocus-seams.ts";

export { MessageTypes };

/** The steps of a y-protocols sync message. */
export const SyncSteps = { step1: 0, step2: 1, update: 2 } as const;

/** Whether a sync step carries document content: an update or a sync step 2. */
export function carriesContent(step: number): boolean {
	return step === SyncSteps.update || step === SyncSteps.step2;
}

/**
 * Whether a sync message that reaches `beforeSync` writes into the document: content from
 * a connection that may write. Hocuspocus refuses what a read-only connection (a board)
 * sends, so the extensions that store or measure writes skip it.
 */
export function writesDocument(sync: { type: number; connection: { readOnly: boolean } }): boolean {
	return carriesContent(sync.type) && !sync.connection.readOnly;
}

/** Longest document address (name plus an optional `\0sessionId`) a frame may carry. */
export const MAX_ADDRESS_LENGTH = 512;

/** Longest provider version an authentication message may carry. */
const MAX_PROVIDER_VERSION_LENGTH = 64;

/** A message a client may send, as its frame says. Byte fields are views into the frame. */
export type ClientMessage =
	| {
			kind: "sync";
			address: string;
			/** `syncReply`: a sync message that must not trigger another step 1. */
			type: typeof MessageTypes.sync | typeof MessageTypes.syncReply;
			/** A `SyncSteps` value, or any other number: the guard refuses those. */
			step: number;
			payload: Uint8Array;
	  }
	| { kind: "awareness"; address: string; update: Uint8Array }
	| { kind: "auth"; address: string; token: string; providerVersion: string | null }
	| { kind: "queryAwareness"; address: string }
	| { kind: "close"; address: string }
	| { kind: "stateless"; address: string; payload: string };

export type DecodedFrame =
	| ClientMessage
	/** A bare one-byte answer to a server ping (newer providers). */
	| { kind: "pong" }
	| {
			kind: "malformed";
			/** The message type, when the frame got that far (the awareness rate counts it). */
			type: number | null;
			reason: string;
	  };

class Malformed extends Error {}

function expectEnd(decoder: decoding.Decoder, what: string): void {
	if (decoding.hasContent(decoder)) throw new Malformed(`${what} has trailing bytes`);
}

/**
 * A length-prefixed byte array that must lie inside the frame. lib0 would hand out a view
 * past the end when the frame shares its ArrayBuffer with other data, so check first.
 */
export function readBytes(decoder: decoding.Decoder): Uint8Array {
	const length = decoding.readVarUint(decoder);
	if (length > decoder.arr.length - decoder.pos) {
		throw new Malformed("a length points past the end of the frame");
	}
	return decoding.readUint8Array(decoder, length);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A length-prefixed UTF-8 string inside the frame. */
export function readString(decoder: decoding.Decoder): string {
	try {
		return utf8.decode(readBytes(decoder));
	} catch (error) {
		if (error instanceof Malformed) throw error;
		throw new Malformed("a string is not UTF-8");
	}
}

/** The reason a read failed: ours, or lib0 reading past the end. */
export function malformedReason(error: unknown): string {
	return error instanceof Malformed ? error.message : "the frame is truncated";
}

export { Malformed as MalformedError };

const decoded = new WeakMap<Uint8Array, DecodedFrame>();

/**
 * Update payloads (views into frames, as `decodeFrame` handed them out) that the guard read
 * as whole Yjs updates. The durable log appends an update as it arrives and must not store
 * one that is not valid; with this it does not decode again what the guard just decoded
 * (two full decodes per typed update before, bench/findings/01.md).
 */
const validUpdates = new WeakSet<Uint8Array>();

/** The guard read this payload of a decoded frame as a valid Yjs update. */
export function markValidUpdate(payload: Uint8Array): void {
	validUpdates.add(payload);
}

/** Whether the guard read this very payload object as a valid Yjs update. */
export function isValidUpdate(payload: Uint8Array): boolean {
	return validUpdates.has(payload);
}

/** What this frame says. Decoded once per frame object; never throws. */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
	let result = decoded.get(frame);
	if (!result) {
		result = decode(frame);
		decoded.set(frame, result);
	}
	return result;
}

function decode(frame: Uint8Array): DecodedFrame {
	if (frame.length === 1 && frame[0] === MessageTypes.pong) return { kind: "pong" };
	let type: number | null = null;
	try {
		const decoder = decoding.createDecoder(frame);
		const address = readString(decoder);
		if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
			throw new Malformed("the document address is empty or too long");
		}
		type = decoding.readVarUint(decoder);
		switch (type) {
			case MessageTypes.sync:
			case MessageTypes.syncReply: {
				const step = decoding.readVarUint(decoder);
				const payload = readBytes(decoder);
				expectEnd(decoder, "a sync message");
				return { kind: "sync", address, type, step, payload };
			}
			case MessageTypes.awareness: {
				const update = readBytes(decoder);
				expectEnd(decoder, "an awareness message");
				return { kind: "awareness", address, update };
			}
			case MessageTypes.auth: {
				if (decoding.readVarUint(decoder) !== AUTH_TOKEN_MESSAGE) {
					throw new Malformed("clients send only token authentication messages");
				}
				const token = readString(decoder);
				let providerVersion: string | null = null;
				// The provider's version follows the token in newer providers.
				if (decoding.hasContent(decoder)) {
					providerVersion = readString(decoder);
					if (providerVersion.length > MAX_PROVIDER_VERSION_LENGTH) {
						throw new Malformed("the provider version is too long");
					}
				}
				expectEnd(decoder, "an authentication message");
				return { kind: "auth", address, token, providerVersion };
			}
			case MessageTypes.queryAwareness:
				expectEnd(decoder, "this message");
				return { kind: "queryAwareness", address };
			case MessageTypes.close:
				expectEnd(decoder, "this message");
				return { kind: "close", address };
			case MessageTypes.stateless: {
				const payload = readString(decoder);
				expectEnd(decoder, "a stateless message");
				return { kind: "stateless", address, payload };
			}
			case MessageTypes.broadcastStateless:
				throw new Malformed("broadcast stateless messages are for servers only");
			default:
				throw new Malformed(`clients do not send messages of type ${type}`);
		}
	} catch (error) {
		return { kind: "malformed", type, reason: malformedReason(error) };
	}
}

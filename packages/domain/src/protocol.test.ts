import fc from "fast-check";
import { equalityDeep } from "lib0/function";
import { describe, expect, it } from "vitest";
import { draftHash } from "./draft-doc.ts";
import {
	BulkResultSchema,
	bulkItemCommandId,
	CloseCodes,
	COMMAND_NAMES,
	COMMAND_SINCE,
	type Command,
	CommandArgs,
	CommandEnvelopeSchema,
	encodeCommand,
	MAX_BULK_ITEMS,
	MAX_COMMAND_BYTES,
	MIN_PROTOCOL_VERSION,
	type ParsedClientMessage,
	PROTOCOL_VERSION,
	parseBulkResult,
	parseClientMessage,
	parseServerMessage,
	REJECT_CODE_SINCE,
	type Reject,
	type RejectCode,
	RejectCodes,
	rejectCodeFor,
	ServerMessageSchema,
	TEXT_REQUIRED_SINCE,
} from "./protocol.ts";

const ID = "6f1c1b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

function command(fields: Record<string, unknown>): string {
	return JSON.stringify({ type: "command", v: PROTOCOL_VERSION, id: ID, ...fields });
}

function rejectOf(parsed: ParsedClientMessage, code: RejectCode): Reject {
	if (parsed.ok) throw new Error(`expected ${code}, got ${JSON.stringify(parsed.message)}`);
	expect(parsed.reject.code).toBe(code);
	return parsed.reject;
}

describe("parseClientMessage", () => {
	it("accepts a valid claim", () => {
		const parsed = parseClientMessage(
			encodeCommand(ID, { name: "claim", args: { mentionId: "m1" } }),
		);
		expect(parsed).toEqual({
			ok: true,
			message: {
				type: "command",
				v: PROTOCOL_VERSION,
				id: ID,
				name: "claim",
				args: { mentionId: "m1" },
			},
		});
	});

	it("fills in defaults of optional arguments", () => {
		const parsed = parseClientMessage(
			command({ name: "tag", args: { mentionId: "m1", add: ["vip"] } }),
		);
		expect(parsed.ok && parsed.message.args).toEqual({ mentionId: "m1", add: ["vip"], remove: [] });
	});

	it("rejects text that is not JSON, or JSON that is not an object, as malformed", () => {
		for (const payload of ["", "{", "claim m1", "null", "42", '"command"', "[]"]) {
			const reject = rejectOf(parseClientMessage(payload), "malformed");
			expect(reject.id).toBeNull();
		}
	});

	it("rejects an unknown message type as malformed, echoing a readable id", () => {
		const reject = rejectOf(parseClientMessage(command({ type: "subscribe" })), "malformed");
		expect(reject.message).toBe('Unknown message type "subscribe".');
		expect(reject.id).toBe(ID);
		rejectOf(parseClientMessage(JSON.stringify({ id: ID })), "malformed");
	});

	it("rejects another protocol version", () => {
		const reject = rejectOf(
			parseClientMessage(
				command({ v: PROTOCOL_VERSION + 1, name: "claim", args: { mentionId: "m1" } }),
			),
			"unsupported_version",
		);
		expect(reject.message).toContain(`protocol version ${PROTOCOL_VERSION}`);
		expect(reject.id).toBe(ID);
		rejectOf(
			parseClientMessage(JSON.stringify({ type: "command", id: ID, name: "claimNext", args: {} })),
			"unsupported_version",
		);
	});

	it("rejects an unknown command name as invalid, naming the field", () => {
		const reject = rejectOf(parseClientMessage(command({ name: "steal", args: {} })), "invalid");
		expect(reject.message).toMatch(/^name: /);
	});

	it("rejects a command id that is not a UUID", () => {
		const reject = rejectOf(
			parseClientMessage(command({ id: "42", name: "claimNext", args: {} })),
			"invalid",
		);
		expect(reject.message).toMatch(/^id: a command id must be a UUID/);
		expect(reject.id).toBe("42");
	});

	it("rejects bad arguments as invalid, naming the command and the field", () => {
		const cases: [Record<string, unknown>, RegExp][] = [
			[{ name: "claim", args: { mentionId: "" } }, /^claim: mentionId: /],
			[{ name: "claim", args: {} }, /^claim: mentionId: /],
			[{ name: "claim", args: { mentionId: "m1", extra: true } }, /^claim: extra: /],
			[{ name: "approve", args: { mentionId: "m1", hash: "abc" } }, /^approve: hash: .*SHA-256/],
			[{ name: "snooze", args: { mentionId: "m1", until: "tomorrow" } }, /^snooze: until: /],
			[{ name: "markReplied", args: { mentionId: "m1", url: "not a url" } }, /^markReplied: url: /],
			[
				{ name: "setPriority", args: { mentionId: "m1", priority: "urgent" } },
				/^setPriority: priority: /,
			],
			[{ name: "tag", args: { mentionId: "m1", add: [" "] } }, /^tag: add\.0: /],
		];
		for (const [fields, message] of cases) {
			expect(rejectOf(parseClientMessage(command(fields)), "invalid").message).toMatch(message);
		}
		expect(
			rejectOf(parseClientMessage(command({ name: "claim", args: "m1" })), "invalid").message,
		).toMatch(/^args: /);
	});

	it("rejects a NUL character or a lone surrogate as invalid, with the command's id", () => {
		for (const text of ["before\u0000after", "lone \uD83D"]) {
			const reject = rejectOf(
				parseClientMessage(command({ name: "dismiss", args: { mentionId: "m1", reason: text } })),
				"invalid",
			);
			expect(reject).toMatchObject({ id: ID, message: expect.stringMatching(/^args\.reason: /) });
		}
	});

	it("rejects an oversized message before parsing it", () => {
		const padding = "x".repeat(MAX_COMMAND_BYTES);
		const reject = rejectOf(
			parseClientMessage(command({ name: "dismiss", args: { mentionId: "m1", reason: padding } })),
			"too_large",
		);
		expect(reject.id).toBeNull();
		expect(parseClientMessage(`${"[".repeat(MAX_COMMAND_BYTES)}`).ok).toBe(false);
	});

	it("survives deeply nested JSON within the size limit", () => {
		const depth = Math.floor((MAX_COMMAND_BYTES - 200) / 2);
		const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
		const payload = `{"type":"command","v":${PROTOCOL_VERSION},"id":"${ID}","name":"claim","args":{"mentionId":${nested}}}`;
		expect(rejectOf(parseClientMessage(payload), "invalid").message).toMatch(/^claim: mentionId: /);
	});

	/** Parse; an answer must be a valid command or a reject from the closed set. */
	const neverThrows = (payload: string) => {
		const parsed = parseClientMessage(payload);
		if (parsed.ok) {
			// Whatever is accepted survives a round trip unchanged.
			const { type: _type, v: _v, id, ...rest } = parsed.message;
			const again = parseClientMessage(encodeCommand(id, rest as Command));
			if (!equalityDeep(again, parsed)) expect(again).toEqual(parsed);
		} else if (!(parsed.reject.code in RejectCodes) || parsed.reject.message.length === 0) {
			throw new Error(`not a proper reject: ${JSON.stringify(parsed.reject)}`);
		}
	};

	it("never throws on arbitrary text", () => {
		fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), neverThrows), {
			numRuns: 500,
		});
	});

	it("never throws on arbitrary JSON", () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => neverThrows(JSON.stringify(value) ?? "")),
			{
				numRuns: 500,
			},
		);
	});

	it("never throws on commands with arbitrary fields", () => {
		const anything = fc.oneof(fc.jsonValue(), fc.string());
		const fields = fc.record(
			{
				type: fc.oneof(fc.constant("command"), anything),
				v: fc.oneof(fc.constant(PROTOCOL_VERSION), anything),
				id: fc.oneof(fc.uuid(), anything),
				name: fc.oneof(fc.constantFrom(...COMMAND_NAMES), anything),
				args: fc.oneof(
					fc.record(
						{
							mentionId: fc.oneof(fc.constantFrom("m1", ""), anything),
							hash: fc.oneof(fc.constant(draftHash("x")), anything),
							to: anything,
							add: fc.oneof(fc.array(fc.string()), anything),
							priority: fc.oneof(fc.constantFrom("high", "low"), anything),
							__proto__: anything,
						},
						{ requiredKeys: [] },
					),
					anything,
				),
			},
			{ requiredKeys: [] },
		);
		fc.assert(
			fc.property(fields, (value) => neverThrows(JSON.stringify(value))),
			{ numRuns: 1000 },
		);
	});
});

describe("version 3: close, reopen, bulk and the reviewed text", () => {
	const hash = draftHash("Sorry about that!");
	const at = (version: number, fields: Record<string, unknown>) =>
		JSON.stringify({ type: "command", v: version, id: ID, ...fields });

	it("refuses the new commands from a client of an older version", () => {
		for (const name of ["close", "reopen"]) {
			const payload = { name, args: { mentionId: "m1" } };
			expect(parseClientMessage(at(3, payload)).ok).toBe(true);
			const reject = rejectOf(parseClientMessage(at(2, payload)), "invalid");
			expect(reject.message).toBe(
				`name: ${name} is a command of protocol version 3; the message says 2.`,
			);
		}
	});

	it("needs the reply text with submitForReview and approve from version 3, not before", () => {
		for (const name of ["submitForReview", "approve"]) {
			const old = { name, args: { mentionId: "m1", hash } };
			expect(parseClientMessage(at(2, old)).ok).toBe(true);
			expect(rejectOf(parseClientMessage(at(3, old)), "invalid").message).toMatch(
				new RegExp(`^${name}: text: `),
			);
			const parsed = parseClientMessage(
				at(3, { name, args: { mentionId: "m1", hash, text: "Sorry about that!" } }),
			);
			expect(parsed).toMatchObject({ ok: true, message: { args: { text: "Sorry about that!" } } });
		}
	});

	it("parses a bulk command's items with each command's own schema", () => {
		const parsed = parseClientMessage(
			at(3, {
				name: "bulk",
				args: {
					items: [
						{ name: "dismiss", args: { mentionId: "m1", reason: "spam" } },
						{ name: "tag", args: { mentionId: "m2", add: ["billing"] } },
					],
				},
			}),
		);
		expect(parsed).toMatchObject({
			ok: true,
			message: {
				name: "bulk",
				args: {
					items: [
						{ name: "dismiss", args: { mentionId: "m1", reason: "spam" } },
						{ name: "tag", args: { mentionId: "m2", add: ["billing"], remove: [] } },
					],
				},
			},
		});
		const cases: [unknown, RegExp][] = [
			[[], /^bulk: items: /],
			[[{ name: "claimNext", args: {} }], /^bulk: items\.0\.name: /],
			[[{ name: "approve", args: { mentionId: "m1", hash } }], /^bulk: items\.0\.name: /],
			[[{ name: "bulk", args: { items: [] } }], /^bulk: items\.0\.name: /],
			[[{ name: "snooze", args: { mentionId: "m1" } }], /^bulk: items\.0\.args\.until: /],
			[
				Array.from({ length: MAX_BULK_ITEMS + 1 }, () => ({
					name: "close",
					args: { mentionId: "m" },
				})),
				/^bulk: items: /,
			],
		];
		for (const [items, message] of cases) {
			expect(
				rejectOf(parseClientMessage(at(3, { name: "bulk", args: { items } })), "invalid").message,
			).toMatch(message);
		}
	});

	it("derives one stable UUID per bulk item, distinct across items and bulk commands", () => {
		fc.assert(
			fc.property(
				fc.uuid(),
				fc.uuid(),
				fc.nat(MAX_BULK_ITEMS),
				fc.nat(MAX_BULK_ITEMS),
				(a, b, i, j) => {
					const id = bulkItemCommandId(a, i);
					expect(id).toMatch(
						/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
					);
					expect(bulkItemCommandId(a.toUpperCase(), i)).toBe(id);
					if (i !== j) expect(bulkItemCommandId(a, j)).not.toBe(id);
					if (a.toLowerCase() !== b.toLowerCase()) expect(bulkItemCommandId(b, i)).not.toBe(id);
					// Accepted as a command id of its own.
					expect(
						parseClientMessage(encodeCommand(id, { name: "close", args: { mentionId: "m1" } })).ok,
					).toBe(true);
				},
			),
			{ numRuns: 300 },
		);
	});

	it("reads a bulk ack's per-item results", () => {
		const result = {
			items: [
				{ mentionId: "m1", ok: true },
				{ mentionId: "m2", ok: false, code: "not_owner", message: "Dana owns this conversation." },
			],
		};
		expect(parseBulkResult(result)).toEqual(result);
		expect(parseBulkResult({ mentionId: "m1" })).toBeNull();
		expect(parseBulkResult({ items: [{ mentionId: "m1", ok: false }] })).toBeNull();
	});
});

describe("parseServerMessage", () => {
	it("reads acks, rejects and notices, and nothing else", () => {
		const messages = [
			{ type: "ack", id: ID },
			{ type: "ack", id: ID, result: { mentionId: "m1" } },
			{ type: "reject", id: null, code: "malformed", message: "The message is not valid JSON." },
			{ type: "notice", level: "warning", message: "Maintenance at noon." },
		];
		for (const message of messages)
			expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
		for (const payload of [
			"nope",
			"{}",
			'{"type":"reject","id":null,"code":"teapot","message":""}',
		]) {
			expect(parseServerMessage(payload)).toBeNull();
		}
	});

	it("counts a notification of a kind it cannot read, without the entry", () => {
		const added = {
			id: "9",
			kind: "lease_expired",
			mentionId: "m1",
			boardId: "main",
			actorId: null,
			at: "2026-12-03T12:00:00.000Z",
			readAt: null,
			detail: { handle: "ana", awayMinutes: 45 },
		};
		const message = { type: "notifications", unread: 3, added };
		expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
		// A kind from a newer server: the unread count still arrives.
		expect(
			parseServerMessage(
				JSON.stringify({ ...message, added: { ...added, kind: "from_the_future" } }),
			),
		).toEqual({ type: "notifications", unread: 3 });
		// Not a way around the count's own schema.
		expect(
			parseServerMessage(JSON.stringify({ type: "notifications", unread: -1, added })),
		).toBeNull();
	});
});

// The protocol pin. Every schema a message is parsed with, reduced to its shape (types,
// keys, options, limits; not its error messages) and hashed. A change to that shape is a
// change to the protocol: old clients would send or expect something else.

/** Reduce a valibot schema (or anything inside one) to plain, comparable data. */
function shapeOf(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(shapeOf);
	if (node instanceof RegExp) return node.toString();
	if (typeof node === "function") return "function";
	if (typeof node !== "object" || node === null) return node;
	const schema = node as Record<string, unknown>;
	if (typeof schema.kind !== "string") {
		// A plain record: object entries, close codes.
		return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, shapeOf(value)]));
	}
	const shape: Record<string, unknown> = { type: schema.type };
	for (const key of [
		"entries",
		"options",
		"wrapped",
		"item",
		"key",
		"value",
		"literal",
		"requirement",
		"default",
	]) {
		if (key in schema) shape[key] = shapeOf(schema[key]);
	}
	// A piped schema lists itself first; the rest are its checks and transforms.
	if (Array.isArray(schema.pipe)) shape.pipe = schema.pipe.slice(1).map(shapeOf);
	return shape;
}

function protocolFingerprint(): string {
	// The version literal itself is left out: the pin is about what the version stands for.
	const { v: _version, ...envelope } = CommandEnvelopeSchema.entries;
	const shape = {
		envelope: shapeOf(envelope),
		commands: Object.fromEntries(COMMAND_NAMES.map((name) => [name, shapeOf(CommandArgs[name])])),
		server: shapeOf(ServerMessageSchema),
		closeCodes: shapeOf(CloseCodes),
		// Version 3 on: what a bulk ack's result holds, and from which version each command is.
		bulkResult: shapeOf(BulkResultSchema),
		since: { commands: COMMAND_SINCE, text: TEXT_REQUIRED_SINCE },
	};
	return draftHash(JSON.stringify(shape));
}

/**
 * The fingerprint of the message schemas at each protocol version. After an incompatible
 * schema change: bump PROTOCOL_VERSION and add a line; never edit an existing one.
 */
const FINGERPRINTS: Record<number, string> = {
	1: "0aff880d7c30540547f40e04412ae7abfa804d007458b317ff2f2ac04d138a27",
	// Close codes for malformed frames, document size, rate, document and queue limits, backpressure.
	2: "40457cce3ac98c58e9b2813224868c580e2d894ab15f14889f2ad0c8bbf42d8e",
	// The `notifications` server message: a member's new notification and unread count; close,
	// reopen and bulk (with its per-item result); the reply text on submitForReview and approve;
	// the reject codes text_empty and text_too_long.
	3: "925d61964da939511bcd9be9bd585e79df44c5aa2de169564e605681cceb223f",
	// The notification kind lease_expired (and its detail awayMinutes).
	4: "4264046d8c4ecda29db433b90b6a3e89238614c5ce2e56f4404ad5bdc1f3a044",
	// The notification detail count: a follow-up entry's messages, folded into one entry.
	5: "a27030cc081904c7ea00f9cecf1f2ebf461d110d3c9d5defefe81e009c700c8a",
	// The notification kind taken_away (and its details newOwnerId and newOwnerName).
	6: "bf1d023cb42c6eeea508c6a91df55b9636a90ceede5fd236abbbe9bafc40a5c1",
};

describe("protocol pin", () => {
	it("ties the message schemas to PROTOCOL_VERSION", () => {
		const fingerprint = protocolFingerprint();
		if (FINGERPRINTS[PROTOCOL_VERSION] !== fingerprint) {
			throw new Error(
				`schema changed: bump PROTOCOL_VERSION and update the fingerprint ` +
					`(version ${PROTOCOL_VERSION} is pinned to ${FINGERPRINTS[PROTOCOL_VERSION] ?? "nothing"}, ` +
					`the schemas now hash to ${fingerprint})`,
			);
		}
		expect(Math.max(...Object.keys(FINGERPRINTS).map(Number))).toBe(PROTOCOL_VERSION);
		const pinned = Object.values(FINGERPRINTS);
		expect(new Set(pinned).size, "two versions pinned to the same schemas").toBe(pinned.length);
	});

	it("notices a change to a command's arguments", () => {
		const before = protocolFingerprint();
		const original = CommandArgs.claim;
		const mutable = CommandArgs as Record<string, unknown>;
		try {
			mutable.claim = {
				...original,
				entries: { ...original.entries, force: original.entries.mentionId },
			};
			expect(protocolFingerprint()).not.toBe(before);
		} finally {
			mutable.claim = original;
		}
		expect(protocolFingerprint()).toBe(before);
	});
});

describe("reject codes by version", () => {
	it("tells a client only codes its version knows, a newer one as invalid", () => {
		expect(rejectCodeFor("text_too_long", 3)).toBe("text_too_long");
		expect(rejectCodeFor("text_empty", 2)).toBe("invalid");
		expect(rejectCodeFor("text_too_long", 1)).toBe("invalid");
		expect(rejectCodeFor("stale_hash", 1)).toBe("stale_hash");
		// A version's client parses every code it is told.
		for (const code of Object.keys(RejectCodes) as RejectCode[]) {
			for (let version = MIN_PROTOCOL_VERSION; version <= PROTOCOL_VERSION; version++) {
				const told = rejectCodeFor(code, version);
				expect(REJECT_CODE_SINCE[told] ?? MIN_PROTOCOL_VERSION).toBeLessThanOrEqual(version);
			}
		}
	});
});

import { CloseCodes } from "@switchboard/domain";
import fc from "fast-check";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { decodeFrame, isValidUpdate } from "./frame-codec.ts";
import { defaultSyncLimits, MessageGuard, MessageTypes, type SyncLimits } from "./message-guard.ts";

const NAME = "draft/acme/m1";

function frame(write: (encoder: encoding.Encoder) => void, name = NAME): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, name);
	write(encoder);
	return encoding.toUint8Array(encoder);
}

const auth = (name = NAME) =>
	frame((e) => {
		encoding.writeVarUint(e, MessageTypes.auth);
		encoding.writeVarUint(e, 0);
		encoding.writeVarString(e, "token");
		encoding.writeVarString(e, "4.8.0");
	}, name);

function update(content = "hello"): Uint8Array {
	const doc = new Y.Doc();
	doc.getText("body").insert(0, content);
	return frame((e) => {
		encoding.writeVarUint(e, MessageTypes.sync);
		encoding.writeVarUint(e, 2);
		encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
	});
}

function awareness(state: unknown, clientId = 7): Uint8Array {
	const doc = new Y.Doc();
	doc.clientID = clientId;
	const aw = new Awareness(doc);
	aw.setLocalState(state as Record<string, unknown>);
	return frame((e) => {
		encoding.writeVarUint(e, MessageTypes.awareness);
		encoding.writeVarUint8Array(e, encodeAwarenessUpdate(aw, [clientId]));
	});
}

function limits(overrides: Partial<SyncLimits> = {}): SyncLimits {
	return { ...defaultSyncLimits, ...overrides };
}

const closedWith = (code: number) => expect.objectContaining({ action: "close", code });

describe("MessageGuard", () => {
	it("forwards what a provider sends", () => {
		const guard = new MessageGuard();
		expect(guard.inspect(auth())).toEqual({ action: "forward" });
		guard.authenticated(NAME);
		expect(guard.inspect(update())).toEqual({ action: "forward" });
		expect(guard.inspect(awareness({ user: { name: "Dana" } }))).toEqual({ action: "forward" });
		const stateless = frame((e) => {
			encoding.writeVarUint(e, MessageTypes.stateless);
			encoding.writeVarString(e, '{"type":"command"}');
		});
		expect(guard.inspect(stateless)).toEqual({ action: "forward" });
		expect(guard.inspect(frame((e) => encoding.writeVarUint(e, MessageTypes.close)))).toEqual({
			action: "forward",
		});
		expect(guard.openDocuments).toBe(0);
	});

	it("closes with 4400 on truncated varints, trailing bytes, lying lengths and server-only types", () => {
		const full = update();
		const cases: Uint8Array[] = [
			new Uint8Array([0x80]),
			full.subarray(0, full.length - 3),
			new Uint8Array([...full, 0]),
			frame((e) => encoding.writeVarUint(e, MessageTypes.broadcastStateless)),
			frame((e) => encoding.writeVarUint(e, MessageTypes.syncStatus)),
			frame((e) => encoding.writeVarUint(e, 42)),
			frame((e) => {
				encoding.writeVarUint(e, MessageTypes.sync);
				encoding.writeVarUint(e, 2);
				encoding.writeVarUint(e, 1_000);
				encoding.writeUint8(e, 1);
			}),
			frame((e) => {
				encoding.writeVarUint(e, MessageTypes.sync);
				encoding.writeVarUint(e, 2);
				encoding.writeVarUint8Array(e, new Uint8Array([1, 2, 3, 250, 251]));
			}),
			frame((e) => {
				encoding.writeVarUint(e, MessageTypes.awareness);
				encoding.writeVarUint8Array(e, new Uint8Array([1, 7, 1, 3, 0x7b, 0x7b, 0x7b]));
			}),
			awareness(null).map((byte, i, all) => (i === all.length - 2 ? 0x5b : byte)),
			frame((e) => {
				encoding.writeVarUint(e, MessageTypes.auth);
				encoding.writeVarUint(e, 1);
				encoding.writeVarString(e, "denied");
			}),
		];
		for (const bad of cases) {
			expect(new MessageGuard().inspect(bad)).toEqual(closedWith(CloseCodes.badMessage.code));
		}
	});

	it("vouches for the updates it read whole, so the durable log need not decode them again", () => {
		const payloadOf = (sent: Uint8Array) => {
			const decoded = decodeFrame(sent);
			if (decoded.kind !== "sync") throw new Error("not a sync frame");
			return decoded.payload;
		};
		const guard = new MessageGuard();
		guard.inspect(auth());
		guard.authenticated(NAME);
		const good = update();
		expect(guard.inspect(good)).toEqual({ action: "forward" });
		expect(isValidUpdate(payloadOf(good))).toBe(true);
		const garbage = frame((e) => {
			encoding.writeVarUint(e, MessageTypes.sync);
			encoding.writeVarUint(e, 2);
			encoding.writeVarUint8Array(e, new Uint8Array([1, 2, 3, 250, 251]));
		});
		expect(guard.inspect(garbage)).toEqual(closedWith(CloseCodes.badMessage.code));
		expect(isValidUpdate(payloadOf(garbage))).toBe(false);
		// Too large: refused before it is decoded, so never vouched for.
		const large = update("x".repeat(200));
		expect(new MessageGuard(limits({ maxUpdateBytes: 100 })).inspect(large)).toEqual(
			closedWith(CloseCodes.tooLarge.code),
		);
		expect(isValidUpdate(payloadOf(large))).toBe(false);
	});

	it("does not read past the frame into the rest of its buffer", () => {
		// The update's length claims more bytes than the frame has; the ArrayBuffer has them.
		const lying = frame((e) => {
			encoding.writeVarUint(e, MessageTypes.sync);
			encoding.writeVarUint(e, 2);
			encoding.writeVarUint(e, 40);
		});
		const buffer = new Uint8Array(lying.length + 100);
		buffer.set(lying);
		const view = buffer.subarray(0, lying.length);
		expect(new MessageGuard().inspect(view)).toEqual(closedWith(CloseCodes.badMessage.code));
	});

	it("closes with 4413 on an update, awareness or stateless message above its limit", () => {
		const guard = () => new MessageGuard(limits({ maxUpdateBytes: 16, maxAwarenessBytes: 16 }));
		expect(guard().inspect(update("x".repeat(64)))).toEqual(closedWith(CloseCodes.tooLarge.code));
		expect(guard().inspect(awareness({ user: { name: "x".repeat(64) } }))).toEqual(
			closedWith(CloseCodes.tooLarge.code),
		);
		const big = frame((e) => {
			encoding.writeVarUint(e, MessageTypes.stateless);
			encoding.writeVarString(e, "x".repeat(defaultSyncLimits.maxStatelessBytes + 1));
		});
		expect(new MessageGuard().inspect(big)).toEqual(closedWith(CloseCodes.tooLarge.code));
	});

	it("closes with 4429 past the message rate and 4430 past the awareness rate", () => {
		let now = 0;
		const guard = new MessageGuard(
			limits({
				messageRate: { burst: 10, perSecond: 5 },
				awarenessRate: { burst: 3, perSecond: 1 },
			}),
			() => now,
		);
		guard.inspect(auth());
		guard.authenticated(NAME);
		for (let i = 0; i < 3; i++) expect(guard.inspect(awareness({}))).toEqual({ action: "forward" });
		expect(guard.inspect(awareness({}))).toEqual(closedWith(CloseCodes.awarenessRateLimited.code));

		const second = new MessageGuard(
			limits({ messageRate: { burst: 10, perSecond: 5 } }),
			() => now,
		);
		for (let i = 0; i < 10; i++) second.inspect(update());
		expect(second.inspect(update())).toEqual(closedWith(CloseCodes.rateLimited.code));
		// The bucket refills: a second later, five more.
		now += 1000;
		for (let i = 0; i < 5; i++) expect(second.inspect(update()).action).not.toBe("close");
	});

	it("closes with 4431 when a socket opens too many documents, counting closed ones out", () => {
		const guard = new MessageGuard(limits({ maxDocumentsPerSocket: 3 }));
		for (const i of [1, 2, 3])
			expect(guard.inspect(auth(`draft/acme/m${i}`)).action).toBe("forward");
		const closeM1 = frame((e) => encoding.writeVarUint(e, MessageTypes.close), "draft/acme/m1");
		expect(guard.inspect(closeM1)).toEqual({ action: "forward" });
		expect(guard.inspect(auth("draft/acme/m4"))).toEqual({ action: "forward" });
		expect(guard.inspect(auth("draft/acme/m5"))).toEqual(
			closedWith(CloseCodes.tooManyDocuments.code),
		);
	});

	it("closes with 4432 when too much waits for authentication, and not once it is done", () => {
		const guard = new MessageGuard(limits({ maxUnauthenticatedMessages: 5 }));
		guard.inspect(auth());
		for (let i = 0; i < 4; i++) expect(guard.inspect(update()).action).toBe("forward");
		expect(guard.inspect(update())).toEqual(closedWith(CloseCodes.unauthenticatedQueueFull.code));

		const later = new MessageGuard(limits({ maxUnauthenticatedMessages: 5 }));
		later.inspect(auth());
		later.authenticated(NAME);
		for (let i = 0; i < 20; i++) expect(later.inspect(update()).action).toBe("forward");
	});

	it("never throws, whatever the bytes", () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
				const verdict = new MessageGuard().inspect(bytes);
				expect(["forward", "ignore", "close"]).toContain(verdict.action);
			}),
			{ numRuns: 5000 },
		);
	});
});

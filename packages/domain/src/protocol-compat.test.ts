/**
 * The compatibility policy of docs/PROTOCOL.md, pinned: messages recorded from the client
 * of every version still served parse to the same commands today, and a version outside
 * the served range is answered `unsupported_version` naming the range. The recordings are
 * frozen; a new protocol version adds a file.
 */
import { describe, expect, it } from "vitest";
import {
	MIN_PROTOCOL_VERSION,
	PROTOCOL_VERSION,
	parseClientMessage,
	type Reject,
} from "./protocol.ts";
import v1 from "./protocol-fixtures/v1.json" with { type: "json" };
import v2 from "./protocol-fixtures/v2.json" with { type: "json" };
import v3 from "./protocol-fixtures/v3.json" with { type: "json" };
import v4 from "./protocol-fixtures/v4.json" with { type: "json" };
import v5 from "./protocol-fixtures/v5.json" with { type: "json" };
import v6 from "./protocol-fixtures/v6.json" with { type: "json" };

const recorded: Record<number, { version: number; messages: string[] }> = {
	1: v1,
	2: v2,
	3: v3,
	4: v4,
	5: v5,
	6: v6,
};

describe("protocol compatibility", () => {
	it("has recorded messages for every served version", () => {
		for (let version = MIN_PROTOCOL_VERSION; version <= PROTOCOL_VERSION; version++) {
			expect(recorded[version]?.version, `recordings of version ${version}`).toBe(version);
			expect(recorded[version]?.messages.length).toBeGreaterThan(0);
		}
	});

	for (const [version, { messages }] of Object.entries(recorded)) {
		it(`serves every command as a version ${version} client sent it`, () => {
			for (const payload of messages) {
				const parsed = parseClientMessage(payload);
				if (!parsed.ok) throw new Error(`refused ${payload}: ${parsed.reject.message}`);
				const sent = JSON.parse(payload) as { id: string; v: number; name: string; args: object };
				expect(parsed.message).toMatchObject({
					id: sent.id,
					v: sent.v,
					name: sent.name,
					args: sent.args,
				});
			}
		});
	}

	it("answers versions it does not serve with unsupported_version naming the range", () => {
		const [claim] = v2.messages;
		for (const version of [MIN_PROTOCOL_VERSION - 1, PROTOCOL_VERSION + 1, 1.5, "2", null]) {
			const payload = JSON.stringify({ ...JSON.parse(claim ?? "{}"), v: version });
			const parsed = parseClientMessage(payload);
			expect(parsed.ok).toBe(false);
			const reject = (parsed as { reject: Reject }).reject;
			expect(reject.code).toBe("unsupported_version");
			expect(reject.message).toContain(
				`serves versions ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}`,
			);
		}
	});
});

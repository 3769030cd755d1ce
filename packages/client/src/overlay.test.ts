import type { MemberCard, Mention } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type { PendingCommand } from "./api.ts";
import { type OverlayInput, overlayPending } from "./overlay.ts";
import { at, makeCard, mention, meOf, pending } from "./test-fixtures.ts";

const dana = makeCard("dana");
const sam = makeCard("sam");
const morgan = makeCard("morgan", { role: "moderator", capacity: 10 });

function input(
	mentions: Mention[],
	queue: PendingCommand[],
	me: MemberCard = dana,
	cards: MemberCard[] = [dana, sam, morgan],
): OverlayInput {
	const byId = new Map(mentions.map((m) => [m.id, m]));
	const cardById = new Map(cards.map((c) => [c.id, c]));
	return {
		me: meOf(me),
		pending: queue,
		mention: (id) => byId.get(id),
		card: (id) => cardById.get(id),
		mentions: () => mentions,
	};
}

describe("overlayPending", () => {
	it("shows a pending claim as claimed by me, with the command attached", () => {
		const claim = pending({ name: "claim", args: { mentionId: "m1" } }, at(5));
		const out = overlayPending(input([mention("m1"), mention("m2")], [claim]));
		expect([...out.keys()]).toEqual(["m1"]);
		expect(out.get("m1")).toMatchObject({
			status: "claimed",
			owner: { memberId: "dana", since: at(5) },
			pending: [claim],
		});
	});

	it("changes nothing when the board already says no, but still lists the command", () => {
		const taken = mention("m1", { status: "claimed", owner: { memberId: "sam", since: at(0) } });
		const claim = pending({ name: "claim", args: { mentionId: "m1" } });
		const out = overlayPending(input([taken], [claim]));
		expect(out.get("m1")).toMatchObject({
			status: "claimed",
			owner: { memberId: "sam" },
			pending: [claim],
		});
	});

	it("applies several commands on one mention in order", () => {
		const claim = pending({ name: "claim", args: { mentionId: "m1" } });
		const tag = pending({ name: "tag", args: { mentionId: "m1", add: ["billing"] } });
		const release = pending({ name: "release", args: { mentionId: "m1" } });
		const out = overlayPending(input([mention("m1")], [claim, tag, release]));
		expect(out.get("m1")).toMatchObject({
			status: "new",
			owner: null,
			tags: ["billing"],
			pending: [claim, tag, release],
		});
	});

	it("counts earlier pending claims against my capacity", () => {
		const mentions = ["m1", "m2", "m3"].map((id) => mention(id));
		const claims = mentions.map((m) => pending({ name: "claim", args: { mentionId: m.id } }));
		const out = overlayPending(input(mentions, claims));
		// Capacity 2: the third claim would be refused.
		expect(out.get("m1")?.owner?.memberId).toBe("dana");
		expect(out.get("m2")?.owner?.memberId).toBe("dana");
		expect(out.get("m3")).toMatchObject({ owner: null, pending: [claims[2]] });
	});

	it("counts conversations I own on the board, minus those a pending release frees", () => {
		const mine = (id: string) =>
			mention(id, { status: "claimed", owner: { memberId: "dana", since: at(0) } });
		const board = [mine("m1"), mine("m2"), mention("m3")];
		const blocked = overlayPending(
			input(board, [pending({ name: "claim", args: { mentionId: "m3" } })]),
		);
		expect(blocked.get("m3")?.owner).toBeNull();

		const release = pending({ name: "release", args: { mentionId: "m1" } });
		const claim = pending({ name: "claim", args: { mentionId: "m3" } });
		const freed = overlayPending(input(board, [release, claim]));
		expect(freed.get("m1")?.owner).toBeNull();
		expect(freed.get("m3")?.owner?.memberId).toBe("dana");
	});

	it("lets a moderator assign on the overlay, checking the assignee's capacity", () => {
		const assign = pending({ name: "assign", args: { mentionId: "m1", memberId: "sam" } });
		const out = overlayPending(input([mention("m1")], [assign], morgan));
		expect(out.get("m1")?.owner?.memberId).toBe("sam");
		const refused = overlayPending(input([mention("m1")], [assign], dana));
		expect(refused.get("m1")?.owner).toBeNull();
	});

	it("refuses on the overlay a hand-off or assignment to a deactivated member, as the server does", () => {
		const milton = makeCard("milton", { name: "Milton Waddams", active: false });
		const cards = [dana, sam, morgan, milton];
		const mine = mention("m1", { status: "claimed", owner: { memberId: "dana", since: at(0) } });
		const handoff = pending({ name: "handoff", args: { mentionId: "m1", to: "milton" } });
		expect(overlayPending(input([mine], [handoff], dana, cards)).get("m1")?.owner?.memberId).toBe(
			"dana",
		);
		const assign = pending({ name: "assign", args: { mentionId: "m2", memberId: "milton" } });
		expect(
			overlayPending(input([mention("m2")], [assign], morgan, cards)).get("m2")?.owner,
		).toBeNull();
		// Back again: the overlay lets it through.
		const back = [dana, sam, morgan, makeCard("milton", { name: "Milton Waddams" })];
		expect(overlayPending(input([mine], [handoff], dana, back)).get("m1")?.owner?.memberId).toBe(
			"milton",
		);
	});

	it("shows claimNext on no mention, and skips mentions the board does not have", () => {
		const next = pending({ name: "claimNext", args: {} });
		const gone = pending({ name: "claim", args: { mentionId: "gone" } });
		expect(overlayPending(input([mention("m1")], [next, gone])).size).toBe(0);
	});

	it("lists a command that does not parse on its mention without changing it", () => {
		const bad = pending({ name: "snooze", args: { mentionId: "m1", until: "tomorrow" } });
		const out = overlayPending(input([mention("m1")], [bad]));
		expect(out.get("m1")).toMatchObject({ status: "new", pending: [bad] });
	});

	it("works without my member card (not on the board yet), leaving capacity to the server", () => {
		const claim = pending({ name: "claim", args: { mentionId: "m1" } });
		const out = overlayPending(input([mention("m1")], [claim], dana, []));
		expect(out.get("m1")?.owner?.memberId).toBe("dana");
	});

	it("never mutates the board's mentions", () => {
		const board = [mention("m1")];
		const frozen = structuredClone(board);
		overlayPending(input(board, [pending({ name: "claim", args: { mentionId: "m1" } })]));
		expect(board).toEqual(frozen);
	});
});

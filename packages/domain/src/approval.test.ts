import { describe, expect, it } from "vitest";
import {
	approvalBlock,
	approvalReasons,
	describeApprovalReason,
	NO_APPROVAL_RULES,
	reviewStanding,
} from "./approval.ts";
import { draftHash } from "./draft-doc.ts";
import { type Decision, type DecisionContext, decide } from "./lifecycle.ts";
import type { ApprovalRules, Member, Mention, Review } from "./model.ts";
import type { Command } from "./protocol.ts";
import { at, makeMember, makeMention } from "./test-fixtures.ts";

const HASH_A = draftHash("We are sorry, a fix is on its way.");
const HASH_B = draftHash("We are sorry, a fix is on its way!");

const rules: ApprovalRules = { priorities: ["high"], tags: ["legal"], newMembers: ["newbie"] };

const dana = makeMember({ id: "dana", name: "Dana" });
const newbie = makeMember({ id: "newbie", name: "Nell" });
const mo = makeMember({ id: "mo", name: "Mo", role: "moderator" });
const MEMBERS = new Map([dana, newbie, mo].map((m) => [m.id, m]));

function review(state: Review["state"], hash: string | null = HASH_A): Review {
	return { state, hash, by: "mo", at: at(5), comment: null };
}

function ownedBy(memberId: string, overrides: Partial<Mention> = {}): Mention {
	return makeMention({
		id: "m1",
		status: "drafting",
		owner: { memberId, since: at(1) },
		...overrides,
	});
}

function context(actor: Member, mention: Mention, approval?: ApprovalRules): DecisionContext {
	return {
		actor,
		now: at(30),
		mention,
		member: (id) => MEMBERS.get(id),
		openOwnedCount: () => 1,
		...(approval ? { approval } : {}),
	};
}

const replied = (hash?: string) => ({
	name: "markReplied" as const,
	args: { mentionId: "m1", url: "https://social.example/@acme/1", ...(hash ? { hash } : {}) },
});

describe("approval rules", () => {
	it("name every rule that matches: priority, tag (any case) and a new owner", () => {
		expect(approvalReasons(ownedBy("dana"), rules)).toEqual([]);
		expect(
			approvalReasons(ownedBy("newbie", { priority: "high", tags: ["Legal", "billing"] }), rules),
		).toEqual([
			{ kind: "priority", priority: "high" },
			{ kind: "tag", tag: "Legal" },
			{ kind: "new_member", memberId: "newbie" },
		]);
		expect(approvalReasons(makeMention({ id: "x", priority: "high" }), NO_APPROVAL_RULES)).toEqual(
			[],
		);
		const names = (id: string) => MEMBERS.get(id)?.name ?? id;
		expect(
			approvalReasons(ownedBy("newbie", { priority: "high" }), rules).map((r) =>
				describeApprovalReason(r, names),
			),
		).toEqual(["high priority", "Nell is new"]);
	});

	it("block the reply of a conversation that needs approval until it is approved for that text", () => {
		const high = ownedBy("dana", { priority: "high" });
		expect(approvalBlock(high, rules, HASH_A)).toMatchObject({ code: "invalid_transition" });
		const approved = { ...high, status: "approved" as const, review: review("approved") };
		expect(approvalBlock(approved, rules, HASH_A)).toBeNull();
		expect(approvalBlock(approved, rules, HASH_B)).toMatchObject({ code: "stale_hash" });
		expect(approvalBlock(approved, rules, null)).toMatchObject({ code: "stale_hash" });
		// Nothing asks for approval here: any text may go.
		expect(approvalBlock(ownedBy("dana"), rules, null)).toBeNull();
	});
});

describe("approval staleness", () => {
	it("tells whether the approval or the request still names the draft as it is", () => {
		expect(reviewStanding(null, HASH_A)).toBe("none");
		expect(reviewStanding(review("requested"), HASH_A)).toBe("requested");
		expect(reviewStanding(review("requested"), HASH_B)).toBe("requested_changed");
		expect(reviewStanding(review("approved"), HASH_A)).toBe("approved");
		expect(reviewStanding(review("approved"), HASH_B)).toBe("approval_stale");
		expect(reviewStanding(review("changes_requested"), HASH_B)).toBe("changes_requested");
		// The draft is not loaded yet: no claim that it changed.
		expect(reviewStanding(review("approved"), null)).toBe("approved");
	});
});

describe("decide with approval rules", () => {
	it("refuses markReplied without approval and accepts it for the approved text", () => {
		const high = ownedBy("dana", { priority: "high" });
		const refused = decide(replied(HASH_A), context(dana, high, rules));
		expect(refused).toMatchObject({ ok: false, code: "invalid_transition" });
		if (!refused.ok) expect(refused.message).toContain("high priority");

		const approved = { ...high, status: "approved" as const, review: review("approved") };
		expect(decide(replied(HASH_B), context(dana, approved, rules))).toMatchObject({
			ok: false,
			code: "stale_hash",
		});
		expect(decide(replied(HASH_A), context(dana, approved, rules))).toMatchObject({
			ok: true,
			work: { status: "replied" },
		});
	});

	it("asks nothing extra without rules (the default) or when no rule matches", () => {
		const high = ownedBy("dana", { priority: "high" });
		expect(decide(replied(), context(dana, high)).ok).toBe(true);
		expect(decide(replied(), context(dana, ownedBy("dana"), rules)).ok).toBe(true);
		expect(decide(replied(), context(newbie, ownedBy("newbie"), rules))).toMatchObject({
			ok: false,
			code: "invalid_transition",
		});
	});

	it("takes a changed text back to review from approved", () => {
		const approved = ownedBy("dana", { status: "approved", review: review("approved") });
		const again = decide(
			{ name: "submitForReview", args: { mentionId: "m1", hash: HASH_B } },
			context(dana, approved, rules),
		);
		expect(again).toMatchObject({
			ok: true,
			work: { status: "in_review", review: { state: "requested", hash: HASH_B } },
		});
	});
});

describe("approval that cannot be walked around", () => {
	/** Run commands one after another on one mention, as the server would store them. */
	function sequence(start: Mention, steps: [Member, Command][]): Decision[] {
		let mention = start;
		return steps.map(([actor, command]) => {
			const decision = decide(command, context(actor, mention, rules));
			if (decision.ok) mention = { ...mention, ...decision.work };
			return decision;
		});
	}
	const setPriority = (priority: Mention["priority"]): Command => ({
		name: "setPriority",
		args: { mentionId: "m1", priority },
	});
	const tag = (add: string[], remove: string[]): Command => ({
		name: "tag",
		args: { mentionId: "m1", add, remove },
	});

	it("keeps needing approval after the owner lowers the priority", () => {
		const [lowered, reply] = sequence(ownedBy("dana", { priority: "high" }), [
			[dana, setPriority("low")],
			[dana, replied(HASH_A)],
		]);
		expect(lowered).toMatchObject({ ok: true, work: { priority: "low", approvalRequired: true } });
		expect(reply).toMatchObject({ ok: false, code: "invalid_transition" });
		if (reply && !reply.ok) expect(reply.message).toContain("matched it earlier");
	});

	it("keeps needing approval after the tag is removed, or the new member hands it on", () => {
		const [untagged, reply] = sequence(ownedBy("dana", { tags: ["legal"] }), [
			[dana, tag([], ["legal"])],
			[dana, replied(HASH_A)],
		]);
		expect(untagged).toMatchObject({ ok: true, work: { tags: [], approvalRequired: true } });
		expect(reply).toMatchObject({ ok: false, code: "invalid_transition" });

		const [handedOn, fromDana] = sequence(ownedBy("newbie"), [
			[newbie, { name: "handoff", args: { mentionId: "m1", to: "dana" } }],
			[dana, replied(HASH_A)],
		]);
		expect(handedOn).toMatchObject({ ok: true, work: { owner: { memberId: "dana" } } });
		expect(fromDana).toMatchObject({ ok: false, code: "invalid_transition" });
	});

	it("lets the reply through once a moderator approved exactly the text sent", () => {
		const decisions = sequence(ownedBy("dana", { tags: ["legal"] }), [
			[dana, tag([], ["legal"])],
			[dana, { name: "submitForReview", args: { mentionId: "m1", hash: HASH_A } }],
			[mo, { name: "approve", args: { mentionId: "m1", hash: HASH_A } }],
			[dana, replied(HASH_B)],
			[dana, replied(HASH_A)],
		]);
		expect(decisions.map((d) => (d.ok ? "ok" : d.code))).toEqual([
			"ok",
			"ok",
			"ok",
			"stale_hash",
			"ok",
		]);
	});

	it("lets only the owner or a moderator change an owned conversation's tags and priority", () => {
		const owned = ownedBy("dana", { tags: ["legal"] });
		expect(decide(tag([], ["legal"]), context(newbie, owned, rules))).toMatchObject({
			ok: false,
			code: "not_owner",
		});
		expect(decide(setPriority("low"), context(newbie, owned, rules))).toMatchObject({
			ok: false,
			code: "not_owner",
		});
		expect(decide(tag(["press"], []), context(mo, owned, rules)).ok).toBe(true);
		// Nobody owns it yet: anyone sorts it, as before.
		const unowned = makeMention({ id: "m1", tags: ["billing"] });
		expect(decide(tag(["outage"], []), context(newbie, unowned, rules)).ok).toBe(true);
	});
});

describe("the reply's link", () => {
	it("is recorded only when it is an http(s) URL", () => {
		for (const url of ["javascript:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"]) {
			const decision = decide(
				{ name: "markReplied", args: { mentionId: "m1", url } },
				context(dana, ownedBy("dana")),
			);
			expect(decision, url).toMatchObject({ ok: false, code: "invalid" });
		}
		expect(decide(replied(), context(dana, ownedBy("dana"))).ok).toBe(true);
	});
});

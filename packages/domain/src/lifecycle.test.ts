import fc from "fast-check";
import { equalityDeep } from "lib0/function";
import { describe, expect, it } from "vitest";
import { approvalReasons } from "./approval.ts";
import { draftHash } from "./draft-doc.ts";
import {
	bulkItems,
	ClaimPool,
	type Decision,
	type DecisionContext,
	decide,
	REOPENABLE,
	rankForMember,
	targetMentionId,
} from "./lifecycle.ts";
import {
	type Activity,
	type ApprovalRules,
	countsAgainstCapacity,
	DEFAULT_BOARD_SETTINGS,
	DONE_STATUSES,
	type Member,
	type Mention,
	Priorities,
	Roles,
	replyLimitFor,
	Statuses,
} from "./model.ts";
import {
	type BulkItem,
	COMMAND_NAMES,
	type Command,
	type CommandName,
	encodeCommand,
	parseClientMessage,
	type RejectCode,
	RejectCodes,
} from "./protocol.ts";
import { at, makeMember, makeMention } from "./test-fixtures.ts";

const dana = makeMember({ id: "dana", name: "Dana", capacity: 2, languages: ["en"] });
const eli = makeMember({ id: "eli", name: "Eli", capacity: 1 });
const mo = makeMember({ id: "mo", name: "Mo", role: "moderator" });
const ada = makeMember({ id: "ada", name: "Ada", role: "admin" });
const gone = makeMember({ id: "gone", name: "Gone", active: false });
const MEMBERS = new Map([dana, eli, mo, ada, gone].map((member) => [member.id, member]));

const NOW = at(60);
const TEXT_A = "Thanks for the report, we are on it.";
const TEXT_B = "Thanks for the report, we are on it!";
const HASH_A = draftHash(TEXT_A);
const HASH_B = draftHash(TEXT_B);

/** A decision context over one mention; `owned` overrides open-owned counts. */
function context(
	actor: Member,
	mention: Mention | null,
	owned: Record<string, number> = {},
): DecisionContext {
	return {
		actor,
		now: NOW,
		mention,
		member: (id) => MEMBERS.get(id),
		openOwnedCount: (memberId) =>
			owned[memberId] ??
			(mention?.owner?.memberId === memberId && countsAgainstCapacity(mention.status) ? 1 : 0),
	};
}

function run(
	actor: Member,
	command: Command,
	mention: Mention | null,
	owned?: Record<string, number>,
): Decision {
	return decide(command, context(actor, mention, owned));
}

function accepted(decision: Decision) {
	if (!decision.ok)
		throw new Error(`expected acceptance, got ${decision.code}: ${decision.message}`);
	return decision;
}

function rejected(decision: Decision, code: RejectCode): string {
	if (decision.ok) throw new Error(`expected ${code}, the command was accepted`);
	expect(decision.code).toBe(code);
	return decision.message;
}

const fresh = makeMention({ id: "m1" });
const ownedBy = (memberId: string, overrides: Partial<Mention> = {}) =>
	makeMention({
		id: "m1",
		status: "drafting",
		owner: { memberId, since: at(10) },
		...overrides,
	});

describe("decide", () => {
	describe("claim", () => {
		it("gives a new conversation to the claimer and records the transition", () => {
			const decision = accepted(run(dana, { name: "claim", args: { mentionId: "m1" } }, fresh));
			expect(decision.mentionId).toBe("m1");
			expect(decision.work).toMatchObject({
				status: "claimed",
				owner: { memberId: "dana", since: NOW },
				updatedAt: NOW,
			});
			expect(decision.activity).toEqual({
				action: "claim",
				fromStatus: "new",
				toStatus: "claimed",
				detail: {},
			});
		});

		it("names the owner when someone else already claimed it", () => {
			const message = rejected(
				run(eli, { name: "claim", args: { mentionId: "m1" } }, ownedBy("dana")),
				"already_claimed",
			);
			expect(message).toBe("Already claimed by Dana.");
			expect(
				rejected(
					run(dana, { name: "claim", args: { mentionId: "m1" } }, ownedBy("dana")),
					"already_claimed",
				),
			).toMatch(/You already own/);
		});

		it("refuses a member at capacity", () => {
			const message = rejected(
				run(dana, { name: "claim", args: { mentionId: "m1" } }, fresh, { dana: 2 }),
				"capacity_reached",
			);
			expect(message).toMatch(/You already hold 2 open conversations/);
			accepted(run(dana, { name: "claim", args: { mentionId: "m1" } }, fresh, { dana: 1 }));
			// An admin lowered her capacity below what she holds: both numbers, each right.
			const lowered = { ...dana, capacity: 0 };
			expect(
				rejected(
					run(lowered, { name: "claim", args: { mentionId: "m1" } }, fresh, { dana: 1 }),
					"capacity_reached",
				),
			).toBe("You hold 1 open conversation and your capacity is 0. Release or finish one first.");
		});

		it("keeps an escalated conversation escalated, and wakes a snooze that has ended", () => {
			const escalated = makeMention({ id: "m1", status: "escalated" });
			expect(
				accepted(run(dana, { name: "claim", args: { mentionId: "m1" } }, escalated)).work.status,
			).toBe("escalated");
			const sleeping = makeMention({ id: "m1", status: "snoozed", snoozedUntil: at(120) });
			rejected(
				run(dana, { name: "claim", args: { mentionId: "m1" } }, sleeping),
				"invalid_transition",
			);
			const awake = makeMention({ id: "m1", status: "snoozed", snoozedUntil: at(30) });
			expect(
				accepted(run(dana, { name: "claim", args: { mentionId: "m1" } }, awake)).work,
			).toMatchObject({ status: "claimed", snoozedUntil: null });
		});

		it("claimNext names what it claimed, or says there is nothing", () => {
			const decision = accepted(run(dana, { name: "claimNext", args: {} }, fresh));
			expect(decision.result).toEqual({ mentionId: "m1" });
			rejected(run(dana, { name: "claimNext", args: {} }, null), "nothing_to_claim");
		});
	});

	it("ranks claimable conversations by priority, skills, then age, in the member's languages", () => {
		const member = makeMember({ id: "x", skills: ["billing"], languages: ["en"] });
		const candidates = [
			makeMention({ id: "old-normal", postedAt: at(1) }),
			makeMention({ id: "new-normal-billing", postedAt: at(5), tags: ["billing"] }),
			makeMention({ id: "high", postedAt: at(9), priority: "high" }),
			makeMention({ id: "german", priority: "high", language: "de" }),
			makeMention({ id: "owned", priority: "high", owner: { memberId: "y", since: at(0) } }),
			makeMention({ id: "newer-normal", postedAt: at(7) }),
		];
		expect(rankForMember(candidates, member, NOW).map((m) => m.id)).toEqual([
			"high",
			"new-normal-billing",
			"old-normal",
			"newer-normal",
		]);
	});

	it("gives each claim of a batch the first of the ranking over what is left (ClaimPool)", () => {
		const skillSets = [[], ["billing"], ["billing", "refunds"]];
		const languageSets = [[], ["en"], ["de"]];
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						priority: fc.constantFrom(...Priorities),
						postedAt: fc.integer({ min: 0, max: 5 }).map(at),
						tag: fc.constantFrom(null, "billing", "refunds"),
						language: fc.constantFrom(null, "en", "de"),
						owned: fc.boolean(),
						// Snoozed until before or after the claims' time.
						snoozedUntil: fc.constantFrom(null, 0, 2),
					}),
					{ maxLength: 16 },
				),
				fc.array(
					fc.record({
						skills: fc.integer({ min: 0, max: 2 }),
						languages: fc.integer({ min: 0, max: 2 }),
						takes: fc.boolean(),
					}),
					{ maxLength: 12 },
				),
				(shapes, claims) => {
					const candidates = shapes.map((shape, i) =>
						makeMention({
							id: `m${(i * 7) % 13}-${i}`,
							priority: shape.priority,
							postedAt: shape.postedAt,
							tags: shape.tag ? [shape.tag] : [],
							language: shape.language,
							owner: shape.owned ? { memberId: "y", since: at(0) } : null,
							...(shape.snoozedUntil === null
								? {}
								: { status: "snoozed" as const, snoozedUntil: at(shape.snoozedUntil) }),
						}),
					);
					const pool = new ClaimPool(candidates);
					const taken = new Set<string>();
					for (const [i, claim] of claims.entries()) {
						const member = makeMember({
							id: `x${i}`,
							skills: skillSets[claim.skills] as string[],
							languages: languageSets[claim.languages] as string[],
						});
						const left = candidates.filter((m) => !taken.has(m.id));
						const best = pool.best(member, at(1));
						expect(best).toBe(rankForMember(left, member, at(1))[0] ?? null);
						if (best && claim.takes) {
							pool.take(best.id);
							taken.add(best.id);
						}
					}
				},
			),
		);
	});

	it("release puts an open conversation back, but not a replied one", () => {
		const decision = accepted(
			run(dana, { name: "release", args: { mentionId: "m1" } }, ownedBy("dana")),
		);
		expect(decision.work).toMatchObject({ status: "new", owner: null });
		expect(decision.activity.detail).toEqual({ previousOwner: "dana" });
		rejected(
			run(eli, { name: "release", args: { mentionId: "m1" } }, ownedBy("dana")),
			"not_owner",
		);
		const replied = ownedBy("dana", { status: "replied" });
		rejected(
			run(dana, { name: "release", args: { mentionId: "m1" } }, replied),
			"invalid_transition",
		);
		rejected(
			run(mo, { name: "unassign", args: { mentionId: "m1" } }, replied),
			"invalid_transition",
		);
	});

	describe("handoff", () => {
		it("passes the conversation to a teammate with room", () => {
			const decision = accepted(
				run(dana, { name: "handoff", args: { mentionId: "m1", to: "eli" } }, ownedBy("dana")),
			);
			expect(decision.work.owner).toEqual({ memberId: "eli", since: NOW });
			expect(decision.work.status).toBe("drafting");
			expect(decision.activity.detail).toEqual({ from: "dana", to: "eli" });
		});

		it("refuses a teammate at capacity, an unknown or inactive one, and a non-owner", () => {
			expect(
				rejected(
					run(dana, { name: "handoff", args: { mentionId: "m1", to: "eli" } }, ownedBy("dana"), {
						eli: 1,
					}),
					"capacity_reached",
				),
			).toBe("Eli already holds 1 open conversation, their capacity.");
			const refusal = (to: string) =>
				rejected(
					run(dana, { name: "handoff", args: { mentionId: "m1", to } }, ownedBy("dana")),
					"not_found",
				);
			expect(refusal("nobody")).toBe("That member is not in your organisation.");
			// Deactivated, yet still listed on a board until it reloads: said so, by name.
			expect(refusal("gone")).toBe(
				"Gone was deactivated and can no longer take conversations: choose someone else.",
			);
			expect(
				rejected(
					run(eli, { name: "handoff", args: { mentionId: "m1", to: "eli" } }, ownedBy("dana")),
					"not_owner",
				),
			).toMatch(/^Dana owns this conversation/);
			// A moderator may hand off someone else's conversation.
			accepted(run(mo, { name: "handoff", args: { mentionId: "m1", to: "eli" } }, ownedBy("dana")));
		});
	});

	describe("assign and unassign", () => {
		it("are for moderators and admins only", () => {
			expect(
				rejected(
					run(dana, { name: "assign", args: { mentionId: "m1", memberId: "eli" } }, fresh),
					"forbidden",
				),
			).toBe("Only moderators and admins may assign.");
			rejected(
				run(dana, { name: "unassign", args: { mentionId: "m1" } }, ownedBy("eli")),
				"forbidden",
			);
		});

		it("assign gives a conversation to a member with room, unassign takes it back", () => {
			const assigned = accepted(
				run(mo, { name: "assign", args: { mentionId: "m1", memberId: "eli" } }, fresh),
			);
			expect(assigned.work).toMatchObject({ status: "claimed", owner: { memberId: "eli" } });
			const reassigned = accepted(
				run(ada, { name: "assign", args: { mentionId: "m1", memberId: "dana" } }, ownedBy("eli")),
			);
			expect(reassigned.work).toMatchObject({ status: "drafting", owner: { memberId: "dana" } });
			rejected(
				run(mo, { name: "assign", args: { mentionId: "m1", memberId: "eli" } }, fresh, { eli: 1 }),
				"capacity_reached",
			);
			rejected(
				run(mo, { name: "assign", args: { mentionId: "m1", memberId: "eli" } }, ownedBy("eli")),
				"already_claimed",
			);
			const unassigned = accepted(
				run(mo, { name: "unassign", args: { mentionId: "m1" } }, ownedBy("eli")),
			);
			expect(unassigned.work).toMatchObject({ status: "new", owner: null });
			rejected(run(mo, { name: "unassign", args: { mentionId: "m1" } }, fresh), "not_owner");
		});
	});

	describe("review", () => {
		const inReview = ownedBy("dana", {
			status: "in_review",
			review: { state: "requested", hash: HASH_A, by: "dana", at: at(20), comment: null },
		});

		it("the owner submits a draft snapshot by hash", () => {
			const decision = accepted(
				run(
					dana,
					{ name: "submitForReview", args: { mentionId: "m1", hash: HASH_A } },
					ownedBy("dana"),
				),
			);
			expect(decision.work.status).toBe("in_review");
			expect(decision.work.review).toEqual({
				state: "requested",
				hash: HASH_A,
				by: "dana",
				at: NOW,
				comment: null,
			});
			rejected(
				run(
					eli,
					{ name: "submitForReview", args: { mentionId: "m1", hash: HASH_A } },
					ownedBy("dana"),
				),
				"not_owner",
			);
			expect(
				rejected(
					run(dana, { name: "submitForReview", args: { mentionId: "m1", hash: HASH_A } }, inReview),
					"invalid_transition",
				),
			).toBe("This text is already waiting for review.");
		});

		it("the owner submits a text changed while in review in place of the one submitted", () => {
			const decision = accepted(
				run(dana, { name: "submitForReview", args: { mentionId: "m1", hash: HASH_B } }, inReview),
			);
			expect(decision.work.status).toBe("in_review");
			expect(decision.work.review).toMatchObject({ state: "requested", hash: HASH_B, by: "dana" });
			rejected(
				run(eli, { name: "submitForReview", args: { mentionId: "m1", hash: HASH_B } }, inReview),
				"not_owner",
			);
		});

		it("a moderator approves the submitted snapshot, not a changed one", () => {
			expect(
				rejected(
					run(mo, { name: "approve", args: { mentionId: "m1", hash: HASH_B } }, inReview),
					"stale_hash",
				),
			).toMatch(/draft changed/);
			const decision = accepted(
				run(mo, { name: "approve", args: { mentionId: "m1", hash: HASH_A } }, inReview),
			);
			expect(decision.work.status).toBe("approved");
			expect(decision.work.review).toMatchObject({ state: "approved", hash: HASH_A, by: "mo" });
			rejected(
				run(dana, { name: "approve", args: { mentionId: "m1", hash: HASH_A } }, inReview),
				"forbidden",
			);
			rejected(
				run(mo, { name: "approve", args: { mentionId: "m1", hash: HASH_A } }, ownedBy("dana")),
				"invalid_transition",
			);
		});

		it("requestChanges sends the draft back with a comment", () => {
			const decision = accepted(
				run(
					mo,
					{
						name: "requestChanges",
						args: { mentionId: "m1", comment: "Add the status page link." },
					},
					inReview,
				),
			);
			expect(decision.work.status).toBe("drafting");
			expect(decision.work.review).toEqual({
				state: "changes_requested",
				hash: HASH_A,
				by: "mo",
				at: NOW,
				comment: "Add the status page link.",
			});
			rejected(
				run(dana, { name: "requestChanges", args: { mentionId: "m1", comment: "x" } }, inReview),
				"forbidden",
			);
		});

		it("a text submitted again keeps the changes asked for, until an approval settles them", () => {
			const asked = {
				by: "mo",
				at: at(30),
				comment: "Add the status page link.",
			};
			const sentBack = ownedBy("dana", {
				status: "drafting",
				review: { state: "changes_requested", hash: HASH_A, ...asked },
			});
			const submit = (hash: string, mention: Mention) =>
				accepted(run(dana, { name: "submitForReview", args: { mentionId: "m1", hash } }, mention));
			const again = submit(HASH_B, sentBack);
			expect(again.work.review).toEqual({
				state: "requested",
				hash: HASH_B,
				by: "dana",
				at: NOW,
				comment: null,
				changesAsked: asked,
			});
			// Changed once more while waiting: the newest text answers the same request.
			const resubmitted = { ...sentBack, ...again.work };
			expect(submit(HASH_A, resubmitted).work.review?.changesAsked).toEqual(asked);
			const approved = accepted(
				run(mo, { name: "approve", args: { mentionId: "m1", hash: HASH_B } }, resubmitted),
			);
			expect(approved.work.review?.changesAsked).toBeUndefined();
			expect(
				submit(HASH_A, { ...resubmitted, ...approved.work }).work.review?.changesAsked,
			).toBeUndefined();
			// A first submission has none.
			expect(submit(HASH_A, ownedBy("dana")).work.review).not.toHaveProperty("changesAsked");
		});
	});

	it("markReplied records the reply from an open state other than in review", () => {
		const url = "https://social.example/@org/1";
		const decision = accepted(
			run(
				dana,
				{ name: "markReplied", args: { mentionId: "m1", url, hash: HASH_A } },
				ownedBy("dana", { status: "approved" }),
			),
		);
		expect(decision.work.status).toBe("replied");
		expect(decision.work.reply).toEqual({ url, hash: HASH_A, by: "dana", sentAt: NOW });
		rejected(
			run(
				dana,
				{ name: "markReplied", args: { mentionId: "m1", url } },
				ownedBy("dana", { status: "in_review" }),
			),
			"invalid_transition",
		);
		rejected(
			run(eli, { name: "markReplied", args: { mentionId: "m1", url } }, ownedBy("dana")),
			"not_owner",
		);
		rejected(
			run(dana, { name: "markReplied", args: { mentionId: "m1", url } }, fresh),
			"not_owner",
		);
	});

	it("markReplied takes a Bluesky or Twitter reply only at a link on that network", () => {
		const reply = (network: Mention["network"], url: string) =>
			run(
				dana,
				{ name: "markReplied", args: { mentionId: "m1", url } },
				ownedBy("dana", { network }),
			);
		expect(rejected(reply("bluesky", "https://social.example/@acme/1"), "invalid")).toBe(
			"This is a Bluesky conversation: the reply's link must be on bsky.app, not social.example. Copy it from the reply you posted on Bluesky.",
		);
		expect(rejected(reply("twitter", "https://bsky.app/profile/acme/post/1"), "invalid")).toBe(
			"This is a Twitter conversation: the reply's link must be on twitter.com or x.com, not bsky.app. Copy it from the reply you posted on Twitter.",
		);
		// A look-alike host is not the network's.
		rejected(reply("twitter", "https://nottwitter.com/acme/status/1"), "invalid");
		accepted(reply("bluesky", "https://bsky.app/profile/acme.test/post/3k2a"));
		accepted(reply("twitter", "https://x.com/acme/status/1"));
		accepted(reply("twitter", "https://mobile.twitter.com/acme/status/1"));
		// Federated or open networks: the reply may be on any host.
		accepted(reply("mastodon", "https://other.example/@acme/1"));
		accepted(reply("rss", "https://blog.example/replies/1"));
	});

	it("dismiss closes a conversation and frees its owner", () => {
		const decision = accepted(
			run(dana, { name: "dismiss", args: { mentionId: "m1", reason: "spam" } }, ownedBy("dana")),
		);
		expect(decision.work).toMatchObject({ status: "dismissed", owner: null });
		expect(decision.activity.detail).toEqual({ reason: "spam", previousOwner: "dana" });
		accepted(run(eli, { name: "dismiss", args: { mentionId: "m1" } }, fresh));
		rejected(
			run(eli, { name: "dismiss", args: { mentionId: "m1" } }, ownedBy("dana")),
			"not_owner",
		);
		rejected(
			run(
				dana,
				{ name: "dismiss", args: { mentionId: "m1" } },
				ownedBy("dana", { status: "replied" }),
			),
			"invalid_transition",
		);
	});

	it("snooze needs a future time and releases the conversation", () => {
		rejected(
			run(dana, { name: "snooze", args: { mentionId: "m1", until: at(59) } }, fresh),
			"invalid",
		);
		const decision = accepted(
			run(dana, { name: "snooze", args: { mentionId: "m1", until: at(180) } }, ownedBy("dana")),
		);
		expect(decision.work).toMatchObject({ status: "snoozed", owner: null, snoozedUntil: at(180) });
		rejected(
			run(
				dana,
				{ name: "snooze", args: { mentionId: "m1", until: at(180) } },
				makeMention({ id: "m1", status: "dismissed" }),
			),
			"invalid_transition",
		);
	});

	it("escalate marks a conversation once and keeps its owner", () => {
		const decision = accepted(
			run(dana, { name: "escalate", args: { mentionId: "m1" } }, ownedBy("dana")),
		);
		expect(decision.work).toMatchObject({ status: "escalated", owner: { memberId: "dana" } });
		accepted(run(eli, { name: "escalate", args: { mentionId: "m1", reason: "legal" } }, fresh));
		rejected(
			run(
				dana,
				{ name: "escalate", args: { mentionId: "m1" } },
				makeMention({ id: "m1", status: "escalated" }),
			),
			"invalid_transition",
		);
		rejected(
			run(eli, { name: "escalate", args: { mentionId: "m1" } }, ownedBy("dana")),
			"not_owner",
		);
	});

	it("tag adds and removes tags without duplicates, up to 32", () => {
		const tagged = makeMention({ id: "m1", tags: ["billing", "outage"] });
		const decision = accepted(
			run(
				eli,
				{ name: "tag", args: { mentionId: "m1", add: ["vip", "billing"], remove: ["outage"] } },
				tagged,
			),
		);
		expect(decision.work.tags).toEqual(["billing", "vip"]);
		expect(tagged.tags).toEqual(["billing", "outage"]);
		const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
		const crowded = makeMention({ id: "m1", tags: Array.from({ length: 20 }, (_, i) => `u${i}`) });
		rejected(
			run(eli, { name: "tag", args: { mentionId: "m1", add: many, remove: [] } }, crowded),
			"invalid",
		);
	});

	it("setPriority changes the priority once", () => {
		const decision = accepted(
			run(dana, { name: "setPriority", args: { mentionId: "m1", priority: "high" } }, fresh),
		);
		expect(decision.work.priority).toBe("high");
		expect(decision.activity.detail).toEqual({ from: "normal", to: "high" });
		rejected(
			run(dana, { name: "setPriority", args: { mentionId: "m1", priority: "normal" } }, fresh),
			"invalid_transition",
		);
		rejected(
			run(
				eli,
				{ name: "setPriority", args: { mentionId: "m1", priority: "low" } },
				ownedBy("dana"),
			),
			"not_owner",
		);
	});

	describe("the reply text under review (version 3)", () => {
		const inReview = ownedBy("dana", {
			status: "in_review",
			review: { state: "requested", hash: HASH_A, by: "dana", at: at(20), comment: null },
		});
		const mastodonLimit = DEFAULT_BOARD_SETTINGS.replyLimits.mastodon;
		const long = "a".repeat(mastodonLimit + 36);

		it("refuses to submit or approve an empty text or one over the network's limit", () => {
			for (const [text, code] of [
				["", "text_empty"],
				["  \n ", "text_empty"],
				[long, "text_too_long"],
			] as const) {
				const hash = draftHash(text);
				const message = rejected(
					run(
						dana,
						{ name: "submitForReview", args: { mentionId: "m1", hash, text } },
						ownedBy("dana"),
					),
					code,
				);
				if (code === "text_too_long") {
					expect(message).toBe(
						`The reply is ${mastodonLimit + 36} characters, 36 over the limit of ${mastodonLimit} on Mastodon; shorten it first.`,
					);
				}
				const submitted = ownedBy("dana", {
					status: "in_review",
					review: { state: "requested", hash, by: "dana", at: at(20), comment: null },
				});
				rejected(
					run(mo, { name: "approve", args: { mentionId: "m1", hash, text } }, submitted),
					code,
				);
			}
		});

		it("counts characters as people do, against the board's own limits", () => {
			const emoji = "👋".repeat(mastodonLimit);
			accepted(
				run(
					dana,
					{
						name: "submitForReview",
						args: { mentionId: "m1", hash: draftHash(emoji), text: emoji },
					},
					ownedBy("dana"),
				),
			);
			const tight = { ...DEFAULT_BOARD_SETTINGS.replyLimits, mastodon: 10 };
			const decision = decide(
				{ name: "submitForReview", args: { mentionId: "m1", hash: HASH_A, text: TEXT_A } },
				{ ...context(dana, ownedBy("dana")), replyLimits: tight },
			);
			expect(decision).toMatchObject({ ok: false, code: "text_too_long" });
		});

		it("holds a reply to the longest post its network takes, whatever the board's limit", () => {
			// A board limit stored before the maximum was known, or by hand.
			const loose = { ...DEFAULT_BOARD_SETTINGS.replyLimits, bluesky: 5_000 };
			const text = "a".repeat(301);
			const decision = decide(
				{ name: "submitForReview", args: { mentionId: "m1", hash: draftHash(text), text } },
				{ ...context(dana, ownedBy("dana", { network: "bluesky" })), replyLimits: loose },
			);
			expect(decision).toMatchObject({
				ok: false,
				code: "text_too_long",
				message:
					"The reply is 301 characters, 1 over the limit of 300 on Bluesky; shorten it first.",
			});
			expect(replyLimitFor(loose, "bluesky")).toBe(300);
			expect(replyLimitFor(loose, "mastodon")).toBe(loose.mastodon);
		});

		it("refuses a text that is not the one its hash names", () => {
			rejected(
				run(
					mo,
					{ name: "approve", args: { mentionId: "m1", hash: HASH_A, text: TEXT_B } },
					inReview,
				),
				"invalid",
			);
			accepted(
				run(
					mo,
					{ name: "approve", args: { mentionId: "m1", hash: HASH_A, text: TEXT_A } },
					inReview,
				),
			);
		});
	});

	describe("close and reopen (version 3)", () => {
		it("close finishes a conversation, keeps its owner on record and frees their capacity", () => {
			const decision = accepted(
				run(
					dana,
					{ name: "close", args: { mentionId: "m1", reason: "Answered by DM" } },
					ownedBy("dana", { status: "replied" }),
				),
			);
			expect(decision.work).toMatchObject({ status: "closed", owner: { memberId: "dana" } });
			expect(countsAgainstCapacity(decision.work.status)).toBe(false);
			expect(decision.activity).toMatchObject({
				fromStatus: "replied",
				toStatus: "closed",
				detail: { reason: "Answered by DM" },
			});
			accepted(run(eli, { name: "close", args: { mentionId: "m1" } }, fresh));
			accepted(run(mo, { name: "close", args: { mentionId: "m1" } }, ownedBy("dana")));
			rejected(
				run(eli, { name: "close", args: { mentionId: "m1" } }, ownedBy("dana")),
				"not_owner",
			);
			for (const status of ["closed", "dismissed"] as const) {
				rejected(
					run(mo, { name: "close", args: { mentionId: "m1" } }, makeMention({ id: "m1", status })),
					"invalid_transition",
				);
			}
		});

		it("reopen gives a finished conversation back to its owner, or to the board", () => {
			const closed = ownedBy("dana", {
				status: "closed",
				review: { state: "approved", hash: HASH_A, by: "mo", at: at(30), comment: null },
			});
			const back = accepted(run(dana, { name: "reopen", args: { mentionId: "m1" } }, closed));
			expect(back.work).toMatchObject({
				status: "claimed",
				owner: { memberId: "dana" },
				review: null,
			});
			// An owner who left: to the board, unowned.
			const orphan = makeMention({
				id: "m1",
				status: "replied",
				owner: { memberId: "gone", since: at(0) },
			});
			const released = accepted(run(mo, { name: "reopen", args: { mentionId: "m1" } }, orphan));
			expect(released.work).toMatchObject({ status: "new", owner: null });
			for (const status of ["dismissed", "snoozed"] as const) {
				const woken = accepted(
					run(
						eli,
						{ name: "reopen", args: { mentionId: "m1" } },
						makeMention({ id: "m1", status, snoozedUntil: status === "snoozed" ? at(600) : null }),
					),
				);
				expect(woken.work).toMatchObject({ status: "new", owner: null, snoozedUntil: null });
			}
		});

		it("reopen refuses an open conversation, a stranger, and an owner at capacity", () => {
			for (const status of Statuses.filter((s) => !REOPENABLE.includes(s))) {
				rejected(
					run(mo, { name: "reopen", args: { mentionId: "m1" } }, makeMention({ id: "m1", status })),
					"invalid_transition",
				);
			}
			const closed = ownedBy("eli", { status: "closed" });
			rejected(run(dana, { name: "reopen", args: { mentionId: "m1" } }, closed), "not_owner");
			expect(
				rejected(
					run(mo, { name: "reopen", args: { mentionId: "m1" } }, closed, { eli: 1 }),
					"capacity_reached",
				),
			).toMatch(/^Eli already holds 1 open conversation, their capacity/);
		});

		it("a bulk command is never decided as one", () => {
			const bulk: Command = {
				name: "bulk",
				args: { items: [{ name: "close", args: { mentionId: "m1" } }] },
			};
			rejected(run(mo, bulk, fresh), "invalid");
			expect(bulkItems(bulk)).toEqual([{ name: "close", args: { mentionId: "m1" } }]);
			expect(targetMentionId(bulk)).toBeNull();
		});
	});

	it("refuses inactive members and unknown conversations", () => {
		expect(
			rejected(run(gone, { name: "claim", args: { mentionId: "m1" } }, fresh), "forbidden"),
		).toBe("Your membership is not active.");
		rejected(run(dana, { name: "claim", args: { mentionId: "m1" } }, null), "not_found");
	});
});

// The property test: random members, random command sequences, a tiny executor.

interface World {
	members: Map<string, Member>;
	mentions: Map<string, Mention>;
	activity: Activity[];
}

/** The value type of an arbitrary. */
type Spec<A> = A extends fc.Arbitrary<infer T> ? T : never;

const MENTION_IDS = Array.from({ length: 20 }, (_, i) => `m${i}`);
const MEMBER_IDS = Array.from({ length: 8 }, (_, i) => `p${i}`);
const STEP_MINUTES = 5;

/** What the server does with one command: load, decide, store, log. */
function execute(
	world: World,
	actorId: string,
	command: Command,
	now: string,
	approval?: ApprovalRules,
) {
	const actor = world.members.get(actorId) as Member;
	const targetId = targetMentionId(command);
	const mention =
		targetId === null
			? (rankForMember([...world.mentions.values()], actor, now)[0] ?? null)
			: (world.mentions.get(targetId) ?? null);
	const openOwnedCount = (memberId: string) => {
		let count = 0;
		for (const m of world.mentions.values()) {
			if (m.owner?.memberId === memberId && countsAgainstCapacity(m.status)) count++;
		}
		return count;
	};
	const decision = decide(command, {
		actor,
		now,
		mention,
		member: (id) => world.members.get(id),
		openOwnedCount,
		...(approval ? { approval } : {}),
	});
	if (decision.ok && mention) {
		world.mentions.set(decision.mentionId, { ...mention, ...decision.work });
		world.activity.push({
			id: `a${world.activity.length}`,
			orgId: "org",
			mentionId: decision.mentionId,
			actorId,
			action: decision.activity.action,
			commandId: null,
			fromStatus: decision.activity.fromStatus,
			toStatus: decision.activity.toStatus,
			detail: decision.activity.detail,
			at: now,
		});
	}
	return { decision, mention };
}

/** Fails with `message`; the hot loop checks cheaply and explains only on failure. */
function check(condition: boolean, message: () => string): void {
	if (!condition) throw new Error(message());
}

const mentionId = fc.oneof(
	{ weight: 8, arbitrary: fc.constantFrom(...MENTION_IDS) },
	{ weight: 1, arbitrary: fc.constant("missing") },
);
const memberId = fc.oneof(
	{ weight: 8, arbitrary: fc.constantFrom(...MEMBER_IDS) },
	{ weight: 1, arbitrary: fc.constant("nobody") },
);
const hash = fc.constantFrom(HASH_A, HASH_B);
/** A reply text with its hash, as a version 3 client sends them. */
const reviewed = fc.constantFrom({ hash: HASH_A, text: TEXT_A }, { hash: HASH_B, text: TEXT_B });
const tags = fc.subarray(["billing", "outage", "praise", "vip"]);
const often = <T>(arbitrary: fc.Arbitrary<T>) => ({ weight: 3, arbitrary });
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => ({ weight: 1, arbitrary });

/** What the board's bulk bar sends: one action on a few conversations. */
const bulkItemArb: fc.Arbitrary<BulkItem> = fc.oneof(
	fc.record({ name: fc.constant("dismiss" as const), args: fc.record({ mentionId }) }),
	fc.record({ name: fc.constant("close" as const), args: fc.record({ mentionId }) }),
	fc.record({ name: fc.constant("reopen" as const), args: fc.record({ mentionId }) }),
	fc.record({ name: fc.constant("claim" as const), args: fc.record({ mentionId }) }),
	fc.record({
		name: fc.constant("snooze" as const),
		args: fc.record({ mentionId, until: fc.integer({ min: 0, max: 1100 }).map(at) }),
	}),
	fc.record({
		name: fc.constant("setPriority" as const),
		args: fc.record({ mentionId, priority: fc.constantFrom(...Priorities) }),
	}),
);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
	often(fc.record({ name: fc.constant("claim" as const), args: fc.record({ mentionId }) })),
	sometimes(fc.record({ name: fc.constant("claimNext" as const), args: fc.constant({}) })),
	sometimes(fc.record({ name: fc.constant("release" as const), args: fc.record({ mentionId }) })),
	sometimes(
		fc.record({
			name: fc.constant("handoff" as const),
			args: fc.record({ mentionId, to: memberId }),
		}),
	),
	sometimes(
		fc.record({ name: fc.constant("assign" as const), args: fc.record({ mentionId, memberId }) }),
	),
	sometimes(fc.record({ name: fc.constant("unassign" as const), args: fc.record({ mentionId }) })),
	often(
		fc.record({
			name: fc.constant("submitForReview" as const),
			args: fc.tuple(mentionId, reviewed).map(([id, text]) => ({ mentionId: id, ...text })),
		}),
	),
	often(
		fc.record({
			name: fc.constant("approve" as const),
			args: fc.tuple(mentionId, reviewed).map(([id, text]) => ({ mentionId: id, ...text })),
		}),
	),
	sometimes(
		fc.record({
			name: fc.constant("requestChanges" as const),
			args: fc.record({ mentionId, comment: fc.constant("Shorter, please.") }),
		}),
	),
	sometimes(
		fc.record({
			name: fc.constant("markReplied" as const),
			args: fc.record({ mentionId, url: fc.constant("https://social.example/@org/1") }),
		}),
	),
	sometimes(fc.record({ name: fc.constant("dismiss" as const), args: fc.record({ mentionId }) })),
	sometimes(
		fc.record({
			name: fc.constant("snooze" as const),
			// Absolute times: some already past when the command runs, some ahead.
			args: fc.record({ mentionId, until: fc.integer({ min: 0, max: 1100 }).map(at) }),
		}),
	),
	sometimes(fc.record({ name: fc.constant("escalate" as const), args: fc.record({ mentionId }) })),
	sometimes(
		fc.record({
			name: fc.constant("tag" as const),
			args: fc.record({ mentionId, add: tags, remove: tags }),
		}),
	),
	sometimes(
		fc.record({
			name: fc.constant("setPriority" as const),
			args: fc.record({ mentionId, priority: fc.constantFrom(...Priorities) }),
		}),
	),
	sometimes(fc.record({ name: fc.constant("close" as const), args: fc.record({ mentionId }) })),
	often(fc.record({ name: fc.constant("reopen" as const), args: fc.record({ mentionId }) })),
	sometimes(
		fc.record({
			name: fc.constant("bulk" as const),
			args: fc.record({ items: fc.array(bulkItemArb, { minLength: 1, maxLength: 4 }) }),
		}),
	),
);

const memberArb = fc.record({
	role: fc.constantFrom(...Roles),
	capacity: fc.integer({ min: 1, max: 4 }),
	active: fc.constantFrom(true, true, true, true, false),
	languages: fc.subarray(["en", "de", "fr"]),
	skills: fc.subarray(["billing", "outage", "praise"]),
});

const mentionArb = fc.record({
	priority: fc.constantFrom(...Priorities),
	language: fc.constantFrom("en", "de", "fr", null),
	tags: fc.subarray(["billing", "outage", "praise"]),
});

/**
 * Commands named at random rarely meet the state they need (a moderator approving the
 * one draft in review), so most steps retarget their command at run time to a
 * conversation of the kind the focus names; that is how sequences reach deep states.
 */
const Focus = ["as generated", "actor owns", "in review", "not done"] as const;
type Focus = (typeof Focus)[number];

/** Steps of `commands`, most of them by the first `busiest` members (more collisions). */
function stepsOf<C>(commands: fc.Arbitrary<C>, busiest: number) {
	return fc.record({
		actor: fc.oneof(
			{ weight: 4, arbitrary: fc.constantFrom(...MEMBER_IDS.slice(0, busiest)) },
			{ weight: 2, arbitrary: fc.constantFrom(...MEMBER_IDS) },
		),
		command: commands,
		focus: fc.constantFrom<Focus>(...Focus),
		pick: fc.nat(),
	});
}

const stepArb = stepsOf(commandArb, 2);

function retarget(world: World, step: Spec<typeof stepArb>): Command {
	const { command, focus, actor, pick } = step;
	if (command.name === "claimNext" || command.name === "bulk" || focus === "as generated")
		return command;
	const candidates = [...world.mentions.values()].filter((m) =>
		focus === "actor owns"
			? m.owner?.memberId === actor
			: focus === "in review"
				? m.status === "in_review"
				: !DONE_STATUSES.includes(m.status),
	);
	const chosen = candidates[pick % Math.max(candidates.length, 1)];
	return chosen
		? ({ ...command, args: { ...command.args, mentionId: chosen.id } } as Command)
		: command;
}

function createWorld(
	memberSpecs: Spec<typeof memberArb>[],
	mentionSpecs: Spec<typeof mentionArb>[],
): World {
	return {
		members: new Map(
			memberSpecs.map((spec, i) => {
				const id = MEMBER_IDS[i] as string;
				// The busiest actors include an active ambassador and an active moderator.
				const fixed =
					i === 0
						? { role: "ambassador" as const, active: true }
						: i === 1
							? { role: "moderator" as const, active: true }
							: {};
				return [id, makeMember({ id, name: `Member ${i}`, ...spec, ...fixed })];
			}),
		),
		mentions: new Map(
			mentionSpecs.map((spec, i) => {
				const id = MENTION_IDS[i] as string;
				return [id, makeMention({ id, postedAt: at(-i), ...spec })];
			}),
		),
		activity: [],
	};
}

function checkInvariants(world: World, step: string): void {
	const open = new Map<string, number>();
	for (const m of world.mentions.values()) {
		const owner = m.owner?.memberId;
		if (owner !== undefined) {
			// An owned conversation is open work, or a replied or closed one kept for the record.
			check(
				countsAgainstCapacity(m.status) || m.status === "replied" || m.status === "closed",
				() => `${step}: ${m.id} is ${m.status} but owned by ${owner}`,
			);
			if (countsAgainstCapacity(m.status)) open.set(owner, (open.get(owner) ?? 0) + 1);
		}
		check(
			m.status !== "in_review" || m.review?.state === "requested",
			() => `${step}: ${m.id} in review without a review request`,
		);
		check(
			m.status !== "approved" || m.review?.state === "approved",
			() => `${step}: ${m.id} approved without an approval`,
		);
		check(
			m.status !== "replied" || m.reply !== null,
			() => `${step}: ${m.id} replied without a reply`,
		);
	}
	for (const [id, count] of open) {
		const capacity = world.members.get(id)?.capacity ?? 0;
		check(
			count <= capacity,
			() => `${step}: ${id} holds ${count} open conversations, capacity ${capacity}`,
		);
	}
}

describe("lifecycle properties", () => {
	it("hold for any sequence of commands from many members", () => {
		const outcomes = new Map<CommandName, { ok: number; rejected: number }>();
		let bulkSteps = 0;
		fc.assert(
			fc.property(
				fc.array(memberArb, { minLength: 8, maxLength: 8 }),
				fc.array(mentionArb, { minLength: 20, maxLength: 20 }),
				fc.array(stepArb, { minLength: 1, maxLength: 200, size: "max" }),
				(memberSpecs, mentionSpecs, steps) => {
					const world = createWorld(memberSpecs, mentionSpecs);
					for (const [index, generated] of steps.entries()) {
						const { actor } = generated;
						const retargeted = retarget(world, generated);
						if (retargeted.name === "bulk") bulkSteps++;
						// A bulk command is its items, each decided on its own, in order.
						const commands: Command[] =
							retargeted.name === "bulk" ? bulkItems(retargeted) : [retargeted];
						for (const command of commands) {
							const now = at(index * STEP_MINUTES);
							const step = `step ${index}, ${actor} ${command.name} ${JSON.stringify(command.args)}`;
							const mentionsBefore = [...world.mentions.entries()];
							const deepBefore = structuredClone(mentionsBefore);
							const activityBefore = world.activity.length;
							const { decision, mention } = execute(world, actor, command, now);
							const outcome = outcomes.get(command.name) ?? { ok: 0, rejected: 0 };
							outcomes.set(command.name, outcome);
							// decide builds new state; it never edits what it was given.
							check(
								equalityDeep(mentionsBefore, deepBefore),
								() => `${step}: decide changed its input`,
							);
							if (decision.ok) {
								outcome.ok++;
								check(
									world.activity.length === activityBefore + 1,
									() =>
										`${step}: accepted, but ${world.activity.length - activityBefore} activity records`,
								);
								const record = world.activity.at(-1) as Activity;
								const after = world.mentions.get(decision.mentionId);
								check(
									record.actorId === actor &&
										record.mentionId === decision.mentionId &&
										record.at === now &&
										record.action === command.name &&
										record.fromStatus === mention?.status &&
										record.toStatus === after?.status,
									() => `${step}: activity ${JSON.stringify(record)} does not match`,
								);
								const target = targetMentionId(command);
								check(
									target === null || target === decision.mentionId,
									() => `${step}: wrong mention`,
								);
							} else {
								outcome.rejected++;
								check(
									decision.code in RejectCodes && decision.message.length > 0,
									() => `${step}: bad reject`,
								);
								check(
									world.activity.length === activityBefore &&
										equalityDeep([...world.mentions.entries()], deepBefore),
									() => `${step}: rejected (${decision.code}) but the state changed`,
								);
							}
							checkInvariants(world, step);
						}
					}
				},
			),
			{ numRuns: 100 },
		);
		console.info(
			`lifecycle property, accepted/rejected: ${[...outcomes].map(([name, c]) => `${name} ${c.ok}/${c.rejected}`).join(", ")}`,
		);
		// The generator reaches every command, and each is accepted at least sometimes:
		// a property over commands that are always refused would prove little.
		// Bulk commands run as their items.
		expect([...outcomes.keys()].sort()).toEqual(COMMAND_NAMES.filter((n) => n !== "bulk").sort());
		expect(bulkSteps).toBeGreaterThan(0);
		expect([...outcomes].filter(([, c]) => c.ok === 0).map(([name]) => name)).toEqual([]);
	});

	it("never record a reply to a conversation that needed approval without approval of that text", () => {
		const rules: ApprovalRules = { priorities: ["high"], tags: ["legal"], newMembers: ["p2"] };
		// The walk-arounds: lower the priority, drop the tag, hand on; and replies that name
		// a text (approved or not) as often as ones that name none.
		const approvalCommandArb = fc.oneof(
			{ weight: 4, arbitrary: commandArb },
			often(
				fc.record({
					name: fc.constant("markReplied" as const),
					args: fc.record(
						{ mentionId, url: fc.constant("https://social.example/@org/1"), hash },
						{ requiredKeys: ["mentionId", "url"] },
					),
				}),
			),
			often(
				fc.record({
					name: fc.constant("tag" as const),
					args: fc.record({
						mentionId,
						add: fc.subarray(["legal", "billing"]),
						remove: fc.subarray(["legal", "billing"]),
					}),
				}),
			),
			often(
				fc.record({
					name: fc.constant("setPriority" as const),
					args: fc.record({ mentionId, priority: fc.constantFrom(...Priorities) }),
				}),
			),
		);
		const approvalStepArb = stepsOf(approvalCommandArb, 3);
		let guardedReplies = 0;
		fc.assert(
			fc.property(
				fc.array(memberArb, { minLength: 8, maxLength: 8 }),
				fc.array(
					fc.record({
						priority: fc.constantFrom(...Priorities),
						language: fc.constant(null),
						tags: fc.subarray(["legal", "billing"]),
					}),
					{ minLength: 20, maxLength: 20 },
				),
				fc.array(approvalStepArb, { minLength: 1, maxLength: 200, size: "max" }),
				(memberSpecs, mentionSpecs, steps) => {
					const world = createWorld(memberSpecs, mentionSpecs);
					// The model: which conversations a rule has matched so far, and which texts a
					// moderator approved for each.
					const needed = new Set<string>();
					const approved = new Map<string, Set<string>>();
					const observe = () => {
						for (const m of world.mentions.values()) {
							if (approvalReasons(m, rules).length > 0) needed.add(m.id);
						}
					};
					observe();
					for (const [index, generated] of steps.entries()) {
						const command = retarget(world, generated);
						const step = `step ${index}, ${generated.actor} ${command.name} ${JSON.stringify(command.args)}`;
						const { decision } = execute(
							world,
							generated.actor,
							command,
							at(index * STEP_MINUTES),
							rules,
						);
						if (decision.ok && command.name === "approve") {
							const texts = approved.get(decision.mentionId) ?? new Set();
							approved.set(decision.mentionId, texts.add(command.args.hash));
						}
						if (decision.ok && command.name === "markReplied" && needed.has(decision.mentionId)) {
							guardedReplies++;
							const sent = decision.work.reply?.hash ?? null;
							check(
								sent !== null && (approved.get(decision.mentionId)?.has(sent) ?? false),
								() => `${step}: replied without an approval of the text ${sent}`,
							);
						}
						observe();
					}
				},
			),
			// Replies after submit, approve and send of one text are rare in random sequences:
			// about one run in four of 400 reached none, so the runs are seeded (the same 400
			// sequences each time, some of which reach a guarded reply).
			{ numRuns: 400, seed: 20_261_202 },
		);
		// Some guarded conversations were replied to, after approval: the property bites.
		expect(guardedReplies).toBeGreaterThan(0);
	});

	it("accept a reviewed text exactly when it is the hashed text, not blank, and within the limit", () => {
		const inReview = (hash: string) =>
			makeMention({
				id: "m1",
				network: "twitter",
				status: "in_review",
				owner: { memberId: "dana", since: at(0) },
				review: { state: "requested", hash, by: "dana", at: at(1), comment: null },
			});
		const textArb = fc.oneof(
			fc.string({ unit: "grapheme", maxLength: 400 }),
			fc.constantFrom("", " ", "\n\t"),
		);
		fc.assert(
			fc.property(
				textArb,
				fc.integer({ min: 1, max: 320 }),
				fc.boolean(),
				(text, limit, honest) => {
					const hash = honest ? draftHash(text) : draftHash(`${text}.`);
					const replyLimits = { ...DEFAULT_BOARD_SETTINGS.replyLimits, twitter: limit };
					const fits = text.trim().length > 0 && [...text].length <= limit;
					const submit = decide(
						{ name: "submitForReview", args: { mentionId: "m1", hash, text } },
						{ ...context(dana, ownedBy("dana", { network: "twitter" })), replyLimits },
					);
					const approve = decide(
						{ name: "approve", args: { mentionId: "m1", hash, text } },
						{ ...context(mo, inReview(hash)), replyLimits },
					);
					for (const decision of [submit, approve]) {
						check(
							decision.ok === (honest && fits),
							() =>
								`${JSON.stringify(text)} (limit ${limit}, honest ${honest}): ${JSON.stringify(decision)}`,
						);
					}
				},
			),
			{ numRuns: 500 },
		);
	});

	it("generates only commands that the protocol accepts", () => {
		fc.assert(
			fc.property(commandArb, fc.uuid({ version: 4 }), (command, id) => {
				expect(parseClientMessage(encodeCommand(id, command)).ok).toBe(true);
			}),
			{ numRuns: 300 },
		);
	});
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { draftHash } from "./draft-doc.ts";
import type { ThreadMessage } from "./model.ts";
import { slaDueTimes, slaProgressOf, slaState } from "./sla.ts";
import { at, makeMember, makeMention } from "./test-fixtures.ts";
import {
	applyFollowUps,
	type BatchItem,
	batchKey,
	isFollowUp,
	mergeThread,
	type Placement,
	placeBatch,
	recordedReplyMessage,
	threadMessageKey,
} from "./thread.ts";

const message = (id: string | undefined, minutes: number, extra: Partial<ThreadMessage> = {}) => ({
	...(id === undefined ? {} : { externalId: id }),
	handle: "customer",
	fromOrganisation: false,
	text: `message ${id ?? minutes}`,
	postedAt: at(minutes),
	...extra,
});

const messageArb: fc.Arbitrary<ThreadMessage> = fc.record({
	externalId: fc.option(fc.constantFrom("a", "b", "c", "d", "e"), { nil: undefined }),
	handle: fc.constantFrom("customer", "acme"),
	fromOrganisation: fc.boolean(),
	text: fc.constantFrom("hello", "still broken", "thanks"),
	postedAt: fc.integer({ min: 0, max: 5 }).map(at),
});

/** What two threads hold, as the keys they are told apart by, in order. */
const keys = (thread: readonly ThreadMessage[]) => thread.map(threadMessageKey);

describe("mergeThread", () => {
	const conversation = { externalId: "m1", thread: [message("t1", 1)] };

	it("adds what the thread lacks, in posted order, and skips what it holds", () => {
		const merged = mergeThread(conversation, [
			message("t3", 3),
			message("t1", 1),
			message("t2", 2),
		]);
		expect(keys(merged.thread)).toEqual(["id:t1", "id:t2", "id:t3"]);
		expect(keys(merged.added)).toEqual(["id:t2", "id:t3"]);
	});

	it("never adds the conversation's own mention to its thread", () => {
		expect(mergeThread(conversation, [message("m1", 0)]).added).toEqual([]);
	});

	it("tells messages without an id apart by what they say, who and when", () => {
		const merged = mergeThread({ externalId: "m1", thread: [message(undefined, 4)] }, [
			message(undefined, 4),
			message(undefined, 4, { text: "another" }),
		]);
		expect(merged.added.map((m) => m.text)).toEqual(["another"]);
	});

	it("is idempotent: merging the same messages again adds nothing", () => {
		fc.assert(
			fc.property(fc.array(messageArb), fc.array(messageArb), (stored, incoming) => {
				const start = mergeThread({ externalId: "m", thread: [] }, stored).thread;
				const once = mergeThread({ externalId: "m", thread: start }, incoming);
				const twice = mergeThread({ externalId: "m", thread: once.thread }, incoming);
				expect(twice.added).toEqual([]);
				expect(twice.thread).toEqual(once.thread);
			}),
		);
	});

	it("gives one thread whatever order the messages come in, in one batch or several", () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(messageArb, { selector: threadMessageKey }),
				fc.integer({ min: 0, max: 20 }),
				fc.nat(),
				(messages, cut, seed) => {
					const shuffled = fc.sample(
						fc.shuffledSubarray(messages, { minLength: messages.length }),
						{
							seed,
							numRuns: 1,
						},
					)[0] as ThreadMessage[];
					const all = mergeThread({ externalId: "m", thread: [] }, messages).thread;
					const first = mergeThread({ externalId: "m", thread: [] }, shuffled.slice(0, cut));
					const split = mergeThread(
						{ externalId: "m", thread: first.thread },
						shuffled.slice(cut),
					).thread;
					expect(keys(split)).toEqual(keys(all));
				},
			),
		);
	});
});

describe("recordedReplyMessage", () => {
	const text = "Thanks Ana, a fix is on its way.\n";
	const reply = {
		url: "https://social.example/@acme/9",
		hash: draftHash(text),
		by: "dana",
		sentAt: at(10),
	};

	it("is our message: the recorded text, who recorded it, when and its link", () => {
		expect(recordedReplyMessage(reply, text, "Dana")).toEqual({
			handle: "Dana",
			fromOrganisation: true,
			text: "Thanks Ana, a fix is on its way.",
			postedAt: at(10),
			by: "dana",
			url: "https://social.example/@acme/9",
		});
	});

	it("is nothing for a record without a hash, or a text that is not the recorded one", () => {
		expect(recordedReplyMessage({ ...reply, hash: null }, text, "Dana")).toBeNull();
		expect(recordedReplyMessage(reply, `${text}P.S.`, "Dana")).toBeNull();
		expect(recordedReplyMessage({ ...reply, hash: draftHash(" ") }, " ", "Dana")).toBeNull();
	});

	it("shows once when the network reports the same reply later, in any order", () => {
		const recorded = recordedReplyMessage(reply, text, "Dana") as ThreadMessage;
		const reported: ThreadMessage = {
			externalId: "https://social.example/users/acme/statuses/9",
			handle: "acme@social.example",
			fromOrganisation: true,
			text: "Thanks Ana, a fix is on its way.",
			postedAt: at(11),
		};
		const followUp = message("f1", 20);
		const start = { externalId: "m1", thread: [message("t1", 1)] };
		const later = mergeThread({ ...start, thread: mergeThread(start, [recorded]).thread }, [
			reported,
			followUp,
		]);
		expect(later.added).toEqual([followUp]);
		expect(later.thread.filter((m) => m.fromOrganisation)).toEqual([recorded]);
		const reportedFirst = mergeThread({ ...start, thread: mergeThread(start, [reported]).thread }, [
			recorded,
		]);
		expect(reportedFirst.added).toEqual([]);
		const together = mergeThread(start, [recorded, reported]);
		expect(together.thread.filter((m) => m.fromOrganisation)).toEqual([reported]);
		// Another reply of ours saying something else is a message of its own.
		const other = { ...reported, externalId: "x", text: "One more thing" };
		expect(mergeThread({ ...start, thread: later.thread }, [other]).added).toEqual([other]);
	});
});

describe("applyFollowUps", () => {
	const dana = makeMember({ id: "dana", capacity: 2 });
	const replied = makeMention({
		id: "m",
		status: "replied",
		owner: { memberId: "dana", since: at(1) },
		reply: { url: "https://social.example/r/1", hash: null, by: "dana", sentAt: at(5) },
		review: { state: "approved", hash: "h", by: "mod", at: at(4), comment: null },
	});

	it("reopens a replied conversation to its owner, counts it unseen and restarts the round", () => {
		const outcome = applyFollowUps(replied, 2, { now: at(30), owner: dana, ownerOpenCount: 1 });
		expect(outcome.work).toMatchObject({
			status: "claimed",
			owner: { memberId: "dana", since: at(1) },
			unseenFollowUps: 2,
			slaFrom: at(30),
			review: null,
		});
		expect(outcome).toMatchObject({ reopened: true, notify: "dana", toStatus: "claimed" });
	});

	it("gives it to the board when the owner is gone, inactive or full, and still names them", () => {
		for (const owner of [undefined, { ...dana, active: false }]) {
			const outcome = applyFollowUps(replied, 1, { now: at(30), owner, ownerOpenCount: 0 });
			expect(outcome.work).toMatchObject({ status: "new", owner: null });
			expect(outcome.notify).toBe("dana");
			expect(outcome.detail).toMatchObject({ previousOwner: "dana" });
		}
		const full = applyFollowUps(replied, 1, { now: at(30), owner: dana, ownerOpenCount: 2 });
		expect(full.work).toMatchObject({ status: "new", owner: null });
	});

	it("reopens a closed one, wakes a snoozed one, leaves open and dismissed ones where they are", () => {
		const closed = makeMention({ id: "c", status: "closed", owner: null });
		expect(
			applyFollowUps(closed, 1, { now: at(9), owner: undefined, ownerOpenCount: 0 }).work,
		).toMatchObject({ status: "new", slaFrom: at(9) });
		const snoozed = makeMention({ id: "s", status: "snoozed", snoozedUntil: at(600) });
		expect(
			applyFollowUps(snoozed, 1, { now: at(9), owner: undefined, ownerOpenCount: 0 }).work,
		).toMatchObject({ status: "new", snoozedUntil: null, slaFrom: null });
		for (const status of ["drafting", "dismissed", "new"] as const) {
			const m = makeMention({ id: "o", status, owner: null });
			const outcome = applyFollowUps(m, 3, { now: at(9), owner: undefined, ownerOpenCount: 0 });
			// An open conversation keeps its clock: writing again does not postpone the answer.
			expect(outcome.work).toMatchObject({ status, unseenFollowUps: 3, slaFrom: null });
			expect(outcome.reopened).toBe(false);
		}
	});

	it("never puts an owner over their capacity", () => {
		fc.assert(
			fc.property(fc.nat(5), fc.nat(5), fc.integer({ min: 1, max: 4 }), (capacity, open, count) => {
				const owner = makeMember({ id: "dana", capacity });
				const outcome = applyFollowUps(replied, count, {
					now: at(30),
					owner,
					ownerOpenCount: open,
				});
				if (outcome.work.owner) expect(open).toBeLessThan(capacity);
				expect(outcome.work.unseenFollowUps).toBe(count);
			}),
		);
	});
});

describe("follow-ups and the service levels", () => {
	const settings = {
		slaClaimMinutes: { high: 15, normal: 60, low: 240 },
		slaReplyMinutes: { high: 60, normal: 240, low: 1440 },
	};

	it("a reopened conversation's reply target counts from the follow-up", () => {
		const reopened = makeMention({
			id: "m",
			status: "claimed",
			owner: { memberId: "dana", since: at(1) },
			reply: { url: "https://social.example/r/1", hash: null, by: "dana", sentAt: at(5) },
			slaFrom: at(1000),
		});
		expect(slaDueTimes(reopened, settings).reply).toBe(at(1240));
		// The reply of the first round meets nothing in the second; the kept owner took it then.
		expect(slaProgressOf(reopened)).toMatchObject({ repliedAt: null, claimedAt: at(1000) });
		expect(slaState(reopened, settings, at(1100)).running).toMatchObject({
			kind: "reply",
			breached: false,
		});
		expect(slaState(reopened, settings, at(1300)).running).toMatchObject({ breached: true });
	});

	it("counts only the public's newer messages as follow-ups", () => {
		const m = makeMention({ id: "m", postedAt: at(10) });
		expect(isFollowUp(message("x", 11), m)).toBe(true);
		expect(isFollowUp(message("x", 11, { fromOrganisation: true }), m)).toBe(false);
		expect(isFollowUp(message("x", 9), m)).toBe(false);
	});
});

describe("placeBatch", () => {
	const known = new Map([
		[batchKey("mastodon", "stored"), "m-stored"],
		[batchKey("mastodon", "stored-reply"), "m-stored"],
	]);
	const lookup = (network: string, id: string) => known.get(batchKey(network, id)) ?? null;
	const item = (externalId: string, inReplyTo?: string): BatchItem => ({
		network: "mastodon",
		externalId,
		...(inReplyTo ? { inReplyTo } : {}),
	});
	const place = (items: BatchItem[]) =>
		Object.fromEntries(
			[...placeBatch(items, lookup)].map(([key, placement]) => [key.split("\u0000")[1], placement]),
		);

	it("joins a known message's conversation, a batch parent's, or starts one", () => {
		expect(
			place([
				item("c", "b"),
				item("b", "a"),
				item("a"),
				item("x", "stored-reply"),
				item("y", "x"),
				item("orphan", "nobody-knows"),
				item("stored"),
			]),
		).toEqual({
			a: { kind: "new" },
			b: { kind: "batch", root: batchKey("mastodon", "a") },
			c: { kind: "batch", root: batchKey("mastodon", "a") },
			x: { kind: "existing", mentionId: "m-stored" },
			y: { kind: "existing", mentionId: "m-stored" },
			orphan: { kind: "new" },
			stored: { kind: "existing", mentionId: "m-stored" },
		});
	});

	it("starts one conversation for a loop of messages, at its smallest key", () => {
		expect(place([item("q", "p"), item("p", "r"), item("r", "q"), item("s", "q")])).toEqual({
			p: { kind: "new" },
			q: { kind: "batch", root: batchKey("mastodon", "p") },
			r: { kind: "batch", root: batchKey("mastodon", "p") },
			s: { kind: "batch", root: batchKey("mastodon", "p") },
		});
	});

	it("places every message the same whatever order the batch comes in", () => {
		const ids = ["a", "b", "c", "d", "e", "f", "stored-reply", "gone"];
		const batch = fc
			.uniqueArray(fc.constantFrom(...ids.slice(0, 6)), { minLength: 1 })
			.chain((own) =>
				fc.tuple(
					fc.tuple(
						...own.map((id) => fc.tuple(fc.constant(id), fc.option(fc.constantFrom(...ids)))),
					),
					fc.nat(),
				),
			);
		fc.assert(
			fc.property(batch, ([pairs, seed]) => {
				const items = pairs.map(([id, parent]) => item(id, parent ?? undefined));
				const shuffled = fc.sample(fc.shuffledSubarray(items, { minLength: items.length }), {
					seed,
					numRuns: 1,
				})[0] as BatchItem[];
				const sorted = (map: Map<string, Placement>) =>
					[...map].sort(([a], [b]) => (a < b ? -1 : 1));
				expect(sorted(placeBatch(shuffled, lookup))).toEqual(sorted(placeBatch(items, lookup)));
				// Every message is placed, and a batch placement names a message that starts one.
				const placed = placeBatch(items, lookup);
				expect(placed.size).toBe(items.length);
				for (const placement of placed.values()) {
					if (placement.kind === "batch")
						expect(placed.get(placement.root)).toEqual({ kind: "new" });
				}
			}),
		);
	});
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expiredLeases, type MemberPresence, offlineSince, summarizePresence } from "./lease.ts";
import type { Mention } from "./model.ts";
import { at, makeMention } from "./test-fixtures.ts";

const LEASE = 15;
const STALE_MS = 2 * 60_000;

function owned(id: string, memberId: string, since: string, status: Mention["status"] = "claimed") {
	return makeMention({ id, status, owner: { memberId, since } });
}

function presence(...entries: MemberPresence[]): Map<string, MemberPresence> {
	return new Map(entries.map((entry) => [entry.memberId, entry]));
}

describe("presence from the instances' records", () => {
	it("is online with a fresh record that has connections, on any instance", () => {
		const summary = summarizePresence(
			[
				{ memberId: "dana", connections: 0, lastSeenAt: at(9) },
				{ memberId: "dana", connections: 2, lastSeenAt: at(10) },
				{ memberId: "sam", connections: 0, lastSeenAt: at(8) },
			],
			at(11),
			STALE_MS,
		);
		expect(summary.get("dana")).toEqual({ memberId: "dana", online: true, lastSeenAt: at(10) });
		expect(summary.get("sam")).toEqual({ memberId: "sam", online: false, lastSeenAt: at(8) });
		expect(summary.has("kim")).toBe(false);
	});

	it("stops counting connections of an instance whose heartbeat went quiet", () => {
		const records = [{ memberId: "dana", connections: 1, lastSeenAt: at(10) }];
		expect(summarizePresence(records, at(12), STALE_MS).get("dana")?.online).toBe(true);
		expect(summarizePresence(records, at(12.5), STALE_MS).get("dana")).toEqual({
			memberId: "dana",
			online: false,
			lastSeenAt: at(10),
		});
	});
});

describe("leases with a controlled clock", () => {
	it("runs from the later of the last sighting and when the owner got the conversation", () => {
		const away = { memberId: "dana", online: false, lastSeenAt: at(20) };
		expect(offlineSince(away, at(5))).toBe(at(20));
		expect(offlineSince(away, at(30))).toBe(at(30));
		expect(offlineSince(undefined, at(30))).toBe(at(30));
		expect(offlineSince({ ...away, online: true }, at(5))).toBeNull();
	});

	it("releases an offline owner's conversations once the lease has run out, not before", () => {
		const mentions = [owned("a", "dana", at(0)), owned("b", "dana", at(1), "drafting")];
		const away = presence({ memberId: "dana", online: false, lastSeenAt: at(10) });
		expect(expiredLeases(mentions, away, LEASE, at(24.9))).toEqual([]);
		expect(expiredLeases(mentions, away, LEASE, at(25))).toEqual([
			{ mentionId: "a", memberId: "dana", offlineSince: at(10), expiredAt: at(25) },
			{ mentionId: "b", memberId: "dana", offlineSince: at(10), expiredAt: at(25) },
		]);
	});

	it("never releases what an online owner holds, however long ago they were last seen", () => {
		const mentions = [owned("a", "dana", at(0))];
		const online = presence({ memberId: "dana", online: true, lastSeenAt: at(0) });
		expect(expiredLeases(mentions, online, LEASE, at(600))).toEqual([]);
	});

	it("gives a conversation assigned to someone never seen one full lease", () => {
		const mentions = [owned("a", "kim", at(100))];
		expect(expiredLeases(mentions, new Map(), LEASE, at(114))).toEqual([]);
		expect(expiredLeases(mentions, new Map(), LEASE, at(115))).toMatchObject([
			{ mentionId: "a", memberId: "kim", offlineSince: at(100) },
		]);
	});

	it("leaves unowned, replied and snoozed conversations alone", () => {
		const mentions = [
			makeMention({ id: "new" }),
			owned("replied", "dana", at(0), "replied"),
			makeMention({ id: "snoozed", status: "snoozed", snoozedUntil: at(999) }),
			owned("review", "dana", at(0), "in_review"),
		];
		const away = presence({ memberId: "dana", online: false, lastSeenAt: at(0) });
		expect(expiredLeases(mentions, away, LEASE, at(60)).map((e) => e.mentionId)).toEqual([
			"review",
		]);
	});

	it("follows the board's lease", () => {
		const mentions = [owned("a", "dana", at(0))];
		const away = presence({ memberId: "dana", online: false, lastSeenAt: at(0) });
		expect(expiredLeases(mentions, away, 60, at(59))).toEqual([]);
		expect(expiredLeases(mentions, away, 60, at(60))).toHaveLength(1);
	});
});

describe("lease properties", () => {
	const minute = fc.integer({ min: 0, max: 600 });
	const memberId = fc.constantFrom("dana", "sam", "kim");
	const world = fc.record({
		holdings: fc.array(
			fc.record({
				memberId,
				since: minute,
				status: fc.constantFrom<Mention["status"]>("claimed", "drafting", "in_review", "replied"),
			}),
			{ maxLength: 12 },
		),
		presence: fc.array(fc.record({ memberId, online: fc.boolean(), seen: fc.option(minute) }), {
			maxLength: 3,
		}),
		lease: fc.integer({ min: 1, max: 120 }),
		now: minute,
	});

	it("releases exactly the open conversations of owners offline longer than the lease", () => {
		fc.assert(
			fc.property(world, ({ holdings, presence: people, lease, now }) => {
				const mentions = holdings.map((o, i) => owned(`m${i}`, o.memberId, at(o.since), o.status));
				const seen = presence(
					...people.map((p) => ({
						memberId: p.memberId,
						online: p.online,
						lastSeenAt: p.seen === null ? null : at(p.seen),
					})),
				);
				const expired = new Map(
					expiredLeases(mentions, seen, lease, at(now)).map((e) => [e.mentionId, e]),
				);
				for (const mention of mentions) {
					const who = seen.get(mention.owner?.memberId ?? "");
					const open = mention.status !== "replied";
					const since = Math.max(
						Date.parse(mention.owner?.since ?? ""),
						who?.lastSeenAt ? Date.parse(who.lastSeenAt) : Number.NEGATIVE_INFINITY,
					);
					const due = open && !who?.online && since + lease * 60_000 <= Date.parse(at(now));
					expect(expired.has(mention.id)).toBe(due);
					if (due)
						expect(expired.get(mention.id)?.expiredAt).toBe(
							new Date(since + lease * 60_000).toISOString(),
						);
				}
			}),
			{ numRuns: 300 },
		);
	});
});

/**
 * The mention store's part of the contract suite: ingesting and listing mentions. Run by `storageContract` on PGlite and on PostgreSQL alike;
 * each test makes its own organisation with fresh ids, so tests do not see each other's rows.
 */

import type { Command, Member } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type { CommandArbiter, Directory, MentionStore, NewMention } from "./storage.ts";
import {
	ingest,
	newMention,
	newTeam,
	runCommand,
	type Team,
	tick,
	unique,
} from "./test-fixtures.ts";

/** The mention store, with a directory to make teams and an arbiter to change a mention. */
type Ports = MentionStore & Directory & CommandArbiter;

export function mentionStoreContract(portOf: () => Ports): void {
	const team = () => newTeam(portOf());
	const mentions = (t: Team, ...list: Partial<NewMention>[]) => ingest(portOf(), t, ...list);
	const run = (t: Team, actor: Member, command: Command, commandId?: string) =>
		runCommand(portOf(), t, actor, command, commandId);

	describe("mentions", () => {
		it("ingests idempotently by network and external id", async () => {
			const storage = portOf();
			const t = await team();
			const first = newMention({ text: "first" });
			const second = newMention({ text: "second", priority: "high", tags: ["billing"] });
			const inserted = await storage.insertMentions(t.orgId, t.boardId, [first, second]);
			expect(inserted).toHaveLength(2);
			expect(inserted[0]).toMatchObject({
				rev: 1,
				mention: {
					text: "first",
					status: "new",
					priority: "normal",
					tags: [],
					owner: null,
					review: null,
					reply: null,
					snoozedUntil: null,
					author: first.author,
					postedAt: first.postedAt,
				},
			});
			expect(inserted[1]?.mention).toMatchObject({ priority: "high", tags: ["billing"] });

			const third = newMention({ text: "third" });
			const again = await storage.insertMentions(t.orgId, t.boardId, [first, second, third]);
			expect(again.map((s) => s.mention.text)).toEqual(["third"]);
			expect(await storage.listMentions(t.orgId, t.boardId)).toHaveLength(3);

			const id = inserted[0]?.mention.id ?? "";
			expect(await storage.getMention(t.orgId, id)).toEqual(inserted[0]);
			expect(await storage.getMention(unique("other-org"), id)).toBeNull();
			expect(await storage.insertMentions(t.orgId, t.boardId, [])).toEqual([]);
		});

		it("stores every field as it was sent, whatever characters and numbers it holds", async () => {
			const storage = portOf();
			const t = await team();
			// What a PostgreSQL array literal quotes or reads specially, in every text column.
			const awkward = ['say "hi", {ok}', "back\\slash \\\\ and \\n", "NULL", "", "naïve 😀\nline"];
			const sent = awkward.map((text, i) =>
				newMention({
					externalId: `${text}-${i}`,
					url: i % 2 === 0 ? null : `https://social.example/${encodeURIComponent(text)}`,
					author: { handle: `@${text}`, name: text, reach: i * 1_000_003 },
					text,
					thread: [
						{ handle: text, fromOrganisation: i % 2 === 1, text, postedAt: tick() },
						{
							externalId: text,
							handle: "@b",
							fromOrganisation: false,
							text: "}",
							postedAt: tick(),
						},
					],
					language: i === 3 ? null : text,
					sentiment: [0.1, -1 / 3, 1e-7, -0.5, 0.30000000000000004][i] ?? 0,
					tags: [text, "a,b", '"'],
					priority: i === 2 ? "high" : undefined,
				}),
			);
			const inserted = await storage.insertMentions(t.orgId, t.boardId, sent);
			expect(inserted.map(({ mention }) => mention)).toEqual(
				sent.map((mention) =>
					expect.objectContaining({ ...mention, priority: mention.priority ?? "normal" }),
				),
			);
			for (const stored of inserted) {
				expect(await storage.getMention(t.orgId, stored.mention.id)).toEqual(stored);
			}
		});

		it("lists mentions by status, owner and id, oldest first", async () => {
			const storage = portOf();
			const t = await team();
			const [a, b, c] = await mentions(t, {}, {}, { status: "snoozed" });
			await run(t, t.ana, { name: "claim", args: { mentionId: b ?? "" } });

			const texts = async (filter: Parameters<MentionStore["listMentions"]>[2]) =>
				(await storage.listMentions(t.orgId, t.boardId, filter)).map((s) => s.mention.id);
			expect(await texts({})).toEqual([a, b, c]);
			expect(await texts({ status: "new" })).toEqual([a]);
			expect(await texts({ status: ["new", "claimed"] })).toEqual([a, b]);
			expect(await texts({ ownerId: t.ana.id })).toEqual([b]);
			expect(await texts({ ids: [c ?? "", a ?? ""] })).toEqual([a, c]);
			expect(await texts({ ids: [] })).toEqual([]);
			expect(await texts({ status: [] })).toEqual([]);
		});
	});
}

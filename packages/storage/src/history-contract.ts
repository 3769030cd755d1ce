/**
 * The history port's part of the contract suite: searching every conversation of an
 * organisation. Run by `storageContract` on PGlite and on PostgreSQL alike; each test makes
 * its own organisation, so tests do not see each other's rows.
 */
import type { Command, Member } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type {
	CommandArbiter,
	Directory,
	History,
	HistoryQuery,
	MentionStore,
	ThreadStore,
} from "./storage.ts";
import { ingest, newOrganisation, newTeam, runCommand, type Team } from "./test-fixtures.ts";

type Ports = History & MentionStore & Directory & CommandArbiter & ThreadStore;

export function historyContract(portOf: () => Ports): void {
	const run = (t: Team, actor: Member, command: Command) => runCommand(portOf(), t, actor, command);
	const search = async (t: { orgId: string }, query: Partial<HistoryQuery>) =>
		(await portOf().searchHistory(t.orgId, { limit: 50, ...query })).map((s) => s.mention.id);

	describe("history", () => {
		it("finds conversations by the words of the mention and of its thread, newest first", async () => {
			const t = await newTeam(portOf());
			const [refund, outage, thread] = await ingest(
				portOf(),
				t,
				{ text: "I want a refund for my order" },
				{ text: "Is the service down again?" },
				{
					text: "Still waiting",
					thread: [
						{
							handle: "@ana@social.example",
							fromOrganisation: false,
							text: "My REFUND never arrived",
							postedAt: "2026-11-26T08:00:00.000Z",
						},
					],
				},
			);
			expect(await search(t, { text: "refund" })).toEqual([thread, refund]);
			expect(await search(t, { text: "service down" })).toEqual([outage]);
			expect(await search(t, { text: '"refund for"' })).toEqual([refund]);
			expect(await search(t, { text: "refund -arrived" })).toEqual([refund]);
			expect(await search(t, { text: "nothing-like-this" })).toEqual([]);
			// Another organisation's words are not found.
			expect(await search(await newOrganisation(portOf()), { text: "refund" })).toEqual([]);
		});

		it("follows a conversation's words through claims, releases and a growing thread", async () => {
			const t = await newTeam(portOf());
			const [parcel] = await ingest(portOf(), t, { text: "Where is my parcel?" });
			const id = parcel ?? "";
			await run(t, t.ana, { name: "claim", args: { mentionId: id } });
			await run(t, t.ana, { name: "release", args: { mentionId: id } });
			expect(await search(t, { text: "parcel" })).toEqual([parcel]);
			expect(await search(t, { text: "customs" })).toEqual([]);
			await portOf().appendToThread({
				orgId: t.orgId,
				mentionId: id,
				messages: [
					{
						handle: "@ana@social.example",
						fromOrganisation: false,
						text: "Stuck at customs since Monday",
						postedAt: "2026-11-26T09:00:00.000Z",
					},
				],
				now: "2026-11-26T09:00:01.000Z",
			});
			expect(await search(t, { text: "customs" })).toEqual([parcel]);
			expect(await search(t, { text: "parcel customs" })).toEqual([parcel]);
		});

		it("narrows by author, tag, owner, period and status, and pages by a cursor", async () => {
			const t = await newTeam(portOf());
			const ana = { handle: "@Ana@social.example", name: "Ana", reach: 5 };
			const [first, second, third, other] = await ingest(
				portOf(),
				t,
				{ author: ana, tags: ["billing"], postedAt: "2026-10-01T10:00:00.000Z" },
				{ author: ana, postedAt: "2026-10-02T10:00:00.000Z" },
				{ author: ana, network: "bluesky", postedAt: "2026-10-03T10:00:00.000Z" },
				{ tags: ["billing"], postedAt: "2026-10-04T10:00:00.000Z" },
			);
			// Any case, with or without the @, on every network unless one is named.
			expect(await search(t, { author: { handle: "ana@SOCIAL.example" } })).toEqual([
				third,
				second,
				first,
			]);
			expect(
				await search(t, { author: { handle: "@ana@social.example", network: "mastodon" } }),
			).toEqual([second, first]);
			expect(await search(t, { tag: "billing" })).toEqual([other, first]);

			// An owner who handed the conversation on still finds it.
			await run(t, t.ana, { name: "claim", args: { mentionId: first ?? "" } });
			await run(t, t.ana, { name: "handoff", args: { mentionId: first ?? "", to: t.mo.id } });
			await run(t, t.ben, { name: "claim", args: { mentionId: second ?? "" } });
			expect(await search(t, { ownerId: t.ana.id })).toEqual([first]);
			expect(await search(t, { ownerId: t.mo.id })).toEqual([first]);
			expect(await search(t, { status: ["claimed"], ownerId: t.ben.id })).toEqual([second]);
			expect(await search(t, { status: [] })).toEqual([]);

			expect(
				await search(t, { from: "2026-10-02T00:00:00.000Z", to: "2026-10-04T00:00:00.000Z" }),
			).toEqual([third, second]);

			const page = await portOf().searchHistory(t.orgId, { limit: 2 });
			const last = page.at(-1)?.mention;
			expect(page.map((s) => s.mention.id)).toEqual([other, third]);
			expect(
				await search(t, { before: { postedAt: last?.postedAt ?? "", id: last?.id ?? "" } }),
			).toEqual([second, first]);
		});
		it("keeps to the boards asked for, an archived board's conversations included", async () => {
			const t = await newTeam(portOf());
			await portOf().createBoard({ id: "press", orgId: t.orgId, name: "Press" });
			const [support] = await ingest(portOf(), t, { text: "refund please" });
			const [press] = await ingest(portOf(), { ...t, boardId: "press" }, { text: "refund story" });
			await portOf().updateBoard(t.orgId, "press", { archived: true });
			expect(await search(t, { text: "refund", boardIds: ["press"] })).toEqual([press]);
			expect(await search(t, { text: "refund", boardIds: [t.boardId] })).toEqual([support]);
			expect(await search(t, { text: "refund", boardIds: [] })).toEqual([]);
			expect((await search(t, { text: "refund" })).sort()).toEqual([support, press].sort());
		});
	});
}

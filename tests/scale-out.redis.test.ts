/**
 * Two instances behind no load balancer at all: each client talks to its own instance;
 * they share PostgreSQL and exchange document updates through Redis.
 */
import { draftDocumentName, readMention } from "@switchboard/domain";
import { beforeAll, expect, it } from "vitest";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { connectProvider, makeMention, waitFor, waitForSameBody } from "./utils/test-server.ts";
import { twoInstancesForFile } from "./utils/two-instances.ts";

describeOnPostgresAndRedis("two instances sharing PostgreSQL and Redis", () => {
	const ORG = "scaleout";
	const two = twoInstancesForFile(ORG, [
		["Dana", "ambassador"],
		["Sam", "ambassador"],
	]);
	let mentionIds: string[] = [];

	beforeAll(async () => {
		const stored = await two.a.storage.insertMentions(
			ORG,
			"main",
			[0, 1, 2].map((i) => makeMention(i)),
		);
		mentionIds = stored.map(({ mention }) => mention.id);
	});

	it("shows a claim made on one instance to a client of the other", async () => {
		const dana = await connectProvider(two.ws(two.a), `board/${ORG}/main`, two.tokens.Dana!);
		const sam = await connectProvider(two.ws(two.b), `board/${ORG}/main`, two.tokens.Sam!);
		const id = mentionIds[0]!;
		expect(await dana.commands.send({ name: "claim", args: { mentionId: id } })).toMatchObject({
			type: "ack",
		});
		await waitFor(
			() => readMention(sam.doc, id)?.owner?.memberId !== undefined,
			10_000,
			"owner through Redis",
		);
		dana.destroy();
		sam.destroy();
	});

	it("lets exactly one of two members on different instances claim a conversation", async () => {
		const dana = await connectProvider(two.ws(two.a), `board/${ORG}/main`, two.tokens.Dana!);
		const sam = await connectProvider(two.ws(two.b), `board/${ORG}/main`, two.tokens.Sam!);
		const id = mentionIds[1]!;
		const answers = await Promise.all([
			dana.commands.send({ name: "claim", args: { mentionId: id } }),
			sam.commands.send({ name: "claim", args: { mentionId: id } }),
		]);
		expect(answers.map((answer) => answer.type).sort()).toEqual(["ack", "reject"]);
		expect(answers.find((answer) => answer.type === "reject")).toMatchObject({
			code: "already_claimed",
		});
		dana.destroy();
		sam.destroy();
	});

	it("merges a draft co-edited through both instances", async () => {
		const name = draftDocumentName(ORG, mentionIds[2]!);
		const dana = await connectProvider(two.ws(two.a), name, two.tokens.Dana!);
		const sam = await connectProvider(two.ws(two.b), name, two.tokens.Sam!);
		dana.doc.getText("body").insert(0, "From instance A. ");
		sam.doc.getText("body").insert(0, "From instance B. ");
		await waitForSameBody(dana, sam, 30, 10_000, "convergence through Redis");
		dana.destroy();
		sam.destroy();
	});
});

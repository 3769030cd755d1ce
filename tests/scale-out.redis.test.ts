/**
 * Two instances behind no load balancer at all: each client talks to its own instance;
 * they share PostgreSQL and exchange document updates through Redis.
 */
import { draftDocumentName, readMention } from "@switchboard/domain";
import { type Switchboard, startSwitchboard } from "@switchboard/server";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseConfig, connectProvider, makeMention, waitFor } from "./utils/test-server.ts";

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

if (databaseUrl && redisUrl) {
	describe("two instances sharing PostgreSQL and Redis", () => {
		let database: TestDatabase;
		let a: Switchboard;
		let b: Switchboard;
		const tokens: Record<string, string> = {};
		let mentionIds: string[] = [];
		const ws = (instance: Switchboard) => `${instance.url.replace("http", "ws")}/sync`;

		beforeAll(async () => {
			database = await createTestDatabase(databaseUrl);
			const logger = pino({ level: "silent" });
			a = await startSwitchboard(await baseConfig({ databaseUrl: database.url, redisUrl }), {
				logger,
			});
			b = await startSwitchboard(await baseConfig({ databaseUrl: database.url, redisUrl }), {
				logger,
			});
			const { storage } = a;
			await storage.createOrganisation({ id: "acme", name: "Acme" });
			await storage.createBoard({ id: "main", orgId: "acme", name: "Acme mentions" });
			for (const name of ["Dana", "Sam"]) {
				const member = await storage.createMember({
					orgId: "acme",
					email: `${name.toLowerCase()}@acme.test`,
					name,
					role: "ambassador",
					capacity: 3,
					passwordHash: "unused",
				});
				tokens[name] = await a.tokens.sign({
					memberId: member.id,
					orgId: "acme",
					role: "ambassador",
					name,
				});
			}
			const stored = await storage.insertMentions(
				"acme",
				"main",
				[0, 1, 2].map((i) => makeMention(i)),
			);
			mentionIds = stored.map(({ mention }) => mention.id);
		});

		afterAll(async () => {
			await Promise.all([a?.close(), b?.close()]);
			await database?.drop();
		});

		it("shows a claim made on one instance to a client of the other", async () => {
			const dana = await connectProvider(ws(a), "board/acme/main", tokens.Dana!);
			const sam = await connectProvider(ws(b), "board/acme/main", tokens.Sam!);
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
			const dana = await connectProvider(ws(a), "board/acme/main", tokens.Dana!);
			const sam = await connectProvider(ws(b), "board/acme/main", tokens.Sam!);
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
			const name = draftDocumentName("acme", mentionIds[2]!);
			const dana = await connectProvider(ws(a), name, tokens.Dana!);
			const sam = await connectProvider(ws(b), name, tokens.Sam!);
			dana.doc.getText("body").insert(0, "From instance A. ");
			sam.doc.getText("body").insert(0, "From instance B. ");
			await waitFor(
				() =>
					dana.doc.getText("body").toString() === sam.doc.getText("body").toString() &&
					dana.doc.getText("body").length > 30,
				10_000,
				"convergence through Redis",
			);
			dana.destroy();
			sam.destroy();
		});
	});
} else {
	describe.skip("two instances sharing PostgreSQL and Redis", () => {
		it("needs TEST_DATABASE_URL and TEST_REDIS_URL; CI sets both", () => {});
	});
}

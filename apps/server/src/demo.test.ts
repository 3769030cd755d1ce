import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Mention } from "@switchboard/domain";
import { openStorage, type Storage } from "@switchboard/storage";
import { embeddedStorageForTests, testTemplate } from "@switchboard/storage/test-template";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { DEMO_PASSWORD, type DemoSummary, demoAccountsNow, seedDemo } from "./demo.ts";
import { verifyPassword } from "./passwords.ts";

const logger = pino({ level: "silent" });
const HOUR = 60 * 60 * 1000;

/** The dataset as stored: conversations of tweets, the first one the client's. */
interface RawConversation {
	dialogContent: { tweet_ID: string }[];
}

/** Every root tweet of the dataset with the ids of the later tweets of its conversations. */
async function threadsByRoot(dataDir: string): Promise<Map<string, Set<string>>> {
	const path = join(dataDir, "twitter-care-conversations.json");
	const raw = JSON.parse(await readFile(path, "utf8")) as RawConversation[];
	const byRoot = new Map<string, Set<string>>();
	for (const { dialogContent } of raw) {
		const [root, ...later] = dialogContent.map((message) => message.tweet_ID);
		const thread = byRoot.get(root!) ?? new Set();
		for (const id of later) thread.add(id);
		byRoot.set(root!, thread);
	}
	return byRoot;
}

/** The real dataset's folder, as the server finds it by default. */
async function defaultDemoDataDir(): Promise<string> {
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-demo-config-"));
	try {
		return (await loadConfig({ DATA_DIR: dataDir })).demoDataDir;
	} finally {
		await rm(dataDir, { recursive: true, force: true });
	}
}

describe("seedDemo", () => {
	const now = new Date("2026-11-26T12:00:00.000Z");
	let storage: Storage;
	let demoDataDir: string;
	let summary: DemoSummary | null;
	let acme: Mention[];

	beforeAll(async () => {
		demoDataDir = await defaultDemoDataDir();
		storage = await openStorage({ template: await testTemplate() });
		summary = await seedDemo(storage, { dataDir: demoDataDir, logger, now });
		acme = (await storage.listMentions("acme", "main")).map(({ mention }) => mention);
	});

	afterAll(async () => {
		await storage?.close();
	});

	it("creates Acme and Globex, each with a main board", async () => {
		expect(summary?.created).toBe(true);
		const organisations = await storage.listOrganisations();
		expect(organisations.map(({ id, name }) => ({ id, name }))).toEqual([
			{ id: "acme", name: "Acme" },
			{ id: "globex", name: "Globex" },
		]);
		for (const orgId of ["acme", "globex"]) {
			expect((await storage.listBoards(orgId)).map((board) => board.id)).toEqual(["main"]);
		}
		expect(summary?.boardUrlPath).toBe("/board/acme/main");
	});

	it("creates the demo members, who sign in with the demo password", async () => {
		const expected = [
			["ambassador1@acme.test", "acme", "ambassador", 5],
			["ambassador2@acme.test", "acme", "ambassador", 5],
			["ambassador3@acme.test", "acme", "ambassador", 5],
			["moderator@acme.test", "acme", "moderator", 10],
			["admin@acme.test", "acme", "admin", 10],
			["ambassador@globex.test", "globex", "ambassador", 5],
		] as const;
		expect(DEMO_PASSWORD).toBe("switchboard");
		// Each distinct hash checked once: at OWASP's scrypt cost a check takes a few hundred ms.
		const hashes = new Set<string>();
		for (const [email, orgId, role, capacity] of expected) {
			const member = await storage.findMemberByEmail(email);
			expect(member, email).toMatchObject({ email, orgId, role, capacity, active: true });
			hashes.add(member!.passwordHash);
		}
		for (const hash of hashes) {
			await expect(verifyPassword("switchboard", hash)).resolves.toBe(true);
			await expect(verifyPassword("Switchboard", hash)).resolves.toBe(false);
		}
		const acmeMembers = await storage.listMembers("acme");
		const globexMembers = await storage.listMembers("globex");
		expect(acmeMembers).toHaveLength(5);
		expect(globexMembers).toHaveLength(1);
		expect(summary?.members.map((m) => m.email).sort()).toEqual(
			expected.map(([email]) => email).sort(),
		);
	});

	it("puts one mention per distinct conversation on Acme's board, each with its thread", async () => {
		const threads = await threadsByRoot(demoDataDir);
		// 525 conversations, two of which branch from a tweet another one starts from.
		expect(threads.size).toBe(523);
		expect(acme).toHaveLength(523);
		expect(summary?.mentions).toBe(523);
		expect(new Set(acme.map((m) => m.externalId))).toEqual(new Set(threads.keys()));
		for (const mention of acme) {
			const thread = mention.thread.map((message) => message.externalId);
			expect(thread, mention.externalId).toHaveLength(threads.get(mention.externalId)!.size);
			expect(new Set(thread), mention.externalId).toEqual(threads.get(mention.externalId));
			expect(mention.status).toBe("new");
			expect(mention.owner).toBeNull();
		}
		// Threads are not all empty: the board shows real back-and-forth.
		expect(acme.filter((m) => m.thread.length > 0).length).toBeGreaterThan(50);
	});

	it("leaves Globex's board empty", async () => {
		expect(await storage.listMentions("globex", "main")).toEqual([]);
	});

	it("dates every mention and thread message in the 48 hours before now", async () => {
		const earliest = now.getTime() - 48 * HOUR;
		for (const mention of acme) {
			for (const postedAt of [mention.postedAt, ...mention.thread.map((m) => m.postedAt)]) {
				const time = Date.parse(postedAt);
				expect(time, mention.externalId).toBeLessThan(now.getTime());
				expect(time, mention.externalId).toBeGreaterThanOrEqual(earliest);
			}
		}
		// Spread over the window, not piled at one moment.
		const ages = acme.map((m) => now.getTime() - Date.parse(m.postedAt));
		expect(ages.filter((age) => age < 8 * HOUR).length).toBeGreaterThan(100);
		expect(ages.filter((age) => age > 24 * HOUR).length).toBeGreaterThan(10);
	});

	it("creates nothing the second time", async () => {
		const again = await seedDemo(storage, { dataDir: demoDataDir, logger, now });
		expect(again).toEqual({ ...summary, created: false });
		expect(await storage.listOrganisations()).toHaveLength(2);
		expect(await storage.listMembers("acme")).toHaveLength(5);
		expect(await storage.listMentions("acme", "main")).toHaveLength(523);
	});

	it("lists its accounts for the sign-in page as they are now, not as seeded", async () => {
		const accounts = async () =>
			Object.fromEntries(
				(await demoAccountsNow(summary!, storage)).map(({ email, role }) => [email, role]),
			);
		expect((await accounts())["ambassador2@acme.test"]).toBe("ambassador");
		const kim = (await storage.findMemberByEmail("ambassador2@acme.test"))!;
		const lee = (await storage.findMemberByEmail("ambassador3@acme.test"))!;
		try {
			await storage.updateMember("acme", kim.id, { role: "moderator" });
			await storage.updateMember("acme", lee.id, { active: false });
			const now = await accounts();
			expect(now["ambassador2@acme.test"]).toBe("moderator");
			// Deactivated, it could not sign in: not offered.
			expect(now).not.toHaveProperty("ambassador3@acme.test");
			expect(Object.keys(now)).toHaveLength(summary!.members.length - 1);
		} finally {
			await storage.updateMember("acme", kim.id, { role: "ambassador" });
			await storage.updateMember("acme", lee.id, { active: true });
		}
	});
});

describe("seedDemo on a database without the demo", () => {
	const embedded = embeddedStorageForTests();

	it("fails without its dataset and leaves the database empty, so the next start can seed", async () => {
		const storage = embedded();
		const empty = await mkdtemp(join(tmpdir(), "switchboard-demo-empty-"));
		try {
			await expect(seedDemo(storage, { dataDir: empty, logger })).rejects.toThrow(
				/twitter-care-conversations\.json/,
			);
			expect(await storage.listOrganisations()).toEqual([]);
		} finally {
			await rm(empty, { recursive: true, force: true });
		}
	});

	it("returns null and creates nothing when another organisation is there", async () => {
		const storage = embedded();
		await storage.createOrganisation({ id: "initech", name: "Initech" });
		const result = await seedDemo(storage, { dataDir: await defaultDemoDataDir(), logger });
		expect(result).toBeNull();
		expect((await storage.listOrganisations()).map((org) => org.id)).toEqual(["initech"]);
		expect(await storage.findMemberByEmail("admin@acme.test")).toBeNull();
	});
});

/**
 * One writer per data folder. With a server running on an embedded database, the CLI
 * goes through the server's local admin channel: an import lands on the board members
 * have open, once, and nothing opens the database a second time. A second server on the
 * same folder is refused with the holder named.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readBoard } from "@switchboard/domain";
import { callEndpoint, readEndpoint, startSwitchboard } from "@switchboard/server";
import { inputFile, runCli } from "@switchboard/server/run-cli";
import { openStorage } from "@switchboard/storage";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildServer } from "./utils/child-server.ts";
import { baseConfig, startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

/** Creating an embedded database on disk takes a minute on a machine busy with other work. */
const SLOW = 300_000;

let server: TestServer;
let dataDir: string;
let scratch: string;

const cli = (args: string[], dir = dataDir) => runCli(args, dir, { timeoutMs: SLOW });

beforeAll(async () => {
	server = await startTestServer();
	// The test server's data folder: where its admin channel lives.
	const socket = server.switchboard.admin?.endpoint.socket;
	if (!socket) throw new Error("the test server serves no admin channel on a unix socket");
	dataDir = dirname(socket);
	scratch = await mkdtemp(join(tmpdir(), "switchboard-admin-"));
}, SLOW);
afterAll(async () => {
	await server?.close();
	await rm(scratch, { recursive: true, force: true });
});

describe("the CLI beside a running server", () => {
	it(
		"imports through the server: every mention stored once and on the board members have open",
		async () => {
			const board = await server.board(server.members.dana!);
			const before = readBoard(board.doc).mentions.length;
			const rows = Array.from(
				{ length: 50 },
				(_, i) =>
					`live-${i},fan${i},Is my order ${i} on its way?,${new Date(Date.now() - i * 60_000).toISOString()},twitter`,
			);
			const file = await inputFile(scratch, "fifty.csv", [
				"external_id,author_handle,text,posted_at,network",
				...rows,
			]);

			const first = await cli(["import", file, "--org", "acme"]);
			expect(first.stderr).toContain(`Through the running server (process ${process.pid}).`);
			expect(first.stdout).toMatch(/^Imported 50 mentions into acme\/main, 0 already there/);
			expect(first.code).toBe(0);
			// Live: the open board shows them without a reload.
			await waitFor(
				() => readBoard(board.doc).mentions.length === before + 50,
				60_000,
				"the 50 imported mentions on the open board",
			);

			const again = await cli(["import", file, "--org", "acme"]);
			expect(again.stdout).toMatch(/^Imported 0 mentions into acme\/main, 50 already there/);
			const stored = await server.switchboard.storage.listMentions("acme", "main");
			const imported = stored.filter((entry) => entry.mention.externalId.startsWith("live-"));
			expect(new Set(imported.map((entry) => entry.mention.externalId)).size).toBe(50);
			expect(imported).toHaveLength(50);
			expect(readBoard(board.doc).mentions).toHaveLength(before + 50);
		},
		SLOW,
	);

	it(
		"says when the organisation or board does not exist, with exit code 2",
		async () => {
			const file = await inputFile(scratch, "one.csv", [
				"external_id,author_handle,text,posted_at",
				"x1,ana,Hello,2026-11-25T08:00:00Z",
			]);
			const result = await cli(["import", file, "--org", "initech"]);
			expect(result.stderr).toContain("No organisation initech.");
			expect(result.code).toBe(2);
		},
		SLOW,
	);

	it(
		"refuses a second server on the same data folder, naming the one that holds it",
		async () => {
			const config = await baseConfig({ dataDir });
			await expect(startSwitchboard(config, { logger: pino({ level: "silent" }) })).rejects.toThrow(
				new RegExp(`data folder ${dataDir} is in use by process ${process.pid} \\(since `),
			);
		},
		SLOW,
	);

	it(
		"keeps its channel to the folder's owner: private files, and nothing without the token",
		async () => {
			const endpoint = await readEndpoint(dataDir);
			expect(endpoint?.pid).toBe(process.pid);
			expect((await stat(join(dataDir, "admin.json"))).mode & 0o777).toBe(0o600);
			expect((await stat(endpoint?.socket ?? "")).mode & 0o777).toBe(0o600);
			const refused = await callEndpoint({ ...endpoint!, token: "guessed" }, "status", {});
			expect(refused).toMatchObject({ ok: false, status: 401, kind: "unauthorized" });
			const unknown = await callEndpoint(endpoint!, "dropEverything", {});
			expect(unknown).toMatchObject({ ok: false, status: 404 });
		},
		SLOW,
	);

	it(
		"backs up through the running server; the backup restores into a fresh folder",
		async () => {
			const file = join(scratch, "backup.tar.gz");
			const backup = await cli(["backup", file]);
			expect(backup.stderr).toContain("Through the running server");
			expect(backup.stdout).toMatch(/^Backed up .* to .*backup\.tar\.gz/);
			expect((await stat(file)).mode & 0o777).toBe(0o600);

			const refused = await cli(["restore", file]);
			expect(refused.stderr).toMatch(/A server \(process \d+\) runs on .*: stop it/);
			expect(refused.code).toBe(1);

			const fresh = join(scratch, "restored");
			const restored = await cli(["restore", file], fresh);
			expect(restored.stdout).toContain(`Restored ${file} into ${fresh}.`);
			const storage = await openStorage({ dataDir: fresh });
			try {
				const mentions = await storage.listMentions("acme", "main");
				expect(
					mentions.filter((entry) => entry.mention.externalId.startsWith("live-")),
				).toHaveLength(50);
			} finally {
				await storage.close();
			}
		},
		SLOW,
	);
});

describe("switchboard export", () => {
	it(
		"exports through the running server as JSON and as one CSV per table, private, audited",
		async () => {
			const { storage } = server.switchboard;
			const conversations = (await storage.listMentions("acme", "main")).length;
			const file = join(scratch, "acme.json");
			const json = await cli(["export", file, "--org", "acme"]);
			expect(json.stderr).toContain("Through the running server");
			expect(json.stdout).toMatch(/^Exported acme as JSON to .*acme\.json/);
			expect(json.code).toBe(0);
			expect((await stat(file)).mode & 0o777).toBe(0o600);
			const data = JSON.parse(await readFile(file, "utf8")) as {
				format: string;
				orgId: string;
				conversations: unknown[];
				members: { email: string }[];
			};
			expect(data).toMatchObject({ format: "switchboard-export", orgId: "acme" });
			expect(data.conversations).toHaveLength(conversations);
			expect(data.members.map((m) => m.email)).toContain("dana@acme.test");

			const csv = await cli([
				"export",
				join(scratch, "acme.csv"),
				"--org",
				"acme",
				"--format",
				"csv",
			]);
			expect(csv.code).toBe(0);
			const rows = (await readFile(join(scratch, "acme-conversations.csv"), "utf8"))
				.trim()
				.split("\r\n");
			expect(rows[0]).toMatch(/^id,network,external_id,/);
			expect(rows).toHaveLength(conversations + 1);
			expect(await readFile(join(scratch, "acme-members.csv"), "utf8")).toContain("dana@acme.test");

			const unknown = await cli(["export", join(scratch, "x.json"), "--org", "nope"]);
			expect(unknown.stderr).toContain("No organisation nope.");
			expect(unknown.code).toBe(2);
			const audited = await storage.listAuditEntries("acme", {
				actions: ["data.exported"],
				actor: { kind: "cli" },
				limit: 20,
			});
			// One for the JSON document, one per CSV table.
			expect(audited).toHaveLength(7);
		},
		SLOW,
	);
});

describe("the CLI without a server", () => {
	it(
		"opens the database itself once the server has stopped, and says so",
		async () => {
			await server.switchboard.close();
			const file = await inputFile(scratch, "later.csv", [
				"external_id,author_handle,text,posted_at",
				"after-1,ana,Still there?,2026-11-25T08:00:00Z",
			]);
			const result = await cli(["import", file, "--org", "acme"]);
			expect(result.stderr).toContain(
				`No server runs on ${dataDir}: opened the database directly.`,
			);
			expect(result.stdout).toMatch(/^Imported 1 mentions/);

			const direct = join(scratch, "direct.json");
			const exported = await cli(["export", direct, "--org", "acme"]);
			expect(exported.stderr).toContain(
				`No server runs on ${dataDir}: opened the database directly.`,
			);
			expect(exported.code).toBe(0);
			const data = JSON.parse(await readFile(direct, "utf8")) as {
				conversations: { externalId: string }[];
			};
			expect(data.conversations.map((c) => c.externalId)).toContain("after-1");
		},
		SLOW,
	);
});

describe("a first start without the demo", () => {
	it(
		"says there is no organisation yet and how to make one",
		async () => {
			const empty = await mkdtemp(join(tmpdir(), "switchboard-first-"));
			const child = await startChildServer({ DATA_DIR: empty, SWITCHBOARD_DEMO: "0" });
			try {
				expect(child.output()).toContain("No organisation yet.");
				expect(child.output()).toContain(
					'pnpm switchboard setup --org <id> --name "<Name>" --admin <email>',
				);
			} finally {
				await child.kill("SIGTERM");
				await rm(empty, { recursive: true, force: true });
			}
		},
		SLOW,
	);
});

/**
 * The import CLI as a user runs it: a child process on a temporary data folder (PGlite),
 * configured from the environment like the server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStorage } from "@switchboard/storage";
import { testTemplate } from "@switchboard/storage/test-template";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, inputFile, runCli } from "./run-cli.ts";
import { readMail, startSmtpCatcher } from "./smtp-catcher.ts";

const dataset = fileURLToPath(
	new URL("../../../demo/twitter-care-conversations.json", import.meta.url),
);

let dataDir: string;
/** Each run opens an embedded database on disk: tens of seconds on a machine busy with other work. */
const SLOW = 300_000;

function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
	return runCli(args, dataDir, { timeoutMs: SLOW, env: { SWITCHBOARD_DEMO: "0", ...env } });
}

async function mentionCount(): Promise<number> {
	const storage = await openStorage({ dataDir });
	try {
		return (await storage.listMentions("acme", "main")).length;
	} finally {
		await storage.close();
	}
}

beforeAll(async () => {
	dataDir = await mkdtemp(join(tmpdir(), "switchboard-cli-"));
	// From the run's migrated template: what is under test is the CLI, not a first initdb.
	const storage = await openStorage({ dataDir, template: await testTemplate() });
	await storage.createOrganisation({ id: "acme", name: "Acme" });
	await storage.createBoard({ id: "main", orgId: "acme", name: "Acme mentions" });
	await storage.createMember({
		orgId: "acme",
		email: "wile@acme.test",
		name: "Wile",
		role: "admin",
		capacity: 5,
		passwordHash: "not-a-hash",
	});
	await storage.close();
}, SLOW);
afterAll(async () => {
	await rm(dataDir, { recursive: true, force: true });
});

describe("switchboard import", () => {
	it(
		"explains its usage when an argument is missing",
		async () => {
			const result = await run(["import", dataset]);
			expect(result.code).toBe(1);
			expect(result.stderr).toMatch(/--org is required/);
			expect(result.stderr).toMatch(/Usage:/);
		},
		SLOW,
	);

	it(
		"reports each rejected row with its line and reason; a dry run stores nothing",
		async () => {
			const file = await inputFile(dataDir, "mentions.csv", [
				"external_id,author_handle,text,posted_at,network",
				"c1,ana,Where is my parcel?,2026-11-25T08:00:00Z,twitter",
				"c2,bo,,2026-11-25T08:00:00Z,twitter",
				"c3,cy,Hello,last tuesday,twitter",
			]);
			const result = await run(["import", file, "--org", "acme", "--dry-run"]);
			expect(result.stderr).toContain(`${file}:3: rejected: text: must not be empty`);
			expect(result.stderr).toContain(
				`${file}:4: rejected: postedAt: must be an ISO 8601 timestamp`,
			);
			expect(result.stdout).toMatch(
				/^Dry run: 1 mentions would be imported into acme\/main \(nothing stored\), 2 rejected\./,
			);
			expect(result.code).toBe(0);
		},
		SLOW,
	);

	it(
		"imports the shared dataset: one mention per conversation",
		async () => {
			const result = await run(["import", dataset, "--org", "acme", "--format", "twitter-care"]);
			// No server runs on this folder: the CLI opened the database itself, and says so.
			expect(result.stderr).toContain(
				`No server runs on ${dataDir}: opened the database directly.`,
			);
			expect(result.stderr).not.toMatch(/rejected/);
			expect(result.stdout).toMatch(
				/^Imported 523 mentions into acme\/main, 0 already there, 0 rejected\./,
			);
			expect(result.code).toBe(0);
			// 523 exactly: the dry run above stored nothing.
			expect(await mentionCount()).toBe(523);
		},
		SLOW,
	);

	it(
		"stores a file of more than one chunk in posted order: a reply in the second finds its conversation in the first",
		async () => {
			// 1,200 rows, sent as two calls of 1,000 and 200. The file's first line is a reply
			// posted last, to the conversation its last line starts, posted first.
			const rows = Array.from({ length: 1_199 }, (_, i) => {
				const at = new Date(Date.UTC(2026, 10, 26, 0, 0, 1_199 - i)).toISOString();
				return `big-${i},user${i},Where is parcel ${i}?,${at},twitter,`;
			});
			const file = await inputFile(dataDir, "big.csv", [
				"external_id,author_handle,text,posted_at,network,in_reply_to",
				"big-reply,user1198,Any news on it?,2026-11-26T01:00:00Z,twitter,big-1198",
				...rows,
			]);
			const result = await run(["import", file, "--org", "acme"]);
			expect(result.stdout).toMatch(
				/^Imported 1199 mentions into acme\/main, 0 already there, 0 rejected\. 1 joined conversations already there\./,
			);
			expect(result.code).toBe(0);
			expect(await mentionCount()).toBe(523 + 1_199);
		},
		SLOW,
	);
});

describe("switchboard setup and invite", () => {
	it(
		"sets an organisation up once, with a one-time link for its admin",
		async () => {
			const first = await run([
				"setup",
				"--org",
				"initech",
				"--name",
				"Initech",
				"--admin",
				"bill@initech.test",
			]);
			expect(first.stderr).toContain(`No server runs on ${dataDir}: opened the database directly.`);
			expect(first.stdout).toMatch(
				/Created the organisation initech \(Initech\) with its board main\./,
			);
			expect(first.stdout).toMatch(/^ {2}http:\/\/localhost:8080\/invite\/[A-Za-z0-9_-]{32}$/m);
			expect(first.stdout).toContain("Not mailed: SMTP is not configured");
			expect(first.code).toBe(0);

			const again = await run([
				"setup",
				"--org",
				"initech",
				"--name",
				"Other",
				"--admin",
				"x@initech.test",
			]);
			expect(again.stderr).toContain(
				"The organisation initech exists already; nothing was changed.",
			);
			expect(again.code).toBe(3);

			// Another organisation whose admin is already a member (of Acme): not set up, and not
			// told as "there already" (3), which a script takes for done.
			const taken = await run([
				"setup",
				"--org",
				"initrode",
				"--name",
				"Initrode",
				"--admin",
				"wile@acme.test",
			]);
			expect(taken.stderr).toContain("--admin: wile@acme.test already belongs to a member");
			expect(taken.code).toBe(1);
		},
		SLOW,
	);

	it(
		"mails the first admin's link when SMTP is configured, and sets up all the same when the mail fails",
		async () => {
			const smtp = await startSmtpCatcher();
			try {
				const mailed = await run(
					["setup", "--org", "globex", "--name", "Globex", "--admin", "hank@globex.test"],
					{ SMTP_URL: smtp.url },
				);
				expect(mailed.code).toBe(0);
				const printed = /^ {2}(http:\/\/\S+)$/m.exec(mailed.stdout)?.[1];
				expect(printed).toMatch(/\/invite\/[A-Za-z0-9_-]{32}$/);
				expect(mailed.stdout).toContain("Also sent to hank@globex.test.");
				expect(smtp.received.map((message) => message.to)).toEqual([["hank@globex.test"]]);
				const mail = readMail(smtp.received[0]?.data ?? "");
				expect(mail.subject).toBe("You are the first admin of Globex on Switchboard");
				expect(mail.text).toContain(printed);
				expect(mail.html).toContain(`<a href="${printed}">`);
			} finally {
				await smtp.close();
			}

			// Nothing listens there: the organisation is set up, its link printed, the failure said.
			const failed = await run(
				["setup", "--org", "umbrella", "--name", "Umbrella", "--admin", "alice@umbrella.test"],
				{ SMTP_URL: "smtp://127.0.0.1:1" },
			);
			expect(failed.stdout).toMatch(/Created the organisation umbrella \(Umbrella\)/);
			expect(failed.stdout).toMatch(/^ {2}http:\/\/localhost:8080\/invite\/[A-Za-z0-9_-]{32}$/m);
			expect(failed.stdout).toMatch(
				/Not mailed: sending it to alice@umbrella\.test failed \(.*ECONNREFUSED.*\)\. The link works all the same/,
			);
			expect(failed.stdout).not.toContain("Also sent to");
			expect(failed.code).toBe(0);

			// A server that accepts and never answers: the wait is bounded, the failure said.
			const silent = createServer(() => {});
			await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
			const port = (silent.address() as AddressInfo).port;
			try {
				const unanswered = await run(
					["setup", "--org", "hooli", "--name", "Hooli", "--admin", "gavin@hooli.test"],
					{ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_TIMEOUT_SECONDS: "1" },
				);
				expect(unanswered.stdout).toMatch(/Created the organisation hooli \(Hooli\)/);
				// SMTP_TIMEOUT_SECONDS bounds the greeting and the socket's silence alike: before the
				// greeting either may fire first, and either names the bound.
				expect(unanswered.stdout).toMatch(
					new RegExp(
						`Not mailed: sending it to gavin@hooli\\.test failed \\(the mail server 127\\.0\\.0\\.1:${port} did not (greet|answer) within 1 s \\((Greeting never received|Timeout)\\)\\)\\. The link works all the same`,
					),
				);
				expect(unanswered.code).toBe(0);
			} finally {
				silent.close();
			}
		},
		SLOW,
	);

	it(
		"reports every bad row of a CSV by line and invites nobody, unless asked for the good rows",
		async () => {
			const file = await inputFile(dataDir, "members.csv", [
				"email,name,role,capacity,team",
				"peter@initech.test,Peter,ambassador,3,main",
				"not-an-email,Nobody,ambassador,3,main",
				"samir@initech.test,Samir,boss,3,main",
				"peter@initech.test,Peter again,ambassador,3,main",
				"milton@initech.test,Milton,ambassador,2,",
			]);
			// Checked first: the dry run ends as the run would, refused.
			const dry = await run(["invite", file, "--org", "initech", "--dry-run"]);
			expect(dry.stdout).toContain("Dry run: 2 people would be invited to initech, 3 rows refused");
			expect(dry.code).toBe(1);
			const refused = await run(["invite", file, "--org", "initech"]);
			expect(refused.stderr).toContain(`${file}:3: not-an-email: email: must be an email address`);
			expect(refused.stderr).toMatch(new RegExp(`${file}:4: samir@initech.test: role`));
			expect(refused.stderr).toContain(
				`${file}:5: peter@initech.test: email: peter@initech.test is already on line 2.`,
			);
			expect(refused.stderr).toMatch(/3 of 5 rows are refused \(above\); nobody was invited\./);
			expect(refused.code).toBe(1);

			const good = await run(["invite", file, "--org", "initech", "--good-rows-only"]);
			expect(good.code).toBe(0);
			const links = good.stdout.trim().split("\n");
			expect(links[0]).toBe("email,url,expires_at");
			expect(links.slice(1).map((line) => line.split(",")[0])).toEqual([
				"peter@initech.test",
				"milton@initech.test",
			]);
			expect(good.stderr).toMatch(/Invited 2 people to initech, 3 rows refused\./);
		},
		SLOW,
	);
});

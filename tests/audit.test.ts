/**
 * The admin audit log (issue 12, part 7) against a real server: every admin act of the
 * people and settings APIs, and `switchboard setup` through the admin channel, leaves one
 * entry with who did it; admins read the log newest first, filtered and paged, or as CSV
 * that a spreadsheet will not run; nobody else reads it.
 */
import { callEndpoint } from "@switchboard/server";
import { beforeAll, describe, expect, it } from "vitest";
import { type TestMember, testServerForFile } from "./utils/test-server.ts";

const server = testServerForFile();
let ada: TestMember;
beforeAll(async () => {
	ada = await server.addMember("acme", "Ada Admin", "admin");
});

const GOOD_PASSWORD = "a long enough passphrase";

interface Answer {
	status: number;
	// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in the tests
	body: any;
	text: string;
	headers: Headers;
}

async function api(
	method: string,
	path: string,
	options: { token?: string; body?: unknown; accept?: string } = {},
): Promise<Answer> {
	const { accept, ...rest } = options;
	const response = await server.request(path, {
		method,
		...rest,
		...(accept ? { headers: { accept } } : {}),
	});
	const text = await response.text();
	const json = response.headers.get("content-type")?.includes("json") && text;
	return {
		status: response.status,
		body: json ? JSON.parse(text) : null,
		text,
		headers: response.headers,
	};
}

const codeOf = (url: string) => url.split("/invite/")[1] ?? "";

async function auditOf(orgId: string, query = "", token = ada.token) {
	const answer = await api("GET", `/api/orgs/${orgId}/audit${query}`, { token });
	expect(answer.status, answer.text).toBe(200);
	return answer.body as {
		entries: {
			id: string;
			actor: string;
			actorName: string | null;
			action: string;
			target: { type: string; id: string } | null;
			details: Record<string, unknown>;
			at: string;
		}[];
		nextCursor: string | null;
	};
}

describe("the audit log", () => {
	it("records setup at the command line as cli", async () => {
		const endpoint = server.switchboard.admin?.endpoint;
		if (!endpoint) throw new Error("the test server serves no admin channel");
		const created = await callEndpoint(endpoint, "setup", {
			orgId: "hooli",
			name: "Hooli",
			adminEmail: "gavin@hooli.test",
		});
		expect(created.ok).toBe(true);
		const link = created.ok ? JSON.parse(created.body.toString()).result : null;
		const joined = await api("POST", `/api/invites/${codeOf(link.url)}/accept`, {
			body: { name: "Gavin", password: GOOD_PASSWORD },
		});
		expect(joined.status).toBe(200);
		const { entries } = await auditOf("hooli", "", joined.body.token);
		expect(entries.map((entry) => [entry.action, entry.actor])).toEqual([
			["invitation.accepted", joined.body.member.id],
			["organisation.set_up", "cli"],
		]);
		expect(entries[1]?.details).toEqual({ name: "Hooli", adminEmail: "gavin@hooli.test" });
	});

	it("records every admin act on people with who did it, and refuses to show it to others", async () => {
		const invited = await api("POST", "/api/orgs/acme/invites", {
			token: ada.token,
			body: { invites: [{ email: "eve@acme.test", role: "ambassador", name: "=HYPERLINK(1)" }] },
		});
		expect(invited.status).toBe(201);
		const csv = await api("POST", "/api/orgs/acme/invites/csv", {
			token: ada.token,
			body: { csv: "email,name,role\nfrank@acme.test,Frank,moderator\n" },
		});
		expect(csv.status).toBe(201);
		const [frank] = (await api("GET", "/api/orgs/acme/invites?q=frank", { token: ada.token })).body
			.invites;
		expect(
			(await api("DELETE", `/api/orgs/acme/invites/${frank.id}`, { token: ada.token })).status,
		).toBe(200);
		const eve = await api("POST", `/api/invites/${codeOf(invited.body.invites[0].url)}/accept`, {
			body: { password: GOOD_PASSWORD },
		});
		expect(eve.status).toBe(200);
		const eveId = eve.body.member.id as string;
		const patched = await api("PATCH", `/api/orgs/acme/members/${eveId}`, {
			token: ada.token,
			body: { role: "moderator", capacity: 3 },
		});
		expect(patched.status).toBe(200);
		const reset = await api("POST", `/api/orgs/acme/members/${eveId}/password-reset`, {
			token: ada.token,
		});
		expect(reset.status).toBe(201);
		const renewed = await api("POST", `/api/invites/${codeOf(reset.body.url)}/accept`, {
			body: { password: "another long passphrase" },
		});
		expect(renewed.status).toBe(200);
		const changed = await api("PUT", "/api/me/password", {
			token: renewed.body.token,
			body: { currentPassword: "another long passphrase", newPassword: "yet another passphrase" },
		});
		expect(changed.status).toBe(200);
		for (const active of [false, true]) {
			const patch = { token: ada.token, body: { active } };
			expect((await api("PATCH", `/api/orgs/acme/members/${eveId}`, patch)).status).toBe(200);
		}

		const { entries } = await auditOf("acme");
		expect(entries.map((entry) => [entry.action, entry.actor, entry.target?.id ?? null])).toEqual([
			["member.reactivated", ada.id, eveId],
			["member.deactivated", ada.id, eveId],
			["password.changed", eveId, eveId],
			["password.reset", eveId, eveId],
			["password.reset_link_created", ada.id, eveId],
			["member.changed", ada.id, eveId],
			["invitation.accepted", eveId, eveId],
			["invitation.revoked", ada.id, frank.id],
			["invitation.created", ada.id, frank.id],
			["invitation.created", ada.id, expect.any(String)],
		]);
		const byAction = (action: string) => entries.find((entry) => entry.action === action);
		expect(byAction("member.changed")?.details).toEqual({
			changed: ["role", "capacity"],
			from: { role: "ambassador", capacity: expect.any(Number) },
			to: { role: "moderator", capacity: 3 },
		});
		expect(byAction("member.deactivated")?.details).toEqual({ released: 0 });
		expect(byAction("password.reset")?.details).toEqual({
			email: "eve@acme.test",
			link: "made by an admin",
		});
		expect(byAction("member.changed")?.actorName).toBe("Ada Admin");
		expect(entries.at(-1)?.details).toEqual({
			email: "eve@acme.test",
			role: "ambassador",
			boards: ["main"],
		});
		// Nothing secret is recorded: no code, no link, no password.
		expect(JSON.stringify(entries)).not.toMatch(/invite\/|passphrase/);

		expect(
			(await api("GET", "/api/orgs/acme/audit", { token: server.members.morgan?.token })).status,
		).toBe(403);
		expect(
			(await api("GET", "/api/orgs/acme/audit", { token: server.members.dana?.token })).status,
		).toBe(403);
		expect((await api("GET", "/api/orgs/acme/audit")).status).toBe(401);
		expect((await api("GET", "/api/orgs/globex/audit", { token: ada.token })).status).toBe(403);
	});

	it("records settings changes: board settings, rules, sources and webhooks", async () => {
		const settings = await api("PUT", "/api/orgs/acme/boards/main/settings", {
			token: ada.token,
			body: { leaseMinutes: 45 },
		});
		expect(settings.status, settings.text).toBe(200);
		const rules = await api("PUT", "/api/orgs/acme/rules", {
			token: ada.token,
			body: { rules: [] },
		});
		expect(rules.status, rules.text).toBe(200);
		const source = await api("POST", "/api/orgs/acme/sources", {
			token: ada.token,
			body: { kind: "webhook", name: "Forms" },
		});
		expect(source.status, source.text).toBe(201);
		const sourceId = source.body.source.id as string;
		await api("PATCH", `/api/orgs/acme/sources/${sourceId}`, {
			token: ada.token,
			body: { name: "Contact forms" },
		});
		await api("POST", `/api/orgs/acme/sources/${sourceId}/rotate-secret`, { token: ada.token });
		await api("DELETE", `/api/orgs/acme/sources/${sourceId}`, { token: ada.token });
		const hook = await api("POST", "/api/orgs/acme/webhooks", {
			token: ada.token,
			body: { url: "https://hooks.example.test/T000/secret-path", events: ["mention.claimed"] },
		});
		expect(hook.status, hook.text).toBe(201);
		await api("DELETE", `/api/orgs/acme/webhooks/${hook.body.webhook.id}`, { token: ada.token });

		const { entries } = await auditOf("acme", "?limit=8");
		expect(entries.map((entry) => entry.action)).toEqual([
			"webhook.deleted",
			"webhook.created",
			"source.deleted",
			"source.secret_rotated",
			"source.changed",
			"source.created",
			"rules.changed",
			"board.settings_changed",
		]);
		expect(entries[4]?.details).toMatchObject({
			changed: ["name"],
			from: { name: "Forms" },
			to: { name: "Contact forms" },
		});
		expect(entries[7]?.details).toMatchObject({
			changed: ["leaseMinutes"],
			to: { leaseMinutes: 45 },
		});
		// A hook's URL may hold its secret: only the host is kept.
		expect(entries[1]?.details).toEqual({
			host: "hooks.example.test",
			events: ["mention.claimed"],
		});
	});

	it("filters by action, actor and period and pages without repeating an entry", async () => {
		const all = await auditOf("acme", "?limit=200");
		const invitations = await auditOf("acme", "?action=invitation.created,invitation.revoked");
		expect(invitations.entries.map((entry) => entry.action).sort()).toEqual([
			"invitation.created",
			"invitation.created",
			"invitation.revoked",
		]);
		const byAda = await auditOf("acme", `?actor=${ada.id}&limit=200`);
		expect(byAda.entries.every((entry) => entry.actor === ada.id)).toBe(true);
		expect(byAda.entries.length).toBeLessThan(all.entries.length);
		expect((await auditOf("acme", "?to=2020-01-01")).entries).toEqual([]);
		expect((await auditOf("acme", "?from=2020-01-01&limit=200")).entries).toEqual(all.entries);

		const seen: string[] = [];
		let cursor: string | null = "";
		while (cursor !== null) {
			const page = await auditOf("acme", `?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
			expect(page.entries.length).toBeLessThanOrEqual(3);
			seen.push(...page.entries.map((entry) => entry.id));
			cursor = page.nextCursor;
		}
		expect(seen).toEqual(all.entries.map((entry) => entry.id));

		const bad = await api("GET", "/api/orgs/acme/audit?action=member.exploded", {
			token: ada.token,
		});
		expect(bad.status).toBe(400);
		expect(bad.body.error.message).toMatch(/action/);
		expect((await api("GET", "/api/orgs/acme/audit?limit=500", { token: ada.token })).status).toBe(
			400,
		);
		expect((await api("GET", "/api/orgs/acme/audit?cursor=abc", { token: ada.token })).status).toBe(
			400,
		);
		expect(
			(await api("GET", "/api/orgs/acme/audit?from=2026-12-02&to=2026-12-01", { token: ada.token }))
				.status,
		).toBe(400);
	});

	it("exports the log as CSV, asked either way, safe to open in a spreadsheet", async () => {
		const all = await auditOf("acme", "?limit=200");
		const byFormat = await api("GET", "/api/orgs/acme/audit?format=csv", { token: ada.token });
		expect(byFormat.status).toBe(200);
		expect(byFormat.headers.get("content-type")).toMatch(/^text\/csv/);
		expect(byFormat.headers.get("content-disposition")).toMatch(
			/attachment; filename="switchboard-audit-acme-/,
		);
		const byAccept = await api("GET", "/api/orgs/acme/audit", {
			token: ada.token,
			accept: "text/csv",
		});
		expect(byAccept.text).toBe(byFormat.text);
		const lines = byFormat.text.split("\r\n");
		expect(lines[0]).toBe("at,actor,actor_name,action,target_type,target_id,details");
		expect(lines).toHaveLength(all.entries.length + 2);
		expect(lines.at(-1)).toBe("");
		// Eve named herself "=HYPERLINK(1)": her cells start with a quote, not a formula.
		const eve = lines.find(
			(line) => line.includes("invitation.accepted") && line.includes("HYPERLINK"),
		);
		expect(eve).toContain(",'=HYPERLINK(1),invitation.accepted,");
		const filtered = await api("GET", "/api/orgs/acme/audit?format=csv&action=rules.changed", {
			token: ada.token,
		});
		expect(filtered.text.split("\r\n")).toHaveLength(3);
		expect(
			(await api("GET", "/api/orgs/acme/audit?format=csv", { token: server.members.dana?.token }))
				.status,
		).toBe(403);
	});
});

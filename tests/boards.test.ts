/**
 * Teams = boards (issue 12, part 4), against one real server: admins create, rename and
 * archive boards (every change in the audit log, bad ids, duplicates and the last board
 * refused); an ambassador sees and opens only their boards, over HTTP (403) and at sync
 * authentication (4403); taking them off a board closes their socket on it at once and
 * releases what they held there; routing skips an archived board, whose conversations stay
 * searchable and take no commands.
 */
import { boardDocumentName, draftDocumentName, readMention } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import { closedWithin, openRawClient } from "./utils/raw-client.ts";
import {
	connectProvider,
	makeMention,
	type TestMember,
	testServerForFile,
	waitFor,
} from "./utils/test-server.ts";

const server = testServerForFile();

/** Well below the membership check's 30 s: a close this fast comes from the change itself. */
const AT_ONCE_MS = 5_000;

interface Answer {
	status: number;
	// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in the tests
	body: any;
}

async function api(
	member: TestMember,
	method: string,
	path: string,
	body?: unknown,
): Promise<Answer> {
	const response = await server.request(path, {
		method,
		token: member.token,
		...(body !== undefined ? { body } : {}),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : null };
}

let admin: TestMember;
const members = () => server.members as Record<"dana" | "sam" | "kim" | "morgan", TestMember>;

/** The press office's board, live, for the member holding `token`. */
const pressOfficeBoard = (token: string) =>
	connectProvider(server.wsUrl, boardDocumentName("acme", "press-office"), token);

async function auditActions(boardId: string): Promise<string[]> {
	const { body } = await api(admin, "GET", "/api/orgs/acme/audit?limit=200");
	return (body.entries as { action: string; target: { id: string } | null }[])
		.filter((entry) => entry.target?.id === boardId)
		.map((entry) => entry.action)
		.reverse();
}

/** Mentions stored on a board and shown on its live document. */
async function arrive(boardId: string, ...numbers: number[]) {
	const stored = await server.switchboard.storage.insertMentions(
		"acme",
		boardId,
		numbers.map((n) => makeMention(n)),
	);
	await server.switchboard.board.publish("acme", boardId, stored);
	return stored.map(({ mention }) => mention.id);
}

describe("admins create, rename and archive boards", () => {
	it("creates a board from its name, refuses bad ids, duplicates and non-admins", async () => {
		admin = await server.addMember("acme", "Ada Admin", "admin");
		const created = await api(admin, "POST", "/api/orgs/acme/boards", { name: "Press office" });
		expect(created).toMatchObject({
			status: 201,
			body: {
				board: { id: "press-office", orgId: "acme", name: "Press office", archivedAt: null },
			},
		});
		const named = await api(admin, "POST", "/api/orgs/acme/boards", { id: "vip", name: "VIPs" });
		expect(named.status).toBe(201);

		const refused = [
			[{ id: "vip", name: "Other" }, 409, /already exists/],
			[{ name: " press OFFICE " }, 409, /named “Press office” exists already/],
			[{ id: "no spaces", name: "X" }, 400, /^id: must be 1 to 64 letters/],
			[{ name: "" }, 400, /^name: must not be empty/],
			[{ name: "X", colour: "red" }, 400, /colour/],
		] as const;
		for (const [body, status, message] of refused) {
			const answer = await api(admin, "POST", "/api/orgs/acme/boards", body);
			expect(answer.status, JSON.stringify(body)).toBe(status);
			expect(answer.body.error.message).toMatch(message);
		}
		expect(
			(await api(members().morgan, "POST", "/api/orgs/acme/boards", { name: "M" })).status,
		).toBe(403);
		expect((await api(admin, "POST", "/api/orgs/globex/boards", { name: "G" })).status).toBe(403);
		expect(await auditActions("press-office")).toEqual(["board.created"]);
	});

	it("renames and archives a board, never the last active one, all in the audit log", async () => {
		const renamed = await api(admin, "PATCH", "/api/orgs/acme/boards/vip", { name: "VIP desk" });
		expect(renamed.body.board).toMatchObject({ id: "vip", name: "VIP desk" });
		expect(
			(await api(admin, "PATCH", "/api/orgs/acme/boards/vip", { name: "Acme mentions" })).status,
		).toBe(409);
		expect((await api(admin, "PATCH", "/api/orgs/acme/boards/nope", { name: "X" })).status).toBe(
			404,
		);
		expect((await api(admin, "PATCH", "/api/orgs/acme/boards/vip", {})).status).toBe(400);

		const archived = await api(admin, "PATCH", "/api/orgs/acme/boards/vip", { archived: true });
		expect(archived.body.board.archivedAt).toEqual(expect.any(String));
		// Hidden from the list a switcher reads, there when asked for.
		const listed = await api(admin, "GET", "/api/boards");
		expect(listed.body.boards.map((b: { id: string }) => b.id)).not.toContain("vip");
		const all = await api(admin, "GET", "/api/boards?include=archived");
		expect(all.body.boards.map((b: { id: string }) => b.id)).toContain("vip");
		expect(await auditActions("vip")).toEqual(["board.created", "board.renamed", "board.archived"]);

		// Archive every other board: the last one stays.
		await api(admin, "PATCH", "/api/orgs/acme/boards/press-office", { archived: true });
		const last = await api(admin, "PATCH", "/api/orgs/acme/boards/main", { archived: true });
		expect(last.status).toBe(409);
		expect(last.body.error.message).toMatch(/last active board/);
		expect(
			(await api(admin, "PATCH", "/api/orgs/acme/boards/press-office", { archived: false })).status,
		).toBe(200);
		expect(await auditActions("press-office")).toEqual([
			"board.created",
			"board.archived",
			"board.unarchived",
		]);
	});
});

describe("an ambassador sees and opens only the boards they belong to", () => {
	it("lists, reads and searches their own boards; another board is 403 over HTTP", async () => {
		const { dana, morgan } = members();
		const [pressMention] = await arrive("press-office", 500);
		// Dana was made before the press office existed: on main only.
		const boards = async (member: TestMember) =>
			(await api(member, "GET", "/api/boards")).body.boards.map((b: { id: string }) => b.id);
		expect(await boards(dana)).toEqual(["main"]);
		// Moderators watch every board.
		expect(await boards(morgan)).toEqual(["main", "press-office"]);

		for (const path of [
			"/api/boards/press-office/mentions",
			"/api/boards/press-office/settings",
			`/api/mentions/${pressMention}/sends`,
		]) {
			const answer = await api(dana, "GET", path);
			expect(answer.status, path).toBe(403);
			expect(answer.body.error.message).toMatch(/not a member of the board press-office/);
		}
		expect((await api(morgan, "GET", "/api/boards/press-office/mentions")).status).toBe(200);
		const search = async (member: TestMember) =>
			(await api(member, "GET", "/api/history?q=500")).body.conversations.map(
				(c: { id: string }) => c.id,
			);
		expect(await search(dana)).not.toContain(pressMention);
		expect(await search(morgan)).toContain(pressMention);
	});

	it("refuses another board's board and draft documents at sync authentication with 4403", async () => {
		const { dana } = members();
		const [pressMention] = await arrive("press-office", 501);
		for (const name of [
			boardDocumentName("acme", "press-office"),
			draftDocumentName("acme", pressMention ?? ""),
		]) {
			const socket = await openRawClient(server.wsUrl);
			try {
				expect(await socket.authenticate(name, dana.token)).toMatch(
					/^Forbidden: You are not a member of the board press-office/,
				);
				expect(await closedWithin(socket, AT_ONCE_MS)).toBe(4403);
			} finally {
				socket.close();
			}
		}
	});

	it("takes effect at once when an admin changes a member's boards", async () => {
		const { sam } = members();
		const [held, other] = await arrive("press-office", 502, 503);
		const added = await api(admin, "PATCH", `/api/orgs/acme/members/${sam.id}`, {
			boards: ["main", "press-office"],
		});
		expect(added.body.member.boards).toEqual(["main", "press-office"]);
		const board = await pressOfficeBoard(sam.token);
		const socket = await openRawClient(server.wsUrl);
		const watcher = await pressOfficeBoard(admin.token);
		try {
			expect(
				await board.commands.send({ name: "claim", args: { mentionId: held ?? "" } }),
			).toMatchObject({ type: "ack" });
			expect(await socket.authenticate(draftDocumentName("acme", held ?? ""), sam.token)).toBe(
				"authenticated",
			);

			const removed = await api(admin, "PATCH", `/api/orgs/acme/members/${sam.id}`, {
				boards: ["main"],
			});
			expect(removed.body).toMatchObject({ member: { boards: ["main"] }, released: 1 });
			// The draft's socket closes with 4403, not 4401: the session goes on.
			expect(await closedWithin(socket, AT_ONCE_MS)).toBe(4403);
			expect((await api(sam, "GET", "/api/me")).status).toBe(200);
			await waitFor(
				() => readMention(watcher.doc, held ?? "")?.owner === null,
				AT_ONCE_MS,
				"the released conversation on the live board",
			);
			const [activity] = await server.switchboard.storage.listActivity("acme", {
				mentionId: held ?? "",
				limit: 1,
			});
			expect(activity).toMatchObject({ action: "member_left_board" });
			// Nothing on that board for them any more, a claim included.
			const again = await openRawClient(server.wsUrl);
			try {
				expect(
					await again.authenticate(boardDocumentName("acme", "press-office"), sam.token),
				).toMatch(/^Forbidden/);
			} finally {
				again.close();
			}
			expect(readMention(watcher.doc, other ?? "")?.owner).toBeNull();
			const [audit] = (
				await api(admin, "GET", "/api/orgs/acme/audit?action=member.changed&limit=1")
			).body.entries;
			expect(audit).toMatchObject({
				target: { id: sam.id },
				details: { changed: ["boards"], to: { boards: ["main"] } },
			});
		} finally {
			board.destroy();
			watcher.destroy();
			socket.close();
		}
	});
});

describe("an archived board", () => {
	it("takes no new conversations, no commands and no changes, and stays searchable", async () => {
		const { morgan } = members();
		const [kept] = await arrive("press-office", 504);
		const live = await pressOfficeBoard(morgan.token);
		try {
			expect(
				(await api(admin, "PATCH", "/api/orgs/acme/boards/press-office", { archived: true }))
					.status,
			).toBe(200);
			expect(
				await live.commands.send({ name: "claim", args: { mentionId: kept ?? "" } }),
			).toMatchObject({
				type: "reject",
				code: "forbidden",
				message: expect.stringMatching(/archived/),
			});
			expect(
				(
					await api(admin, "PUT", "/api/orgs/acme/boards/press-office/settings", {
						leaseMinutes: 30,
					})
				).status,
			).toBe(409);
		} finally {
			live.destroy();
		}

		// A source, or a rule, that routes to it: the organisation's first board takes it.
		await server.switchboard.storage.setTriageRules("acme", [
			{ id: "press", match: { keyword: "journalist" }, apply: { board: "press-office" } },
		]);
		const routed = await server.switchboard.integrations.ingestor.ingest("acme", "press-office", [
			makeMention(505, { text: "A journalist asks about 505" }),
			makeMention(506),
		]);
		for (const { mention } of routed.stored) {
			expect(await server.switchboard.storage.getMentionBoardId("acme", mention.id)).toBe("main");
		}
		// New sources and rules may not name it.
		const rule = await api(admin, "PUT", "/api/orgs/acme/rules", {
			rules: [{ id: "press", match: { keyword: "journalist" }, apply: { board: "press-office" } }],
		});
		expect(rule.status).toBe(400);
		expect(rule.body.error.message).toMatch(
			/^rules\.0\.apply\.board: the board Press office is archived/,
		);

		// Its history is still found (by someone who may open it).
		const found = await api(morgan, "GET", "/api/history?q=504");
		expect(found.body.conversations.map((c: { id: string }) => c.id)).toContain(kept);
	});

	it("routes by a rule's board when that board is active", async () => {
		await api(admin, "PATCH", "/api/orgs/acme/boards/press-office", { archived: false });
		const routed = await server.switchboard.integrations.ingestor.ingest("acme", "main", [
			makeMention(507, { text: "A journalist asks about 507" }),
			makeMention(508),
		]);
		const boards = await Promise.all(
			routed.stored.map(({ mention }) =>
				server.switchboard.storage.getMentionBoardId("acme", mention.id),
			),
		);
		expect(boards.sort()).toEqual(["main", "press-office"]);
		await server.switchboard.storage.setTriageRules("acme", []);
	});

	it("gives a member invited while the first board is archived the board new work goes to", async () => {
		await api(admin, "PATCH", "/api/orgs/acme/boards/main", { archived: true });
		try {
			const invited = await api(admin, "POST", "/api/orgs/acme/invites", {
				invites: [{ email: "late.joiner@acme.test", role: "ambassador", name: "Late Joiner" }],
			});
			expect(invited.status).toBe(201);
			const listed = await api(admin, "GET", "/api/orgs/acme/invites?q=late.joiner");
			expect(listed.body.invites).toMatchObject([{ boards: ["press-office"] }]);
		} finally {
			await api(admin, "PATCH", "/api/orgs/acme/boards/main", { archived: false });
		}
	});
});

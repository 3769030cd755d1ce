/**
 * The whole path issue 12 asks for, on one real server: `switchboard setup` through the admin
 * channel, the first admin's link accepted, a second board, a thousand members invited in one
 * CSV across the two boards (the `team` column), every invitation accepted, and every member
 * claiming on their own board over a real socket: nobody owns what another owns, nobody holds
 * more than their capacity, nobody claims on a board they are not on (its document is refused
 * with 4403).
 *
 * Why the acceptances take two paths: accepting a link hashes the new password with scrypt at
 * OWASP's parameters (N=2^17, r=8: 128 MiB and ~0.3 s of a core each), two at a time
 * (`defaultHashingLimits`). A thousand of them is five minutes of pure hashing on a 2-core CI
 * machine: that cost is what the benchmark's sign-in burst measures, not what this test is
 * about. So `HTTP_ACCEPTS` links are accepted through `POST /api/invites/:code/accept` (the
 * real route, scrypt and all, two at a time as the server allows), and the others through
 * the same storage transaction that route ends in (`acceptInvitation`: single use, the
 * member created with the invitation's boards), with one password hash made once. Every
 * member then claims through the sync server exactly as a browser does.
 *
 * The thousand socket connections each sync the board document before claiming, as a
 * browser would.
 */
import { randomUUID } from "node:crypto";
import { boardDocumentName } from "@switchboard/domain";
import {
	callEndpoint,
	defaultStoreTuning,
	hashInviteCode,
	hashPassword,
} from "@switchboard/server";
import { describe, expect, it } from "vitest";
import { closedWithin, openRawClient } from "./utils/raw-client.ts";
import { connectProvider, makeMention, testServerForFile } from "./utils/test-server.ts";

/**
 * A thousand people come from as many addresses; here every socket comes from 127.0.0.1, so
 * the per-address upgrade limit (120 a minute by default) would pace the test at two
 * sockets a second: eight minutes of waiting, not of work.
 *
 * Boards are stored on production's schedule, not the test servers' short one: with a store
 * at least once a second (`testStoreTuning`), each busy board was compacted about 70 times
 * while the members claimed, each compaction writing and reading back the whole board (some
 * 300 KB), and the claims took 32 s instead of 18.
 */
const server = testServerForFile(
	{ rateLimits: { socketsPerIp: { points: 10_000, seconds: 60 } } },
	{ store: defaultStoreTuning },
);

const MEMBERS = 1_000;
/** Accepted through the HTTP route, with scrypt (see the file's comment). */
const HTTP_ACCEPTS = 8;
/** Conversations on each board: fewer than its members, so claims race for them. */
const MENTIONS_PER_BOARD = 150;
/** Sockets open at once while members claim: a crowd, within what one test process holds. */
const SOCKETS_AT_ONCE = 25;
/** Members who also try the board they are not on. */
const CROSS_CHECKS = 40;
const PASSWORD = "a long enough passphrase";
const ORG = "thousand";

async function api(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
	const response = await server.request(path, {
		...(init.method ? { method: init.method } : {}),
		...(init.token ? { token: init.token } : {}),
		...(init.body !== undefined ? { body: init.body } : {}),
	});
	const text = await response.text();
	// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
	return { status: response.status, body: text ? (JSON.parse(text) as any) : null };
}

const codeOf = (url: string) => url.split("/invite/")[1] ?? "";

/** `run` over `items`, at most `limit` at a time; the results in input order. */
async function atMost<T, R>(
	limit: number,
	items: readonly T[],
	run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results: R[] = [];
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await run(items[index] as T, index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}

describe("from setup to a thousand invited members claiming on two boards", () => {
	it("sets up, invites a thousand across two boards, accepts them all, and every claim keeps to its board", async () => {
		const { storage, tokens } = server.switchboard;
		const endpoint = server.switchboard.admin?.endpoint;
		if (!endpoint) throw new Error("the test server serves no admin channel");
		const setup = await callEndpoint(endpoint, "setup", {
			orgId: ORG,
			name: "Thousand Ltd",
			adminEmail: "boss@thousand.test",
		});
		expect(setup.ok).toBe(true);
		const link = setup.ok ? JSON.parse(setup.body.toString()).result.url : "";
		const admin = await api(`/api/invites/${codeOf(link)}/accept`, {
			method: "POST",
			body: { name: "Boss", password: PASSWORD },
		});
		expect(admin.status).toBe(200);
		const adminToken = admin.body.token as string;
		const press = await api(`/api/orgs/${ORG}/boards`, {
			method: "POST",
			token: adminToken,
			body: { id: "press", name: "Press" },
		});
		expect(press.status).toBe(201);

		// One CSV, half of it on each board.
		const boardOf = (i: number) => (i % 2 === 0 ? "main" : "press");
		const csv = [
			"email,name,role,capacity,team",
			...Array.from(
				{ length: MEMBERS },
				(_, i) => `m${i}@thousand.test,Member ${i},ambassador,1,${boardOf(i)}`,
			),
		].join("\n");
		const invited = await api(`/api/orgs/${ORG}/invites/csv`, {
			method: "POST",
			token: adminToken,
			body: { csv },
		});
		expect(invited.status, JSON.stringify(invited.body?.error)).toBe(201);
		const links = invited.body.invites as { email: string; url: string }[];
		expect(links).toHaveLength(MEMBERS);

		// Accept: a few through the route (two at a time, as the hasher takes them), the rest
		// through the transaction the route ends in.
		const sharedHash = await hashPassword(PASSWORD);
		const viaHttp = await atMost(2, links.slice(0, HTTP_ACCEPTS), async ({ email, url }) => {
			const answer = await api(`/api/invites/${codeOf(url)}/accept`, {
				method: "POST",
				body: { password: PASSWORD },
			});
			expect(answer.status, email).toBe(200);
			return {
				email,
				memberId: answer.body.member.id as string,
				token: answer.body.token as string,
			};
		});
		const viaStorage = await atMost(50, links.slice(HTTP_ACCEPTS), async ({ email, url }) => {
			const { member } = await storage.acceptInvitation({
				codeHash: hashInviteCode(codeOf(url)),
				now: new Date(),
				memberId: randomUUID(),
				passwordHash: sharedHash,
			});
			const token = await tokens.sign({
				memberId: member.id,
				orgId: ORG,
				role: member.role,
				name: member.name,
			});
			return { email, memberId: member.id, token };
		});
		const accepted = [...viaHttp, ...viaStorage];
		// Each on the board of their row, and only there.
		for (const [i, member] of accepted.entries()) {
			expect(await storage.boardIdsOf(member.memberId), member.email).toEqual([boardOf(i)]);
		}
		// A link is used once.
		const again = await api(`/api/invites/${codeOf(links[0]?.url ?? "")}/accept`, {
			method: "POST",
			body: { password: PASSWORD },
		});
		expect(again.status).toBe(410);

		for (const boardId of ["main", "press"]) {
			await storage.insertMentions(
				ORG,
				boardId,
				Array.from({ length: MENTIONS_PER_BOARD }, (_, i) =>
					makeMention(i, { externalId: `${boardId}-${i}` }),
				),
			);
		}

		// Everyone claims the next conversation on their board, over a socket of their own.
		const outcomes = await atMost(SOCKETS_AT_ONCE, accepted, async (member, i) => {
			const client = await connectProvider(
				server.wsUrl,
				boardDocumentName(ORG, boardOf(i)),
				member.token,
			);
			try {
				return await client.commands.send({ name: "claimNext", args: {} });
			} finally {
				client.destroy();
			}
		});
		const acks = outcomes.filter((outcome) => outcome.type === "ack");
		const refusals = outcomes.filter((outcome) => outcome.type !== "ack");
		expect(acks).toHaveLength(2 * MENTIONS_PER_BOARD);
		expect(
			new Set(refusals.map((outcome) => (outcome.type === "reject" ? outcome.code : ""))),
		).toEqual(new Set(["nothing_to_claim"]));

		// One owner per conversation, one conversation per member (capacity 1), each on the
		// owner's own board.
		const ownerBoard = new Map(accepted.map((member, i) => [member.memberId, boardOf(i)]));
		const owners = new Set<string>();
		for (const boardId of ["main", "press"]) {
			const stored = await storage.listMentions(ORG, boardId, { status: "claimed" });
			expect(stored).toHaveLength(MENTIONS_PER_BOARD);
			for (const { mention } of stored) {
				const owner = mention.owner?.memberId ?? "";
				expect(owners.has(owner), `${owner} owns two`).toBe(false);
				owners.add(owner);
				expect(ownerBoard.get(owner), `${mention.id} on ${boardId}`).toBe(boardId);
			}
		}

		// And the board they are not on refuses them.
		const refused = await atMost(
			SOCKETS_AT_ONCE,
			accepted.slice(0, CROSS_CHECKS),
			async (member, i) => {
				const socket = await openRawClient(server.wsUrl);
				try {
					const other = boardOf(i) === "main" ? "press" : "main";
					const answer = await socket.authenticate(boardDocumentName(ORG, other), member.token);
					return { answer, code: await closedWithin(socket, 30_000) };
				} finally {
					socket.close();
				}
			},
		);
		for (const { answer, code } of refused) {
			expect(answer).toMatch(/^Forbidden: You are not a member of the board/);
			expect(code).toBe(4403);
		}
	}, 900_000);
});

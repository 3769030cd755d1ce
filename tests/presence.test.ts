/**
 * Presence by interest (bench scenario 3): on a crowded board awareness changes reach the
 * others coalesced per tick (the badges: who looks at what, who types), in a conversation's
 * draft its few people see each other's cursor and typing at once, unchanged keep-alives are
 * not relayed one by one yet nobody disappears, and a person who leaves disappears promptly.
 */
import { boardDocumentName } from "@switchboard/domain";
import { presenceRelayOf } from "@switchboard/sync";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openRawClient, type RawClient } from "./utils/raw-client.ts";
import {
	type TestClient,
	type TestMember,
	testServerForFile,
	waitFor,
} from "./utils/test-server.ts";

// A crowd comes from one address here: room for it under the per-address socket limit.
const server = testServerForFile({ rateLimits: { socketsPerIp: { points: 10_000, seconds: 60 } } });
const board = () => boardDocumentName("acme", "main");

/**
 * A crowd on the board: `count` more connections (bare sockets that authenticate and stay
 * silent), so that the board's tick is that of a crowded board (0.5 ms per connection).
 */
async function crowd(count: number): Promise<{ leave(): void }> {
	const perMember = 20;
	const sockets: RawClient[] = [];
	for (let i = 0; i * perMember < count; i++) {
		const member = await server.addMember(
			"acme",
			`Crowd-${crypto.randomUUID().slice(0, 8)}`,
			"ambassador",
		);
		const group = Math.min(perMember, count - i * perMember);
		await Promise.all(
			Array.from({ length: group }, async () => {
				const socket = await openRawClient(server.wsUrl);
				sockets.push(socket);
				expect(await socket.authenticate(board(), member.token)).toBe("authenticated");
			}),
		);
	}
	return {
		leave() {
			for (const socket of sockets) socket.close();
		},
	};
}

interface Observed {
	/** Awareness messages that changed or renewed another client's state, by arrival time. */
	messages: { at: number; clients: number[] }[];
	removed: number[];
}

/** Record what `observer` receives about clients other than itself. */
function observe(observer: TestClient): Observed {
	const observed: Observed = { messages: [], removed: [] };
	const awareness = observer.provider.awareness!;
	awareness.on(
		"update",
		({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
			const clients = [...added, ...updated, ...removed].filter((id) => id !== awareness.clientID);
			if (clients.length > 0) observed.messages.push({ at: Date.now(), clients });
		},
	);
	awareness.on("change", ({ removed }: { removed: number[] }) => {
		observed.removed.push(...removed);
	});
	return observed;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * On the board, announcing presence as the web client does. (The empty state a provider
 * starts with has clock 0, which y-protocols never applies remotely.)
 */
async function online(member: TestMember): Promise<TestClient> {
	const client = await server.board(member);
	client.provider.awareness!.setLocalState({ viewing: null, typing: false });
	return client;
}

describe("presence", () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it("delivers changes from several people on a crowded board in one message within a tick", async () => {
		const { dana, sam, kim, morgan } = server.members;
		// 100 more on the board: a tick of 50 ms.
		const others = await crowd(100);
		const observer = await online(morgan!);
		const people = [
			await online(dana!),
			await online(sam!),
			await online(kim!),
			await online(dana!),
			await online(sam!),
		];
		await waitFor(
			() => people.every((p) => observer.provider.awareness!.getStates().has(p.doc.clientID)),
			5_000,
			"everyone online",
		);
		await sleep(300);
		const observed = observe(observer);
		const started = Date.now();
		// Five people change what they look at, 5 ms apart: without coalescing, five messages.
		for (const [i, person] of people.entries()) {
			person.provider.awareness!.setLocalStateField("viewing", `mention-${i}`);
			await sleep(5);
		}
		const ids = people.map((p) => p.doc.clientID);
		await waitFor(
			() => ids.every((id) => observer.provider.awareness!.getStates().get(id)?.viewing),
			5_000,
			"everyone's new view",
		);
		const arrived = Date.now() - started;
		// One tick, or two when the 20 ms of changes straddle a busy machine's tick.
		expect(observed.messages.length).toBeLessThanOrEqual(3);
		expect(observed.messages.flatMap((m) => m.clients).sort()).toEqual([...ids].sort());
		// The tick is 50 ms; leave room for a busy machine, not for a second tick of waiting.
		expect(arrived).toBeLessThan(1_000);
		for (const person of people) person.destroy();
		observer.destroy();
		others.leave();
	});

	it("shows the people in one conversation each other's cursor and typing at once, and a person elsewhere on the board only the badge", async () => {
		const { dana, sam, kim } = server.members;
		const mentionId = server.mentions[0]!.mention.id;
		// A crowded board: its badges tick every 50 ms or more.
		const others = await crowd(100);
		// Dana and Sam are in the conversation (its draft open); Kim is elsewhere on the board.
		const danaBoard = await online(dana!);
		const danaDraft = await server.draft(dana!, mentionId);
		const samBoard = await online(sam!);
		const samDraft = await server.draft(sam!, mentionId);
		const kimBoard = await online(kim!);
		danaBoard.provider.awareness!.setLocalState({ viewing: mentionId, typing: false });
		danaDraft.provider.awareness!.setLocalStateField("typing", false);
		await waitFor(
			() =>
				kimBoard.provider.awareness!.getStates().get(danaBoard.doc.clientID)?.viewing ===
					mentionId &&
				samDraft.provider.awareness!.getStates().get(danaDraft.doc.clientID)?.typing === false,
			5_000,
			"Dana in the conversation, for Sam and Kim",
		);

		// Dana types: her badge on the board, then her cursor and typing in the draft.
		const seen: string[] = [];
		samDraft.provider.awareness!.on("change", () => {
			const state = samDraft.provider.awareness!.getStates().get(danaDraft.doc.clientID);
			if (state?.cursor === "at 12" && !seen.includes("draft")) seen.push("draft");
		});
		samBoard.provider.awareness!.on("change", () => {
			const state = samBoard.provider.awareness!.getStates().get(danaBoard.doc.clientID);
			if (state?.typing === true && !seen.includes("board")) seen.push("board");
		});
		danaBoard.provider.awareness!.setLocalStateField("typing", true);
		danaDraft.provider.awareness!.setLocalState({
			...danaDraft.provider.awareness!.getLocalState(),
			cursor: "at 12",
			typing: true,
		});
		await waitFor(() => seen.length === 2, 5_000, "Dana's cursor and her badge at Sam");
		// The draft's message went out before the board's tick, though it came in after it.
		expect(seen).toEqual(["draft", "board"]);
		expect(samDraft.provider.awareness!.getStates().get(danaDraft.doc.clientID)).toMatchObject({
			cursor: "at 12",
			typing: true,
			user: { name: "Dana" },
		});

		// Dana goes on typing: every cursor move reaches Sam on its own (a tick of 50 ms, as
		// drafts had before, would merge these five, 20 ms apart, into one or two messages).
		let moves = 0;
		samDraft.provider.awareness!.on(
			"update",
			({ updated }: { updated: number[] }, origin: unknown) => {
				if (origin !== "local" && updated.includes(danaDraft.doc.clientID)) moves += 1;
			},
		);
		for (let i = 13; i < 18; i++) {
			danaDraft.provider.awareness!.setLocalStateField("cursor", `at ${i}`);
			await sleep(20);
		}
		await waitFor(
			() =>
				samDraft.provider.awareness!.getStates().get(danaDraft.doc.clientID)?.cursor === "at 17",
			5_000,
			"Dana's last cursor at Sam",
		);
		// Five, unless a stalled machine let two arrive in one turn.
		expect(moves).toBeGreaterThanOrEqual(3);

		// Kim sees the badge (Dana looks at the conversation and types), nothing of the draft.
		await waitFor(
			() => kimBoard.provider.awareness!.getStates().get(danaBoard.doc.clientID)?.typing === true,
			5_000,
			"Dana's badge at Kim",
		);
		const kimSees = kimBoard.provider.awareness!.getStates().get(danaBoard.doc.clientID);
		expect(kimSees).toMatchObject({ viewing: mentionId, typing: true, user: { name: "Dana" } });
		expect(kimSees).not.toHaveProperty("cursor");
		expect(kimBoard.provider.awareness!.getStates().has(danaDraft.doc.clientID)).toBe(false);
		for (const client of [danaBoard, danaDraft, samBoard, samDraft, kimBoard]) client.destroy();
		others.leave();
	});

	it("removes a person who leaves, or whose socket drops, promptly for the others", async () => {
		const { dana, sam, kim } = server.members;
		const observer = await online(kim!);
		const leaving = await online(dana!);
		const dropping = await online(sam!);
		await waitFor(
			() =>
				observer.provider.awareness!.getStates().has(leaving.doc.clientID) &&
				observer.provider.awareness!.getStates().has(dropping.doc.clientID),
			5_000,
			"both online",
		);
		const observed = observe(observer);
		let started = Date.now();
		leaving.destroy();
		await waitFor(
			() => observed.removed.includes(leaving.doc.clientID),
			5_000,
			"the leaver removed",
		);
		expect(Date.now() - started).toBeLessThan(1_000);
		started = Date.now();
		// No goodbye: the socket just closes, and the server removes what it announced.
		dropping.socket.disconnect();
		await waitFor(
			() => observed.removed.includes(dropping.doc.clientID),
			5_000,
			"the dropped one removed",
		);
		expect(Date.now() - started).toBeLessThan(1_000);
		dropping.destroy();
		observer.destroy();
	});

	it("does not relay unchanged keep-alives one by one, and nobody times out", async () => {
		// Awareness renews its own state every 15 s and times remote ones out 30 s after
		// their last update, from `setInterval` and lib0's `Date.now` (bound when lib0 loads,
		// out of reach of a fake `Date`). So: fake `setInterval` (and `Date` for Hocuspocus),
		// and move every awareness clock forward by ageing the times it recorded; the network
		// and the tick run on real time.
		vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
		const { dana, sam, kim, morgan } = server.members;
		const clients: TestClient[] = [];
		const awarenesses = () => [
			...clients.map((client) => client.provider.awareness!),
			...[...server.switchboard.hocuspocus.documents.values()].map((doc) => doc.awareness),
		];
		const advance = async (ms: number) => {
			for (let t = 0; t < ms; t += 500) {
				for (const awareness of awarenesses()) {
					for (const meta of awareness.meta.values()) meta.lastUpdated -= 500;
				}
				vi.advanceTimersByTime(500);
				await sleep(15);
			}
		};
		const observer = await online(morgan!);
		clients.push(observer);
		// Three idle people who joined 0.5 s apart: their renewals come 0.5 s apart too.
		const idle: TestClient[] = [];
		for (const member of [dana!, sam!, kim!]) {
			idle.push(await online(member));
			clients.push(idle.at(-1)!);
			await advance(500);
		}
		const ids = idle.map((p) => p.doc.clientID);
		await waitFor(
			() => ids.every((id) => observer.provider.awareness!.getStates().has(id)),
			5_000,
			"everyone online",
		);
		const relay = presenceRelayOf(server.switchboard.hocuspocus.documents.get(board())!)!;
		const held = relay.stats.renewalsHeld;
		const observed = observe(observer);
		let renewals = 0;
		for (const person of idle) {
			person.provider.awareness!.on("update", (_: unknown, origin: unknown) => {
				if (origin === "local") renewals += 1;
			});
		}
		await advance(65_000);

		// Everybody renewed about four times, and stayed on the observer's screen.
		expect(renewals).toBeGreaterThanOrEqual(9);
		expect(relay.stats.renewalsHeld - held).toBeGreaterThanOrEqual(9);
		expect(observed.removed.filter((id) => ids.includes(id))).toEqual([]);
		for (const id of ids) expect(observer.provider.awareness!.getStates().has(id)).toBe(true);
		// Renewals 0.5 s apart went out together (relayed one by one, the observer would get
		// one message per renewal of the other two).
		expect(observed.messages.length).toBeGreaterThan(0);
		expect(observed.messages.length).toBeLessThanOrEqual(Math.ceil(renewals / 2));
		for (const person of idle) person.destroy();
		observer.destroy();
	});
});

/**
 * Presence at scale (bench scenario 3): awareness changes reach the others coalesced per
 * tick, unchanged keep-alives are not relayed one by one yet nobody disappears, and a person
 * who leaves disappears promptly.
 */
import { boardDocumentName } from "@switchboard/domain";
import { presenceRelayOf } from "@switchboard/sync";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
	type TestClient,
	type TestMember,
	testServerForFile,
	waitFor,
} from "./utils/test-server.ts";

const server = testServerForFile();
const board = () => boardDocumentName("acme", "main");

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

	it("delivers changes from several people in one message within a tick", async () => {
		const { dana, sam, kim, morgan } = server.members;
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

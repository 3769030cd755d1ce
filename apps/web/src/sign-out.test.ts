/**
 * Signing out forgets the member on this device: their board's copy and command queue in
 * IndexedDB go at once, whether or not the server answers the sign-out, and a page closed
 * before they went clears them when the app next starts. IndexedDB is fake-indexeddb's,
 * put on globalThis for this file only; the server never answers.
 */
import { localDocumentName, queueDatabaseName } from "@switchboard/client";
import { boardDocumentName } from "@switchboard/domain";
import { IDBFactory } from "fake-indexeddb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { finishLocalClear, signOut } from "./session.ts";
import { memoryStorage } from "./test-fixtures.ts";

const me = { id: "m1", orgId: "acme", role: "ambassador", name: "Dana" } as const;
const names = [
	localDocumentName(me.id, boardDocumentName(me.orgId, "main")),
	queueDatabaseName(me.orgId, "main", me.id),
];
const saved = {
	indexedDB: Object.getOwnPropertyDescriptor(globalThis, "indexedDB"),
	localStorage: Object.getOwnPropertyDescriptor(globalThis, "localStorage"),
	fetch: globalThis.fetch,
};

function restore(key: "indexedDB" | "localStorage"): void {
	const descriptor = saved[key];
	if (descriptor) Object.defineProperty(globalThis, key, descriptor);
	else Reflect.deleteProperty(globalThis, key);
}

beforeEach(() => {
	Object.defineProperty(globalThis, "indexedDB", { value: new IDBFactory(), configurable: true });
	Object.defineProperty(globalThis, "localStorage", {
		value: memoryStorage(),
		configurable: true,
	});
	// A phone whose sign-out request never gets an answer.
	globalThis.fetch = () => new Promise<Response>(() => {});
});
afterEach(() => {
	restore("indexedDB");
	restore("localStorage");
	globalThis.fetch = saved.fetch;
});

async function create(name: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const request = indexedDB.open(name);
		request.onupgradeneeded = () => request.result.createObjectStore("updates");
		request.onsuccess = () => {
			request.result.close();
			resolve();
		};
		request.onerror = () => reject(request.error);
	});
}

async function left(): Promise<string[]> {
	const all = await indexedDB.databases();
	return names.filter((name) => all.some((database) => database.name === name));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > 10_000) throw new Error(`waited 10 s for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

describe("signing out", () => {
	it("clears the member's board copy and queue without waiting for the server", async () => {
		for (const name of names) await create(name);
		expect(await left()).toEqual(names);
		void signOut({ me, boardId: "main", expiresAt: null });
		await until(async () => (await left()).length === 0, "the member's databases gone");
		expect(localStorage.getItem("switchboard.clear-pending")).toBeNull();
		// The server has not answered: its sign-out is tried again later.
		expect(localStorage.getItem("switchboard.logout-pending")).toBe("1");
	});

	it("clears at the next start what a page closed too soon left", async () => {
		for (const name of names) await create(name);
		// What a sign-out writes first; the page closed before it cleared anything.
		localStorage.setItem(
			"switchboard.clear-pending",
			JSON.stringify({ id: me.id, orgId: me.orgId, boardIds: ["main"] }),
		);
		await finishLocalClear();
		expect(await left()).toEqual([]);
		expect(localStorage.getItem("switchboard.clear-pending")).toBeNull();
	});
});

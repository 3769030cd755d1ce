import {
	type Mention,
	type MentionContent,
	MentionSchema,
	type MentionWork,
	mentionContent,
	mentionWork,
	readBoard,
	removeBreaches,
	removeMember,
	removeMention,
	type ThreadMessage,
	writeBreaches,
	writeMember,
	writeMention,
	writeSettings,
	writeWork,
} from "@switchboard/domain";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { BoardModel, type BoardModelChange } from "./board-model.ts";
import { at, makeCard, mention } from "./test-fixtures.ts";

const SERVER = { source: "server" } as const;

function split(m: Mention): [MentionContent, MentionWork] {
	return [mentionContent(m), mentionWork(m)];
}

/** A customer's message in a thread. */
function message(externalId: string, minutes: number): ThreadMessage {
	return {
		externalId,
		handle: "@someone@social.example",
		fromOrganisation: false,
		text: `Message ${externalId}`,
		postedAt: at(minutes),
	};
}

/** A server doc whose every update reaches the client doc, as the provider would deliver it. */
function pair() {
	const server = new Y.Doc();
	const client = new Y.Doc();
	server.on("update", (update: Uint8Array) => Y.applyUpdate(client, update, SERVER));
	const localWrites: unknown[] = [];
	client.on("update", (_update: Uint8Array, origin: unknown) => {
		if (origin !== SERVER) localWrites.push(origin);
	});
	return { server, client, localWrites };
}

describe("BoardModel", () => {
	it("joins content and work, oldest post first, following every change", () => {
		const { server, client, localWrites } = pair();
		const late = mention("m-late", { postedAt: at(10) });
		const early = mention("m-early", { postedAt: at(1) });
		writeMention(server, ...split(late), 1);
		const model = new BoardModel(client);
		const changes: BoardModelChange[] = [];
		model.onChange((change) => changes.push(change));
		expect(model.mentions().map((m) => m.id)).toEqual(["m-late"]);

		writeMention(server, ...split(early), 1);
		expect(model.mentions().map((m) => m.id)).toEqual(["m-early", "m-late"]);

		const [, work] = split(early);
		writeWork(
			server,
			"m-early",
			{ ...work, status: "claimed", owner: { memberId: "dana", since: at(2) } },
			2,
		);
		expect(model.mention("m-early")).toMatchObject({
			status: "claimed",
			owner: { memberId: "dana" },
		});
		expect(model.mentions()[0]).toBe(model.mention("m-early"));

		removeMention(server, "m-late");
		expect(model.mentions().map((m) => m.id)).toEqual(["m-early"]);
		expect(model.mentions()).toEqual(readBoard(client).mentions);
		expect(changes.every((change) => change.mentions)).toBe(true);
		expect(localWrites).toEqual([]);
	});

	it("hands out the same list until a mention changes, and keeps unchanged mentions' objects", () => {
		const { server, client } = pair();
		for (let i = 0; i < 3; i++)
			writeMention(server, ...split(mention(`m${i}`, { postedAt: at(i) })), 1);
		const model = new BoardModel(client);
		const first = model.mentions();
		expect(model.mentions()).toBe(first);
		writeMember(server, makeCard("dana"));
		expect(model.mentions()).toBe(first);
		const [, work] = split(mention("m1"));
		writeWork(server, "m1", { ...work, priority: "high" }, 2);
		const second = model.mentions();
		expect(second).not.toBe(first);
		expect(second[0]).toBe(first[0]);
		expect(second[1]?.priority).toBe("high");
	});

	it("follows a thread as messages join it, naming only that mention as changed", () => {
		const { server, client, localWrites } = pair();
		let m1 = mention("m1", { thread: [message("a", 1)] });
		writeMention(server, ...split(m1), 1);
		writeMention(server, ...split(mention("m2")), 1);
		const model = new BoardModel(client);
		const other = model.mention("m2");
		const changes: BoardModelChange[] = [];
		model.onChange((change) => changes.push(change));

		m1 = { ...m1, thread: [...m1.thread, message("b", 3)], unseenFollowUps: 1 };
		writeMention(server, ...split(m1), 2);
		expect(model.mention("m1")).toEqual(m1);
		// A message the network reports late, between the two.
		m1 = { ...m1, thread: [m1.thread[0] as ThreadMessage, message("late", 2), message("b", 3)] };
		writeMention(server, ...split(m1), 3);
		expect(model.mention("m1")?.thread.map((m) => m.externalId)).toEqual(["a", "late", "b"]);
		expect(model.mentions()).toEqual(readBoard(client).mentions);
		expect(model.mention("m2")).toBe(other);
		expect(new Set(changes.flatMap((change) => change.mentionIds))).toEqual(new Set(["m1"]));

		removeMention(server, "m1");
		expect(model.mentions().map((m) => m.id)).toEqual(["m2"]);
		expect(localWrites).toEqual([]);
	});

	it("joins a mention once per update, its thread whole, when the update brings content and messages", () => {
		const server = new Y.Doc();
		const first = mention("m1", { thread: [message("a", 1)] });
		writeMention(server, ...split(first), 1);
		const grown = { ...first, thread: [...first.thread, message("b", 2)], unseenFollowUps: 1 };
		writeMention(server, ...split(grown), 2);
		// A client's first sync: the whole board in one update.
		const client = new Y.Doc();
		const model = new BoardModel(client);
		const seen: unknown[] = [];
		model.onChange((change) => {
			if (change.mentions) seen.push(model.mention("m1")?.thread.map((m) => m.externalId));
		});
		Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
		expect(seen).toEqual([["a", "b"]]);
		expect(model.mention("m1")).toEqual(grown);
	});

	it("skips a mention whose work has not arrived, and shows it when it does", () => {
		const { server, client } = pair();
		const model = new BoardModel(client);
		const [content, work] = split(mention("m1"));
		// Content without work: half a write, as a race between instances can leave.
		server.getArray("mentions").push([{ k: "m1", rev: 1, v: content }]);
		expect(model.mentions()).toEqual([]);
		server.getArray("work").push([{ k: "m1", rev: 1, v: work }]);
		expect(model.mentions().map((m) => m.id)).toEqual(["m1"]);
	});

	it("reads work entries without their default fields and whole ones (earlier releases) alike", () => {
		const { server, client } = pair();
		const model = new BoardModel(client);
		const bare = mention("bare", { postedAt: at(1) });
		const whole = mention("whole", { postedAt: at(2) });
		const busy = mention("busy", {
			postedAt: at(3),
			status: "snoozed",
			snoozedUntil: at(30),
			approvalRequired: true,
			unseenFollowUps: 1,
			slaFrom: at(4),
		});
		writeMention(server, ...split(bare), 1);
		writeMention(server, ...split(busy), 1);
		// Written by an earlier release: every field, at its default or not.
		server.getArray("mentions").push([{ k: "whole", rev: 1, v: mentionContent(whole) }]);
		server.getArray("work").push([{ k: "whole", rev: 1, v: mentionWork(whole) }]);
		expect(model.mentions()).toEqual([bare, whole, busy]);
		expect(model.mentions()).toEqual(readBoard(client).mentions);
		// What the web client is handed is a mention as the API defines it.
		for (const m of model.mentions()) expect(v.safeParse(MentionSchema, m).issues).toBeUndefined();
	});

	it("keeps member cards by name and settings over the defaults", () => {
		const { server, client } = pair();
		const model = new BoardModel(client);
		const changes: BoardModelChange[] = [];
		model.onChange((change) => changes.push(change));
		writeMember(server, makeCard("sam"));
		writeMember(server, makeCard("dana"));
		expect(model.members().map((m) => m.name)).toEqual(["Dana", "Sam"]);
		expect(model.member("sam")?.capacity).toBe(2);
		removeMember(server, "sam");
		expect(model.members().map((m) => m.id)).toEqual(["dana"]);

		expect(model.settings().leaseMinutes).toBe(15);
		writeSettings(server, { leaseMinutes: 30 });
		expect(model.settings().leaseMinutes).toBe(30);
		expect(changes.some((change) => change.members)).toBe(true);
		expect(changes.some((change) => change.settings)).toBe(true);
	});

	it("follows the SLA breaches the server writes, newest first, without writing itself", () => {
		const { server, client, localWrites } = pair();
		const model = new BoardModel(client);
		const changes: BoardModelChange[] = [];
		model.onChange((change) => changes.push(change));
		expect(model.breaches()).toEqual([]);
		const claim = { mentionId: "m1", kind: "claim" as const, dueAt: at(15), at: at(16) };
		const reply = { mentionId: "m1", kind: "reply" as const, dueAt: at(60), at: at(61) };
		writeBreaches(server, [{ breach: claim, rev: 7 }]);
		writeBreaches(server, [{ breach: reply, rev: 9 }]);
		expect(model.breaches()).toEqual([reply, claim]);
		expect(model.breaches()).toBe(model.breaches());
		expect(changes.some((change) => change.breaches)).toBe(true);
		removeBreaches(server, ["m1:claim"]);
		expect(model.breaches()).toEqual([reply]);
		expect(localWrites).toEqual([]);
	});

	it("stops following the document when destroyed", () => {
		const { server, client } = pair();
		const model = new BoardModel(client);
		let calls = 0;
		model.onChange(() => calls++);
		model.destroy();
		writeMention(server, ...split(mention("m1")), 1);
		expect(calls).toBe(0);
	});
});

import { describe, expect, it } from "vitest";
import { openNotification, readPushPayload, showPush } from "./push-handlers.js";

const payload = {
	v: 1,
	id: "42",
	kind: "assigned",
	mentionId: "m-1",
	title: "Morgan assigned you a conversation",
	body: "The conversation with @ana",
	url: "/m/m-1",
};

function windows(urls: string[]) {
	const log: string[] = [];
	const clients = {
		matchAll: async () =>
			urls.map((url) => ({
				url,
				postMessage: (message: unknown) => log.push(`message ${url} ${JSON.stringify(message)}`),
				focus: async () => log.push(`focus ${url}`),
			})),
		openWindow: async (url: string) => log.push(`open ${url}`),
	};
	return { clients, log };
}

const notification = (url: unknown) => {
	const closed: boolean[] = [];
	return { data: { url }, close: () => closed.push(true), closed };
};

describe("the service worker's push handler", () => {
	it("shows the payload's words, tagged by its notification, with the path a tap opens", async () => {
		const shown: unknown[] = [];
		await showPush(
			{ showNotification: async (title, options) => void shown.push({ title, ...options }) },
			JSON.stringify(payload),
		);
		expect(shown).toEqual([
			{
				title: payload.title,
				body: payload.body,
				tag: "switchboard-42",
				renotify: false,
				icon: "/icons/icon-192.png",
				badge: "/icons/icon-192.png",
				data: { url: "/m/m-1" },
			},
		]);
	});

	it("shows a kind it does not know by its words, as a worker of an earlier release meets a new one", () => {
		const newer = { ...payload, id: "43", kind: "from_the_future", title: "Later news" };
		expect(readPushPayload(JSON.stringify(newer))).toEqual({
			title: "Later news",
			body: payload.body,
			url: "/m/m-1",
			tag: "switchboard-43",
			renotify: false,
		});
	});

	it("shows a conversation's follow-ups as one notification, which the next replaces and announces", () => {
		const followUp = (id: string, body: string) =>
			readPushPayload(JSON.stringify({ ...payload, id, kind: "follow_up", body }));
		const first = followUp("50", "A follow-up in a conversation you own");
		const second = followUp("51", "2 new messages in a conversation you own");
		expect(first).toMatchObject({ tag: "switchboard-follow_up-m-1", renotify: true });
		expect(second).toMatchObject({
			tag: first?.tag,
			renotify: true,
			body: expect.stringMatching(/^2 new messages/),
		});
	});

	it("shows nothing for a message that is not a Switchboard payload", () => {
		for (const text of [
			null,
			"",
			"hello",
			"{}",
			JSON.stringify({ ...payload, url: "https://evil.example/" }),
		]) {
			expect(readPushPayload(text)).toBeNull();
		}
	});
});

describe("the service worker's click handler", () => {
	it("sends an open window of the app to the conversation and focuses it", async () => {
		const { clients, log } = windows(["https://other.example/", "https://sb.example/queue"]);
		const tapped = notification("/m/m-1");
		await openNotification(clients, "https://sb.example", tapped);
		expect(tapped.closed).toEqual([true]);
		expect(log).toEqual([
			'message https://sb.example/queue {"type":"switchboard:open","path":"/m/m-1"}',
			"focus https://sb.example/queue",
		]);
	});

	it("opens a new window when none is open, and never a path outside the app's conversations", async () => {
		const { clients, log } = windows([]);
		await openNotification(clients, "https://sb.example", notification("/m/m-1"));
		await openNotification(clients, "https://sb.example", notification("//evil.example/x"));
		expect(log).toEqual(["open https://sb.example/m/m-1", "open https://sb.example/queue"]);
	});
});

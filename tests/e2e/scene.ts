/**
 * The scene most end-to-end files share, with its vitest hooks (harness.ts stays free of
 * vitest, so scripts such as screenshots.ts can use it).
 */
import { randomUUID } from "node:crypto";
import type { Command, Mention } from "@switchboard/domain";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import {
	type E2EServer,
	enterAs,
	launchChromium,
	serviceWorkers,
	signedIn,
	startE2EServer,
	type WorkerUse,
} from "./harness.ts";

/**
 * What most end-to-end files share: one demo server and one Chromium for the file, the demo
 * board's new conversations (newest first, so they sit at the top of their column), and the
 * browser contexts the tests open, all closed after the file's tests. `e2eScene()` registers
 * its own `beforeAll` and `afterAll`; call it inside the file's `describe`. `env` adds to the
 * server's settings.
 */
export interface E2EScene {
	readonly server: E2EServer;
	readonly browser: Browser;
	/** A new conversation no earlier test of the file has taken. */
	fresh(): Mention;
	/**
	 * `email` signed in, in a fresh desktop context, on `path` or the board (see `signedIn`; the
	 * service worker only if `use` asks for it).
	 */
	person(email: string, path?: string, use?: WorkerUse): Promise<Page>;
	/** Signs `page` in as `email` on this scene's server (see `enterAs`). */
	enter(
		page: Page,
		email: string,
		options?: { ready?: string; timeout?: number; path?: string },
	): Promise<void>;
	/**
	 * `email` signed in on a 360 px screen from the start (a desktop page narrowed later keeps
	 * its wide header, which is not what a phone shows), on `path` or the board.
	 */
	onPhone(email: string, path?: string, use?: WorkerUse): Promise<Page>;
	/** Closes `context` with the others after the file's tests. */
	keep<T extends BrowserContext>(context: T): T;
	/** The demo member's id. */
	memberId(email: string): Promise<string>;
	/**
	 * `email` does `command` on the demo board, decided as the server decides a member's
	 * (without a socket of theirs): it must be accepted, and the live board shows its result
	 * to whoever has the board open.
	 */
	act(email: string, command: Command): Promise<void>;
	/**
	 * The author of `mention` writes again, answering the message whose external id is
	 * `inReplyTo` (the mention itself unless told): a follow-up ingested as a source would.
	 * `suffix` makes its external id.
	 */
	customerWrites(
		mention: Mention,
		suffix: string,
		text: string,
		inReplyTo?: string,
	): ReturnType<E2EServer["switchboard"]["integrations"]["ingestor"]["ingest"]>;
}

export function e2eScene(options: { env?: Record<string, string> } = {}): E2EScene {
	let server: E2EServer | undefined;
	let browser: Browser | undefined;
	let open: Mention[] = [];
	let next = 0;
	const contexts: BrowserContext[] = [];
	const started = <T>(value: T | undefined): T => {
		if (value === undefined) throw new Error("the end-to-end scene has not started");
		return value;
	};

	beforeAll(async () => {
		// Side by side: Chromium starts while the server opens its database and seeds the demo.
		// Whichever started is kept for afterAll to close, should the other fail.
		const [started, launched] = await Promise.allSettled([
			startE2EServer(options.env),
			launchChromium(),
		]);
		if (started.status === "fulfilled") server = started.value;
		if (launched.status === "fulfilled") browser = launched.value;
		if (started.status === "rejected") throw started.reason;
		if (launched.status === "rejected") throw launched.reason;
		const stored = await started.value.switchboard.storage.listMentions("acme", "main", {
			status: "new",
		});
		open = stored
			.map(({ mention }) => mention)
			.sort((a, b) => b.postedAt.localeCompare(a.postedAt));
	});

	afterAll(async () => {
		// At once: one by one took a fifth of a second each, twenty contexts in the longest file.
		await Promise.all(contexts.map((context) => context.close().catch(() => {})));
		await browser?.close();
		await server?.close();
	});

	const scene: E2EScene = {
		get server() {
			return started(server);
		},
		get browser() {
			return started(browser);
		},
		customerWrites(mention, suffix, text, inReplyTo = mention.externalId) {
			const now = new Date().toISOString();
			return scene.server.switchboard.integrations.ingestor.ingest("acme", "main", [
				{
					network: mention.network,
					externalId: `${mention.externalId}-${suffix}`,
					inReplyTo,
					url: null,
					author: mention.author,
					text,
					thread: [],
					postedAt: now,
					ingestedAt: now,
				},
			]);
		},
		fresh() {
			const mention = open[next++];
			if (!mention) throw new Error("the demo board has no untouched new conversation left");
			return mention;
		},
		async person(email, path, use) {
			const session = await signedIn(scene.browser, scene.server, email, path, use);
			contexts.push(session.context);
			return session.page;
		},
		async onPhone(email, path, use) {
			const context = scene.keep(
				await scene.browser.newContext({
					baseURL: scene.server.url,
					viewport: { width: 360, height: 780 },
					serviceWorkers: serviceWorkers(use),
				}),
			);
			const page = await context.newPage();
			await scene.enter(page, email, { path });
			return page;
		},
		enter(page, email, options) {
			return enterAs(page, scene.server, email, options);
		},
		keep(context) {
			contexts.push(context);
			return context;
		},
		async memberId(email) {
			const member = await scene.server.switchboard.storage.findMemberByEmail(email);
			if (!member) throw new Error(`no member ${email}`);
			return member.id;
		},
		async act(email, command) {
			const { storage, board } = scene.server.switchboard;
			const outcome = await storage.executeCommand({
				orgId: "acme",
				boardId: "main",
				actorId: await scene.memberId(email),
				commandId: randomUUID(),
				command,
				now: new Date().toISOString(),
			});
			if (!outcome.ok) throw new Error(`${command.name} by ${email} refused: ${outcome.message}`);
			const stored = await storage.getMention("acme", outcome.mentionId);
			if (stored) await board.publish("acme", "main", [stored]);
		},
	};
	return scene;
}

/**
 * End-to-end harness: a real Switchboard (demo data, built web client) on port 0 and
 * Debian's Chromium driven by playwright-core. Never downloads a browser.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { localDocumentName } from "@switchboard/client";
import {
	boardDocumentName,
	draftDocumentName,
	type Mention,
	SESSION_COOKIE,
} from "@switchboard/domain";
import { loadConfig, type Switchboard, startSwitchboard } from "@switchboard/server";
import { testTemplate } from "@switchboard/storage/test-template";
import { pino } from "pino";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import * as Y from "yjs";
import { serviceWorkers, type WorkerUse } from "./chromium.ts";
import { detachedLabels, horizontalOverflow, smallTargets } from "./phone.ts";

const axeSource: string = createRequire(import.meta.url)("axe-core").source;

export {
	hasChromium,
	launchChromium,
	serviceWorkers,
	type WorkerUse,
} from "./chromium.ts";
/** The built client; E2E_WEB_DIST points elsewhere to try a build without replacing dist/. */
export const WEB_DIST =
	process.env.E2E_WEB_DIST ?? fileURLToPath(new URL("../../apps/web/dist", import.meta.url));
export const DEMO_PASSWORD = "switchboard";

export interface E2EServer {
	switchboard: Switchboard;
	url: string;
	close(): Promise<void>;
}

/** A server with the demo organisations and the built web client; `env` adds to its settings. */
export async function startE2EServer(env: Record<string, string> = {}): Promise<E2EServer> {
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-e2e-"));
	const config = await loadConfig({
		PORT: "0",
		HOST: "127.0.0.1",
		DATA_DIR: dataDir,
		SWITCHBOARD_DEMO: "1",
		SWITCHBOARD_WEB_DIR: WEB_DIST,
		LOG_LEVEL: "silent",
		// Feeds and accounts the tests connect are stand-ins on this machine.
		SWITCHBOARD_OUTBOUND_ALLOW: "127.0.0.1",
		...env,
	});
	const switchboard = await startSwitchboard(config, {
		logger: pino({ level: "silent" }),
		storageTemplate: await testTemplate(),
	});
	return {
		switchboard,
		url: switchboard.url.replace("localhost", "127.0.0.1"),
		async close() {
			await switchboard.close();
			await rm(dataDir, { recursive: true, force: true });
		},
	};
}

/**
 * Signs in through the login form as `email` (the demo password) and waits for `ready`, the
 * board's first card unless told otherwise, to be visible. `from` is the address opened
 * first, the sign-in page unless told otherwise: a page of the app, opened signed out, sends
 * the browser to sign in and back to it.
 */
export async function signIn(
	page: Page,
	email: string,
	{
		ready = '[data-testid="card"]',
		timeout = 20_000,
		from = "/login",
	}: { ready?: string; timeout?: number; from?: string } = {},
): Promise<void> {
	await page.goto(from);
	await page.getByLabel("Email").fill(email);
	await page.getByLabel("Password").fill(DEMO_PASSWORD);
	await page.getByRole("button", { name: "Sign in", exact: true }).click();
	await page.locator(ready).first().waitFor({ timeout });
}

/**
 * Signs `page` in as `email` without the login form, for tests of what comes after it: the
 * server issues a session as a sign-in does, the page gets its cookie and takes it up at
 * `/sso/done` as after single sign-on, then waits for `ready` as `signIn` does. It skips the
 * login page's load and the password's hash (OWASP's scrypt cost, 0.3 s of a core and
 * seconds on a busy machine), which every sign-in of a test paid; the tests of the form
 * itself use `signIn`. With `path` it goes on to that page instead of the board, as single
 * sign-on does for someone who opened the page signed out, and waits for the URL and then
 * `ready` (the page's main region unless told otherwise).
 */
export async function enterAs(
	page: Page,
	server: E2EServer,
	email: string,
	{ ready, timeout = 20_000, path }: { ready?: string; timeout?: number; path?: string } = {},
): Promise<void> {
	const { storage, tokens } = server.switchboard;
	const member = await storage.findMemberByEmail(email);
	if (!member) throw new Error(`no member ${email}`);
	const { id: memberId, orgId, role, name } = member;
	const { token } = await tokens.issue({ memberId, orgId, role, name });
	await page
		.context()
		.addCookies([
			{ name: SESSION_COOKIE, value: token, url: server.url, httpOnly: true, sameSite: "Lax" },
		]);
	if (path === undefined) {
		await page.goto("/sso/done");
		await page
			.locator(ready ?? '[data-testid="card"]')
			.first()
			.waitFor({ timeout });
		return;
	}
	// Straight on to `path`, as single sign-on does for someone who opened it signed out,
	// without loading the board first.
	await page.goto(`/sso/done?next=${encodeURIComponent(path)}`);
	await page.waitForURL((url) => `${url.pathname}${url.search}${url.hash}` === path, { timeout });
	await page
		.locator(ready ?? "#main")
		.first()
		.waitFor({ timeout });
}

/**
 * A fresh browser context (its own IndexedDB and cookies, and the service worker if `use`
 * asks for it) signed in as `email` (see `enterAs`).
 */
export async function signedIn(
	browser: Browser,
	server: E2EServer,
	email: string,
	path?: string,
	use: WorkerUse = {},
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({
		baseURL: server.url,
		viewport: { width: 1440, height: 900 },
		serviceWorkers: serviceWorkers(use),
	});
	const page = await context.newPage();
	await enterAs(page, server, email, { path });
	return { context, page };
}

/**
 * Serious and critical accessibility violations on the page, by axe-core, each with how many
 * elements it was found on. axe is evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern (a script tag is refused as inline script, as it
 * should be).
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
	// Once per document: evaluating axe's half a megabyte again took 0.1 to 0.8 s a check.
	if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
	const result = await page.evaluate(async () => {
		const axe = (
			window as unknown as {
				axe: {
					run(options: { resultTypes: string[] }): Promise<{
						violations: {
							id: string;
							impact: string | null;
							help: string;
							nodes: { target: unknown[]; failureSummary?: string }[];
						}[];
					}>;
				};
			}
		).axe;
		// The violations in full; the other kinds of result (passes, incomplete, inapplicable),
		// which nothing here reads, keep one element each instead of a selector built for every
		// element they apply to, the slow end of a run on a page of many elements.
		return axe.run({ resultTypes: ["violations"] });
	});
	return (
		result.violations
			.filter((violation) => violation.impact === "serious" || violation.impact === "critical")
			// The first element in fault and why, so that a failure says where to look.
			.map(({ id, impact, help, nodes }) => {
				const first = nodes[0];
				const where = first
					? ` first at ${JSON.stringify(first.target)}: ${first.failureSummary?.replace(/\s+/g, " ") ?? ""}`
					: "";
				return `${impact}: ${id} (${help}) ×${nodes.length}${where}`;
			})
	);
}

/** A mention's card on the board. */
export function card(page: Page, id: string): Locator {
	return page.locator(`[data-testid="card"][data-mention-id="${id}"]`);
}

/** Narrow the board to the mention's author, so its card is rendered (the columns are virtualised). */
export async function showCard(page: Page, mention: Mention): Promise<Locator> {
	await page.getByTestId("filter-search").fill(mention.author.handle);
	const located = card(page, mention.id);
	await located.waitFor({ timeout: 15_000 });
	return located;
}

/**
 * Waits until the mention's card shows in the column of `status`. When it does not, the error
 * says what the page showed instead: its address, the tab selected, the column's count and the
 * cards it rendered, and which columns hold the card, if any.
 */
export async function cardInColumn(
	page: Page,
	status: string,
	mentionId: string,
	options: { timeout: number },
): Promise<void> {
	const column = page.locator(`[data-testid="column"][data-status="${status}"]`);
	try {
		await column.locator(`[data-mention-id="${mentionId}"]`).waitFor(options);
	} catch (error) {
		const shown = await page
			.evaluate(
				({ status, mentionId }) => {
					const column = document.querySelector(`[data-testid="column"][data-status="${status}"]`);
					const scroller = column?.querySelector<HTMLElement>(".column-scroll");
					const cards = [...(column?.querySelectorAll("[data-mention-id]") ?? [])];
					const holding = [...document.querySelectorAll(`[data-mention-id="${mentionId}"]`)];
					return {
						at: location.pathname,
						tab: document.querySelector('[role="tab"][aria-selected="true"]')?.textContent,
						count: column?.querySelector('[data-testid="column-count"]')?.textContent,
						display: column ? getComputedStyle(column).display : "no such column",
						scroller: scroller
							? `${scroller.clientHeight} px high, at ${scroller.scrollTop} of ${scroller.scrollHeight}`
							: "none",
						rendered: cards.map((card) => card.getAttribute("data-mention-id")),
						cardIn: holding.map((card) => card.getAttribute("data-status")),
						search: document.querySelector<HTMLInputElement>('[data-testid="filter-search"]')
							?.value,
					};
				},
				{ status, mentionId },
			)
			.catch((reason: unknown) => `the page could not be read: ${String(reason)}`);
		throw new Error(
			`card ${mentionId} is not shown in the ${status} column; the page showed ${JSON.stringify(shown)}`,
			{ cause: error },
		);
	}
}

/** The editor's text without the remote cursors' name labels. */
export function editorText(page: Page): Promise<string> {
	return page.locator('[data-testid="editor-content"]').evaluate((element) => {
		const copy = element.cloneNode(true) as HTMLElement;
		for (const label of copy.querySelectorAll(".cm-ySelectionCaret, .cm-ySelectionInfo"))
			label.remove();
		return [...copy.querySelectorAll(".cm-line")].map((line) => line.textContent ?? "").join("\n");
	});
}

/**
 * A document as this browser's IndexedDB holds it: every stored update applied to a fresh
 * document, as a reload would. Chromium commits a page's IndexedDB writes on its own
 * schedule, behind the socket when the machine is busy; a reload aborts what is not written.
 */
async function localDocument(page: Page, name: string): Promise<Y.Doc> {
	const updates = await page.evaluate(
		(database) =>
			new Promise<number[][]>((resolve, reject) => {
				const opening = indexedDB.open(database);
				opening.onerror = () => reject(opening.error);
				opening.onsuccess = () => {
					const db = opening.result;
					if (!db.objectStoreNames.contains("updates")) {
						db.close();
						resolve([]);
						return;
					}
					const reading = db.transaction("updates").objectStore("updates").getAll();
					reading.onerror = () => reject(reading.error);
					reading.onsuccess = () => {
						db.close();
						resolve((reading.result as Uint8Array[]).map((update) => [...update]));
					};
				};
			}),
		name,
	);
	const doc = new Y.Doc();
	for (const update of updates) Y.applyUpdate(doc, Uint8Array.from(update));
	return doc;
}

/** The draft's text as this browser's IndexedDB holds it (`localDocument`). */
export async function localDraftText(
	page: Page,
	organisation: string,
	memberId: string,
	mentionId: string,
): Promise<string> {
	const name = localDocumentName(memberId, draftDocumentName(organisation, mentionId));
	const doc = await localDocument(page, name);
	const text = doc.getText("body").toString();
	doc.destroy();
	return text;
}

/**
 * Whether this browser's IndexedDB holds the board (`localDocument`): the board's replica
 * writes what the server sent a moment after its first sync, not while the page takes it in.
 */
export async function localBoardWritten(
	page: Page,
	organisation: string,
	memberId: string,
	boardId = "main",
): Promise<boolean> {
	const doc = await localDocument(
		page,
		localDocumentName(memberId, boardDocumentName(organisation, boardId)),
	);
	const written = doc.store.clients.size > 0;
	doc.destroy();
	return written;
}

/** Types `text` at the end of the shared draft. */
export async function typeInDraft(page: Page, text: string): Promise<void> {
	const editor = page.locator('[data-testid="editor-content"]');
	await editor.click();
	await page.keyboard.press("End");
	await page.keyboard.type(text);
}

/** For `expect.poll`: an attribute of `locator`, null while it is not there. */
export const attribute = (locator: Locator, name: string) => () =>
	locator.getAttribute(name).catch(() => null);

/**
 * After a refused sign-in: the field has the focus again, and its description
 * (`aria-describedby`) is the refusal's text, so the person types there at once and a
 * screen reader says why.
 */
export async function expectRefusedAt(field: Locator, refusal: Locator): Promise<void> {
	await expect
		.poll(() => field.evaluate((input) => input === document.activeElement), { timeout: 15_000 })
		.toBe(true);
	const described = await field.evaluate(
		(input) => document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent,
	);
	expect(described).toBe(await refusal.textContent());
}

/**
 * Takes the page's browser offline and waits until the page's sync status says so. The page
 * closes its sockets on the browser's offline event; on a machine busy with other work that
 * took more than 15 s once (CI dry run, load 7), so the backstop is the test's, not 15 s.
 */
export async function goOffline(page: Page): Promise<void> {
	await page.context().setOffline(true);
	await expect
		.poll(attribute(page.getByTestId("sync-status"), "data-online"), { timeout: 90_000 })
		.toBe("false");
}

/** For `expect.poll`: the text of `locator`, empty while it is not there. */
export const textOf = (locator: Locator) => () => locator.textContent().catch(() => "");

/**
 * Collects the Content-Security-Policy violations of every page of `context` from now on:
 * the documents' `securitypolicyviolation` events and Chromium's console reports.
 */
export async function watchCspViolations(
	context: BrowserContext,
): Promise<() => Promise<string[]>> {
	const reported: string[] = [];
	await context.addInitScript(() => {
		const seen: string[] = [];
		(window as unknown as { cspViolations: string[] }).cspViolations = seen;
		document.addEventListener("securitypolicyviolation", (event) => {
			seen.push(
				`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
			);
		});
	});
	const watch = (page: Page) =>
		page.on("console", (message) => {
			if (/Content.Security.Policy/i.test(message.text())) reported.push(message.text());
		});
	for (const page of context.pages()) watch(page);
	context.on("page", watch);
	return async () => {
		const fromPages = await Promise.all(
			context
				.pages()
				.map((page) =>
					page
						.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [])
						.catch(() => [] as string[]),
				),
		);
		return [...fromPages.flat(), ...reported];
	};
}

/**
 * A card's rows of chips (its tags, who is looking) cut short: a card has a fixed height, and
 * a row that gives way to the others hides the bottom of its chips.
 */
function clippedCardRows(page: Page): Promise<string[]> {
	return page
		.locator(".card-tags, .card-presence")
		.evaluateAll((rows) =>
			rows
				.filter((row) => row.clientHeight > 0 && row.scrollHeight > row.clientHeight)
				.map((row) => `${row.className}: ${row.clientHeight} of ${row.scrollHeight} px`),
		);
}

/**
 * The checks every screen passes on a phone: no sideways scroll, no card row cut short, no
 * control under 44 × 44 px and no label apart from its control within `scope`, nothing axe
 * calls serious or critical; `what` names the screen in a failure.
 */
export async function fitsPhone(page: Page, scope: string, what: string): Promise<void> {
	const { overflow, culprits } = await horizontalOverflow(page);
	expect(overflow, `${what} scrolls sideways: ${culprits.join(", ")}`).toBeLessThanOrEqual(0);
	expect(await clippedCardRows(page), `${what}: cards' rows cut short`).toEqual([]);
	expect(await smallTargets(page, scope), `${what}: controls under 44 × 44 px`).toEqual([]);
	expect(await detachedLabels(page, scope), `${what}: labels apart from their controls`).toEqual(
		[],
	);
	expect(await seriousAxeViolations(page), `${what}: axe`).toEqual([]);
}

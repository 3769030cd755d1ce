/**
 * Scenario 10, the phone: from tapping "Sign in" to a board that answers a tap, and on to the
 * member's queue, on a 390 × 844 touch screen with the CPU slowed 4× and DevTools' "fast 3G"
 * network (562.5 ms round trip, 1.44 Mbit/s down) — and how much JavaScript that first
 * screen needs.
 *
 * Switchboard runs as a child process with the demo organisation (about 500 open
 * conversations, an embedded database) serving the built web client. Each repeat is a fresh
 * browser context: nothing cached, no service worker yet, as for someone signing in for the
 * first time. Measured in the page:
 * - "interactive": the first cards are painted and a tap on the Filters button, sent the
 *   moment they appear, has opened the filters;
 * - "queue": from the same tap on "Sign in" to the queue page listing the member's work,
 *   reached through the header's menu as a member would;
 * - "sign-in page": from opening the address to the sign-in form on screen, the app's own
 *   first load;
 * - JavaScript: every script the page loaded until interactive, by its size in dist/ and by
 *   the bytes the server sent for it (the build's Brotli or gzip copy where the browser
 *   accepts one, apps/web/precompress.ts), and the bytes sent for the scripts the sign-in
 *   page loaded before its form showed.
 * Then the board at work, in a context of its own (CPU still 4×, network not slowed): how busy
 * the page's main thread is, untouched, for 8 s with nothing arriving and for 8 s while signed
 * webhook requests bring 50 new mentions a second (one per request), the rate of a whole
 * company's board in scenario 12: on an ambassador's board, on a moderator's Coverage page, and
 * on the moderator's Reviews page with 15 replies waiting (three ambassadors of the SDK claim
 * five conversations each, write a reply in the draft and submit it).
 * From a CPU profile of the page: the share of its samples that are not idle.
 * No baseline applies: bare Hocuspocus and y-websocket have no client to compare.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSwitchboardClient } from "@switchboard/client";
import { signatureHeaders } from "@switchboard/connectors";
import { freePort } from "@switchboard/connectors/testing";
import { draftHash, draftText } from "@switchboard/domain";
import type { Browser, BrowserContext } from "playwright-core";
import { customerText } from "../lib/customer-texts.ts";
import { BENCH_RATE_LIMITS } from "../lib/rate-limits.ts";
import {
	type BenchContext,
	type BenchRow,
	type Scenario,
	switchboardOnly,
} from "../lib/scenario.ts";
import { median } from "../lib/stats.ts";
import { launchChromium, readyForBrowser, WEB_DIST } from "./_09-server.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SERVER_MAIN = join(ROOT, "apps/server/src/main.ts");
const EMAIL = "ambassador1@acme.test";
const PASSWORD = "switchboard";

/** DevTools' "Fast 3G" preset (its throughputs already include DevTools' 0.9 factor). */
const FAST_3G = {
	offline: false,
	latency: 562.5,
	downloadThroughput: (1.44 * 1024 * 1024) / 8,
	uploadThroughput: (0.675 * 1024 * 1024) / 8,
};
const CPU_SLOWDOWN = 4;

interface PhoneFigures {
	signInPageMs: number;
	interactiveMs: number;
	paintedMs: number;
	queueMs: number;
	scripts: string[];
	/** Bytes the server sent for those scripts' bodies (compressed as sent). */
	scriptBytesSent: number;
	/** Bytes the server sent for the scripts the sign-in page loaded before its form showed. */
	signInScriptBytesSent: number;
}

/** Switchboard with the demo organisation on an embedded database of its own. */
async function startDemoServer(): Promise<{ url: string; stop(): Promise<void> }> {
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-bench-10-"));
	const port = await freePort();
	// The embedded database and one instance: what a team starting out runs.
	const { DATABASE_URL: _database, REDIS_URL: _redis, ...env } = process.env;
	const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], {
		cwd: ROOT,
		env: {
			...env,
			PORT: String(port),
			HOST: "127.0.0.1",
			DATA_DIR: dataDir,
			SWITCHBOARD_DEMO: "1",
			SWITCHBOARD_WEB_DIR: WEB_DIST,
			LOG_LEVEL: "warn",
			...BENCH_RATE_LIMITS,
		},
		stdio: ["ignore", "ignore", "inherit"],
	});
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 180_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
		const ready = await fetch(`${url}/readyz`).then(
			(response) => response.ok,
			() => false,
		);
		if (ready) break;
		if (Date.now() > deadline) throw new Error("the server did not become ready in 180 s");
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return {
		url,
		async stop() {
			child.kill("SIGTERM");
			await new Promise((resolve) => child.once("exit", resolve));
			await rm(dataDir, { recursive: true, force: true });
		},
	};
}

/** A fresh browser context as the phone: a 390 × 844 touch screen. */
function phoneContext(browser: Browser, url: string): Promise<BrowserContext> {
	return browser.newContext({
		baseURL: url,
		viewport: { width: 390, height: 844 },
		deviceScaleFactor: 1,
		isMobile: true,
		hasTouch: true,
	});
}

async function measureOnce(browser: Browser, url: string): Promise<PhoneFigures> {
	const context = await phoneContext(browser, url);
	try {
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
		await cdp.send("Network.enable");
		await cdp.send("Network.emulateNetworkConditions", FAST_3G);
		// Bytes the server sent per script, by its Content-Length: the board worker's script too,
		// which the page's resource timing and DevTools' sizes give as 0.
		const sent = new Map<string, Promise<number>>();
		page.on("requestfinished", (request) => {
			const path = new URL(request.url()).pathname;
			if (!path.endsWith(".js")) return;
			sent.set(
				path,
				request.response().then(
					(response) => Number(response?.headers()["content-length"] ?? 0),
					() => 0,
				),
			);
		});
		// When the sign-in form first shows, as the page sees it: Playwright's wait below
		// answers later, by which time the page may have begun loading more.
		await context.addInitScript(() => {
			const watch = new MutationObserver(() => {
				if (!document.querySelector('input[type="email"]')) return;
				watch.disconnect();
				(window as unknown as { __formAt: number }).__formAt = performance.now();
			});
			watch.observe(document, { childList: true, subtree: true });
		});
		await page.goto("/login");
		await page.getByLabel("Email").waitFor({ timeout: 120_000 });
		// Since the navigation began: the page's time origin.
		const signInPageMs = await page.evaluate(() => performance.now());
		// What the sign-in page needed: the scripts asked for before its form showed.
		const signInScripts = await page.evaluate(() => {
			const formAt = (window as unknown as { __formAt: number }).__formAt;
			return performance
				.getEntriesByType("resource")
				.filter((entry) => entry.startTime <= formAt)
				.map((entry) => new URL(entry.name).pathname)
				.filter((path) => path.endsWith(".js"));
		});
		await page.getByLabel("Email").fill(EMAIL);
		await page.getByLabel("Password").fill(PASSWORD);
		// In the page from here on: the tap's time, the first card, the Filters tap's answer.
		await page.evaluate(() => {
			const probe = { tapAt: 0, paintedAt: 0, answeredAt: 0 };
			(window as unknown as { __bench10: typeof probe }).__bench10 = probe;
			document.addEventListener(
				"pointerdown",
				() => {
					probe.tapAt = performance.now();
				},
				{ capture: true, once: true },
			);
			const watcher = new MutationObserver(() => {
				const toggle = document.querySelector<HTMLButtonElement>('[data-testid="filters-toggle"]');
				if (!document.querySelector('[data-testid="card"]') || !toggle) return;
				watcher.disconnect();
				requestAnimationFrame(() =>
					setTimeout(() => {
						probe.paintedAt = performance.now();
					}),
				);
				const answered = new MutationObserver(() => {
					if (toggle.getAttribute("aria-expanded") !== "true") return;
					answered.disconnect();
					probe.answeredAt = performance.now();
				});
				answered.observe(toggle, { attributes: true });
				// Queued as a task: it runs once the main thread is free, as a real tap would.
				setTimeout(() => toggle.click());
			});
			watcher.observe(document, { childList: true, subtree: true });
		});
		await page.getByRole("button", { name: "Sign in", exact: true }).tap();
		await page.waitForFunction(
			() => (window as unknown as { __bench10: { answeredAt: number } }).__bench10.answeredAt > 0,
			null,
			{ timeout: 180_000 },
		);
		const probe = await page.evaluate(
			() =>
				(
					window as unknown as {
						__bench10: { tapAt: number; paintedAt: number; answeredAt: number };
					}
				).__bench10,
		);
		// What the first screen needed: scripts asked for before its cards were painted (the
		// conversation's code is fetched ahead later, when the page is idle).
		const scripts = await page.evaluate(
			(paintedAt) =>
				performance
					.getEntriesByType("resource")
					.filter((entry) => new URL(entry.name).pathname.endsWith(".js"))
					.filter((entry) => entry.startTime <= paintedAt)
					.map((entry) => new URL(entry.name).pathname),
			probe.paintedAt,
		);
		// On to the queue through the menu, timed from the same tap on "Sign in".
		await page.getByTestId("menu-button").tap();
		await page.getByTestId("nav-queue").tap();
		await page.locator(".page-heading h1").filter({ hasText: "My queue" }).waitFor({
			timeout: 120_000,
		});
		const queueAt = await page.evaluate(() => performance.now());
		const sentFor = async (paths: string[]) =>
			(await Promise.all([...new Set(paths)].map((path) => sent.get(path) ?? 0))).reduce(
				(sum, bytes) => sum + bytes,
				0,
			);
		return {
			signInPageMs,
			interactiveMs: probe.answeredAt - probe.tapAt,
			paintedMs: probe.paintedAt - probe.tapAt,
			queueMs: queueAt - probe.tapAt,
			scripts,
			scriptBytesSent: await sentFor(scripts),
			signInScriptBytesSent: await sentFor(signInScripts),
		};
	} finally {
		await context.close();
	}
}

/** How long the page is profiled on the open board, quiet and then busy. */
const BUSY_WINDOW_MS = 8_000;
/** New mentions a second while the board is busy: scenario 12's ingest rate. */
const BUSY_MENTIONS_PER_SECOND = 50;

interface BusyBoardFigures {
	/** Share of the page's main-thread samples that were not idle, 0–1. */
	quiet: number;
	busy: number;
	/** Mentions the webhook accepted while the busy window ran, a second. */
	acceptedPerSecond: number;
}

/** A signed webhook source of the demo organisation, made by its admin. */
async function webhookSource(url: string): Promise<{ webhookUrl: string; secret: string }> {
	const json = { "content-type": "application/json" };
	const login = await fetch(`${url}/api/auth/login`, {
		method: "POST",
		headers: json,
		body: JSON.stringify({ email: "admin@acme.test", password: PASSWORD }),
	});
	const { token } = (await login.json()) as { token: string };
	const made = await fetch(`${url}/api/orgs/acme/sources`, {
		method: "POST",
		headers: { ...json, authorization: `Bearer ${token}` },
		body: JSON.stringify({ kind: "webhook", name: "Bench 10" }),
	});
	if (!made.ok) throw new Error(`creating the webhook source answered ${made.status}`);
	return (await made.json()) as { webhookUrl: string; secret: string };
}

/** Feeds so far: each posts mentions of its own (a repeated external id is not a new mention). */
let feeds = 0;

/** Posts signed mentions, one per request, at `perSecond` on a schedule, until stopped. */
function feedMentions(
	url: string,
	source: { webhookUrl: string; secret: string },
	perSecond: number,
): { accepted(): number; stop(): Promise<void> } {
	const feed = ++feeds;
	const started = performance.now();
	const inFlight = new Set<Promise<void>>();
	let sent = 0;
	let accepted = 0;
	const post = (i: number) => {
		const body = JSON.stringify({
			network: "other",
			externalId: `bench10-${feed}-${i}`,
			url: `https://forum.example/t/bench10-${feed}-${i}`,
			author: { handle: `user${i % 997}`, name: `User ${i % 997}`, reach: 10 + (i % 5000) },
			text: customerText(i),
			postedAt: new Date().toISOString(),
		});
		const request = fetch(`${url}${source.webhookUrl}`, {
			method: "POST",
			headers: { "content-type": "application/json", ...signatureHeaders(source.secret, body) },
			body,
		})
			.then(async (response) => {
				await response.arrayBuffer();
				if (response.status === 202) accepted += 1;
			})
			.catch(() => undefined)
			.finally(() => inFlight.delete(request));
		inFlight.add(request);
	};
	const timer = setInterval(() => {
		const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
		for (; sent < due; sent++) post(sent);
	}, 10);
	return {
		accepted: () => accepted,
		async stop() {
			clearInterval(timer);
			await Promise.all(inFlight);
		},
	};
}

/** The share of a CPU profile's samples that are not idle. */
function busyShare(profile: {
	nodes: { id: number; callFrame: { functionName: string } }[];
	samples?: number[];
	timeDeltas?: number[];
}): number {
	const idle = new Set(
		profile.nodes.filter((node) => node.callFrame.functionName === "(idle)").map((node) => node.id),
	);
	const samples = profile.samples ?? [];
	let all = 0;
	let free = 0;
	for (const [i, sample] of samples.entries()) {
		const delta = profile.timeDeltas?.[i] ?? 0;
		all += delta;
		if (idle.has(sample)) free += delta;
	}
	return all > 0 ? 1 - free / all : Number.NaN;
}

/** Whose page is watched while the board is busy, and where. */
interface BusyPage {
	email: string;
	path: string;
	/** Shown once the page has the board. */
	ready: string;
}

const AMBASSADOR_BOARD: BusyPage = { email: EMAIL, path: "/", ready: '[data-testid="card"]' };
const MODERATOR_COVERAGE: BusyPage = {
	email: "moderator@acme.test",
	path: "/coverage",
	ready: '[data-testid="unclaimed-matrix"]',
};

const MODERATOR_REVIEWS: BusyPage = {
	email: "moderator@acme.test",
	path: "/reviews",
	ready: '[data-testid="review-card"]',
};

/** Who submits the replies the Reviews page shows, and how many each. */
const REVIEWERS_OF = ["ambassador1@acme.test", "ambassador2@acme.test", "ambassador3@acme.test"];
const REPLIES_EACH = 5;

/** Until `check` holds, or `ms` have passed (then fails, naming `what`). */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/**
 * Replies waiting for review, made as ambassadors make them: through the SDK, each claims new
 * conversations, writes a reply in the shared draft and submits it. Returns how many.
 */
async function submitReplies(url: string): Promise<number> {
	let submitted = 0;
	for (const email of REVIEWERS_OF) {
		const login = await fetch(`${url}/api/auth/login`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ email, password: PASSWORD }),
		});
		const { token, member } = (await login.json()) as {
			token: string;
			member: { id: string; orgId: string; role: "ambassador"; name: string };
		};
		const client = createSwitchboardClient({
			url,
			token,
			me: { id: member.id, orgId: member.orgId, role: member.role, name: member.name },
			boardId: "main",
			persistence: "memory",
		});
		try {
			await until(() => client.board.get().ready, 60_000, `${email}'s board`);
			let mine = 0;
			for (const mention of client.board.get().mentions) {
				if (mine === REPLIES_EACH) break;
				if (mention.status !== "new" || mention.owner !== null) continue;
				if (!(await client.send({ name: "claim", args: { mentionId: mention.id } })).ok) continue;
				const draft = client.openDraft(mention.id);
				try {
					await until(() => draft.provider.isSynced, 60_000, "the draft's first sync");
					draft.doc
						.getText("body")
						.insert(
							0,
							`Sorry about that, @${mention.author.handle}. Could you send us your order number?`,
						);
					await until(() => draft.unsynced.get() === 0, 60_000, "the draft's edit acknowledged");
					const text = draftText(draft.doc);
					const hash = draftHash(text);
					const sent = await client.send({
						name: "submitForReview",
						args: { mentionId: mention.id, hash, text },
					});
					if (!sent.ok) throw new Error(`submitting a reply for review was refused`);
				} finally {
					draft.close();
				}
				mine += 1;
			}
			submitted += mine;
		} finally {
			client.destroy();
		}
	}
	return submitted;
}

/** How busy the phone's page is, quiet and while mentions pour in. */
async function measureBusyPage(
	browser: Browser,
	url: string,
	watched: BusyPage,
	source: { webhookUrl: string; secret: string },
): Promise<BusyBoardFigures> {
	const context = await phoneContext(browser, url);
	try {
		const page = await context.newPage();
		const cdp = await context.newCDPSession(page);
		await page.goto("/login");
		await page.getByLabel("Email").fill(watched.email);
		await page.getByLabel("Password").fill(PASSWORD);
		await page.getByRole("button", { name: "Sign in", exact: true }).tap();
		await page.waitForURL((address) => !address.pathname.startsWith("/login"), {
			timeout: 120_000,
		});
		if (watched.path !== "/") await page.goto(watched.path);
		await page.locator(watched.ready).first().waitFor({ timeout: 120_000 });
		await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
		await cdp.send("Profiler.enable");
		await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
		const profiled = async () => {
			await cdp.send("Profiler.start");
			await page.waitForTimeout(BUSY_WINDOW_MS);
			const { profile } = await cdp.send("Profiler.stop");
			return busyShare(profile);
		};
		// The first screen's work done: the board at rest.
		await page.waitForTimeout(2_000);
		const quiet = await profiled();
		const feed = feedMentions(url, source, BUSY_MENTIONS_PER_SECOND);
		try {
			// The rate reached before the window opens.
			await page.waitForTimeout(2_000);
			const before = feed.accepted();
			const busy = await profiled();
			const acceptedPerSecond = (feed.accepted() - before) / (BUSY_WINDOW_MS / 1000);
			return { quiet, busy, acceptedPerSecond };
		} finally {
			await feed.stop();
		}
	} finally {
		await context.close();
	}
}

/** Size of built files in dist/, KiB. */
function sizeInDist(paths: readonly string[]): number {
	let raw = 0;
	for (const path of new Set(paths)) {
		const file = join(WEB_DIST, path);
		if (existsSync(file)) raw += readFileSync(file).length;
	}
	return raw / 1024;
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/** A watched page's two rows: how busy it was with nothing arriving, and in the surge. */
function busyRows(what: string, runs: readonly BusyBoardFigures[]): BenchRow[] {
	const share = (pick: (run: BusyBoardFigures) => number) =>
		round((median(runs.map(pick)) ?? Number.NaN) * 100, 1);
	return [
		switchboardOnly(
			`${what}, nothing arriving (share of 8 s)`,
			"%",
			share((r) => r.quiet),
		),
		switchboardOnly(
			`${what}, ${BUSY_MENTIONS_PER_SECOND} new mentions/s arriving (share of 8 s)`,
			"%",
			share((r) => r.busy),
		),
	];
}

const scenario: Scenario = {
	id: 10,
	title: "The phone",
	repeats: (ctx) => (ctx.full ? Math.max(3, ctx.repeats) : 1),
	async run(ctx: BenchContext): Promise<BenchRow[]> {
		if (!readyForBrowser(ctx, 10)) return [];
		const repeats = scenario.repeats?.(ctx) ?? 1;
		const server = await startDemoServer();
		const browser = await launchChromium();
		const runs: PhoneFigures[] = [];
		const busyRuns: BusyBoardFigures[] = [];
		const coverageRuns: BusyBoardFigures[] = [];
		const reviewsRuns: BusyBoardFigures[] = [];
		try {
			for (let i = 0; i < repeats; i++) {
				const figures = await measureOnce(browser, server.url);
				ctx.log(
					`phone ${i + 1}/${repeats}: sign-in page ${round(figures.signInPageMs)} ms, ` +
						`sign-in → interactive board ${round(figures.interactiveMs)} ms, ` +
						`→ queue ${round(figures.queueMs)} ms`,
				);
				runs.push(figures);
			}
			// After the first sign-ins: the mentions it adds would change what they load.
			const source = await webhookSource(server.url);
			for (let i = 0; i < repeats; i++) {
				for (const [name, watched, runs] of [
					["the board", AMBASSADOR_BOARD, busyRuns],
					["Coverage", MODERATOR_COVERAGE, coverageRuns],
				] as const) {
					const busy = await measureBusyPage(browser, server.url, watched, source);
					ctx.log(
						`phone ${i + 1}/${repeats}: main thread busy on ${name} ${round(busy.quiet * 100, 1)} % quiet, ` +
							`${round(busy.busy * 100, 1)} % at ${round(busy.acceptedPerSecond)} new mentions/s`,
					);
					runs.push(busy);
				}
			}
			// After the board and Coverage: the conversations it claims would change what they show.
			const waiting = await submitReplies(server.url);
			ctx.log(`phone: ${waiting} replies waiting for review`);
			for (let i = 0; i < repeats; i++) {
				const busy = await measureBusyPage(browser, server.url, MODERATOR_REVIEWS, source);
				ctx.log(
					`phone ${i + 1}/${repeats}: main thread busy on Reviews ${round(busy.quiet * 100, 1)} % quiet, ` +
						`${round(busy.busy * 100, 1)} % at ${round(busy.acceptedPerSecond)} new mentions/s`,
				);
				reviewsRuns.push(busy);
			}
		} finally {
			await browser.close();
			await server.stop();
		}
		const of = (pick: (run: PhoneFigures) => number) => round(median(runs.map(pick)) ?? Number.NaN);
		const first = runs[0];
		const row = switchboardOnly;
		return [
			row(
				"phone (4× CPU, fast 3G): open the sign-in page",
				"ms",
				of((r) => r.signInPageMs),
			),
			row(
				"phone: sign-in → board interactive",
				"ms",
				of((r) => r.interactiveMs),
			),
			row(
				"phone: sign-in → first cards painted",
				"ms",
				of((r) => r.paintedMs),
			),
			row(
				"phone: sign-in → my queue, through the menu",
				"ms",
				of((r) => r.queueMs),
			),
			...busyRows("phone: main thread busy on the open board", busyRuns),
			...busyRows("phone, moderator: main thread busy on Coverage", coverageRuns),
			...busyRows(
				`phone, moderator: main thread busy on Reviews (${REVIEWERS_OF.length * REPLIES_EACH} replies waiting)`,
				reviewsRuns,
			),
			row(
				"new mentions accepted while the board was busy (webhook, one per request)",
				"mentions/s",
				round(
					median([...busyRuns, ...coverageRuns, ...reviewsRuns].map((r) => r.acceptedPerSecond)) ??
						Number.NaN,
				),
			),
			row(
				"JavaScript the sign-in page loads, as sent",
				"KiB",
				round((first?.signInScriptBytesSent ?? 0) / 1024),
			),
			row("JavaScript the first screen loads", "KiB", round(sizeInDist(first?.scripts ?? []))),
			row(
				"JavaScript the first screen loads, as sent",
				"KiB",
				round((first?.scriptBytesSent ?? 0) / 1024),
			),
		];
	},
};

export default scenario;

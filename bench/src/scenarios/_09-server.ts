/**
 * Scenario 9's server: Switchboard as a child process (apps/server/src/main.ts) on a fresh
 * PostgreSQL database holding one board with 10,000 open conversations, serving the built
 * web client. Also builds the web client when it is missing, and hands out a session the
 * browser can start from without the sign-in form.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@switchboard/connectors/testing";
import { type Role, SESSION_COOKIE } from "@switchboard/domain";
import { type NewMention, openStorage } from "@switchboard/storage";
import { createTestDatabase } from "@switchboard/storage/test-database";
import { createTokenService } from "@switchboard/sync";
import { CHROMIUM } from "@switchboard/tests/chromium";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Cores, pinned } from "../lib/proc.ts";
import { BENCH_RATE_LIMITS } from "../lib/rate-limits.ts";
import type { BenchContext } from "../lib/scenario.ts";
import { installProbe, type LoadProbe } from "./_09-page.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const WEB_DIST = join(ROOT, "apps/web/dist");
const SERVER_MAIN = join(ROOT, "apps/server/src/main.ts");
const SECRET = "bench-client-secret-bench-client-secret-0123456789";
const ORG = "acme";
const BOARD = "main";

/** What the web client keeps in localStorage under "switchboard.session" (no token). */
export interface BrowserSession {
	me: { id: string; orgId: string; role: Role; name: string };
	boardId: string;
	expiresAt: number | null;
}

export interface ClientBenchServer {
	url: string;
	session: BrowserSession;
	/** The session's token, for the HttpOnly cookie the page relies on (`SESSION_COOKIE`). */
	token: string;
	stop(): Promise<void>;
}

/**
 * Whether a browser scenario can run: Chromium is installed (otherwise the scenario is
 * skipped, and the log says why) and apps/web is built from the tree's sources.
 */
export function readyForBrowser(ctx: BenchContext, scenarioId: number): boolean {
	if (!existsSync(CHROMIUM)) {
		ctx.log(
			`scenario ${scenarioId} skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
		);
		return false;
	}
	ensureWebBuild(ctx.log);
	return true;
}

/** Sign a browser context in: the HttpOnly session cookie that sign-in would have set. */
export function signInContext(context: BrowserContext, server: ClientBenchServer): Promise<void> {
	return context.addCookies([
		{ name: SESSION_COOKIE, value: server.token, url: server.url, httpOnly: true, sameSite: "Lax" },
	]);
}

/**
 * A page of a new desktop-sized context of `browser`, signed in to `server`, with scenario
 * 9's probe installed (`installProbe`; the tools pass no binding). Not yet navigated.
 */
export async function probedPage(
	browser: Browser,
	server: ClientBenchServer,
	bindingName = "__none",
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	await signInContext(context, server);
	await context.addInitScript(installProbe, {
		session: JSON.stringify(server.session),
		bindingName,
	});
	return { context, page: await context.newPage() };
}

/** Resolves once the probe saw the board's first cards painted. */
export async function cardsPainted(page: Page): Promise<void> {
	await page.waitForFunction(
		() => (window as unknown as { __bench09?: LoadProbe }).__bench09?.cardsPaintedAt != null,
		null,
		{ timeout: 120_000 },
	);
}

/**
 * The tools' server (`_09-*.ts`): the 10,000-card board on `BENCH_DATABASE_URL` (else the
 * local PostgreSQL), serving the web build in `webDir` (else apps/web/dist).
 */
export function startToolServer(
	log: (message: string) => void,
	webDir?: string,
): Promise<ClientBenchServer> {
	return startClientBenchServer({
		databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test",
		count: 10_000,
		log,
		...(webDir ? { webDir } : {}),
	});
}

/** Headless Chromium, launched as the end-to-end tests launch it. */
export { launchChromium } from "@switchboard/tests/chromium";

/** Newest modification time of the files under `paths`, ms. */
function newestChange(paths: readonly string[]): number {
	let newest = 0;
	for (const path of paths) {
		if (!existsSync(path)) continue;
		const stat = statSync(path);
		if (!stat.isDirectory()) {
			newest = Math.max(newest, stat.mtimeMs);
			continue;
		}
		for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
			if (entry.isFile()) {
				newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
			}
		}
	}
	return newest;
}

/**
 * Build apps/web the way `pnpm start` does, unless the build is newer than the sources it
 * is made from (a stale build would measure other code than the tree's).
 */
export function ensureWebBuild(log: (message: string) => void): void {
	const index = join(WEB_DIST, "index.html");
	const sources = [
		"apps/web/src",
		"apps/web/index.html",
		"apps/web/vite.config.ts",
		"apps/web/service-worker-plugin.ts",
		"apps/web/precompress.ts",
		"packages/client/src",
		"packages/domain/src",
	];
	const built = existsSync(index) ? statSync(index).mtimeMs : 0;
	if (built > newestChange(sources.map((path) => join(ROOT, path)))) return;
	log(built ? "rebuilding apps/web (sources changed since its build)" : "building apps/web");
	execFileSync("pnpm", ["--filter", "@switchboard/web", "build"], {
		cwd: ROOT,
		stdio: "ignore",
		env: { ...process.env, NODE_ENV: "production" },
	});
}

const NETWORKS = ["twitter", "mastodon", "bluesky", "rss"] as const;
const TAGS = ["shipping", "billing", "outage", "praise", "refund", "login"];
const WORDS =
	"where is my parcel the app keeps crashing after the update thanks for the quick help yesterday billing charged me twice please fix the login page is down again love the new feature".split(
		" ",
	);

/** `count` open conversations with varied networks, priorities, tags and text lengths. */
export function bulkMentions(count: number, now = Date.now()): NewMention[] {
	return Array.from({ length: count }, (_, i) => {
		const postedAt = new Date(now - (i + 1) * 5_000).toISOString();
		const length = 6 + ((i * 7) % 40);
		const text = Array.from({ length }, (_, w) => WORDS[(i + w * 3) % WORDS.length]).join(" ");
		const tag = TAGS[i % TAGS.length] as string;
		return {
			network: NETWORKS[i % NETWORKS.length] as (typeof NETWORKS)[number],
			externalId: `bench-${i}`,
			url: `https://social.example/@user${i}/${i}`,
			author: { handle: `user${i}`, name: `User ${i}`, reach: (i * 37) % 5_000 },
			text: `@acme ${text}`,
			thread: [],
			postedAt,
			ingestedAt: postedAt,
			language: "en",
			sentiment: ((i % 11) - 5) / 5,
			priority: i % 10 === 0 ? "high" : i % 3 === 0 ? "normal" : "low",
			tags: i % 4 === 0 ? [tag] : [],
		};
	});
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
	const started = Date.now();
	while (Date.now() - started < timeoutMs) {
		if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
		try {
			const response = await fetch(`${url}/healthz`);
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`the server did not answer /healthz within ${timeoutMs} ms`);
}

/**
 * A fresh database with `count` open conversations on acme's board, and Switchboard on it
 * (pinned to the server core, like the other scenarios' servers).
 */
export async function startClientBenchServer(options: {
	databaseUrl: string;
	count: number;
	log(message: string): void;
	/** Another build of the web client (an unminified one, to profile). @default apps/web/dist */
	webDir?: string;
}): Promise<ClientBenchServer> {
	const database = await createTestDatabase(options.databaseUrl);
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-bench-09-"));
	let child: ChildProcess | null = null;
	try {
		const storage = await openStorage({ databaseUrl: database.url });
		let session: BrowserSession;
		let token: string;
		try {
			await storage.createOrganisation({ id: ORG, name: "Acme" });
			await storage.createBoard({ id: BOARD, orgId: ORG, name: "Acme mentions" });
			const name = "Bench Ambassador";
			const member = await storage.createMember({
				orgId: ORG,
				email: "bench@acme.test",
				name,
				role: "ambassador",
				capacity: 5,
				passwordHash: "unused",
			});
			token = await createTokenService({ secret: SECRET }).sign({
				memberId: member.id,
				orgId: ORG,
				role: "ambassador",
				name,
			});
			session = {
				me: { id: member.id, orgId: ORG, role: "ambassador", name },
				boardId: BOARD,
				expiresAt: null,
			};
			// In slices: one statement with 10,000 rows of parameters is over PostgreSQL's limit.
			const mentions = bulkMentions(options.count);
			for (let at = 0; at < mentions.length; at += 1_000) {
				await storage.insertMentions(ORG, BOARD, mentions.slice(at, at + 1_000));
			}
		} finally {
			await storage.close();
		}

		const port = await freePort();
		const env = {
			...process.env,
			PORT: String(port),
			HOST: "127.0.0.1",
			DATA_DIR: dataDir,
			DATABASE_URL: database.url,
			SWITCHBOARD_SECRET: SECRET,
			SWITCHBOARD_DEMO: "0",
			SWITCHBOARD_BACKGROUND: "0",
			SWITCHBOARD_WEB_DIR: options.webDir ?? WEB_DIST,
			LOG_LEVEL: "error",
			...BENCH_RATE_LIMITS,
		};
		const { command, args } = pinned(Cores.server, [SERVER_MAIN]);
		child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
		let stderr = "";
		child.stderr?.on("data", (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-4_000);
		});
		const url = `http://127.0.0.1:${port}`;
		try {
			await waitForHealth(url, child, 60_000);
		} catch (error) {
			throw new Error(`${(error as Error).message}\n${stderr}`);
		}
		const running = child;
		return {
			url,
			session,
			token,
			async stop() {
				if (running.exitCode === null) {
					const exited = new Promise((resolve) => running.once("exit", resolve));
					running.kill("SIGTERM");
					await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
					if (running.exitCode === null) running.kill("SIGKILL");
				}
				await database.drop();
				await rm(dataDir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		child?.kill("SIGKILL");
		await database.drop().catch(() => {});
		await rm(dataDir, { recursive: true, force: true });
		throw error;
	}
}

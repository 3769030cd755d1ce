/**
 * Takes the screenshots in docs/screenshots/phone-*.png: every page of Switchboard at phone
 * size (390 × 844), from a fresh demo server and the built client. Run after
 * `pnpm --filter @switchboard/web build`:
 *
 *     pnpm exec node tests/e2e/screenshots.ts [out-dir] [width]
 *
 * Prints each page's horizontal overflow, so it doubles as a quick look at a layout change.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium, signIn, startE2EServer } from "./harness.ts";
import { horizontalOverflow, PHONE, phoneContext } from "./phone.ts";

const out = process.argv[2] ?? fileURLToPath(new URL("../../docs/screenshots", import.meta.url));
const width = Number(process.argv[3] ?? PHONE.width);
const height = width > 800 ? 800 : PHONE.height;
const prefix = width > 800 ? "desktop-" : "phone-";

const server = await startE2EServer();
const browser = await launchChromium();
await mkdir(out, { recursive: true });

async function shoot(page: Page, name: string): Promise<void> {
	// Fonts, the virtual lists and the charts settle within a couple of frames.
	await page.evaluate(
		() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
	);
	await page.screenshot({ path: `${out}/${prefix}${name}.png`, type: "png" });
	const { overflow, culprits } = await horizontalOverflow(page);
	console.log(`${name}: overflow ${overflow}px ${culprits.join(" ")}`);
}

/** A phone, or at desktop widths a desktop: no touch, so the mouse-sized controls show. */
function newContext() {
	return width > 800
		? browser.newContext({ baseURL: server.url, viewport: { width, height } })
		: phoneContext(browser, server.url, width, height);
}

async function as(email: string, ready = '[data-testid="card"]') {
	const context = await newContext();
	const page = await context.newPage();
	await signIn(page, email, { ready, timeout: 60_000 });
	return { context, page };
}

try {
	const anonymous = await newContext();
	const login = await anonymous.newPage();
	await login.goto("/login");
	await login.getByLabel("Email").waitFor();
	await shoot(login, "login");
	await anonymous.close();

	const dana = await as("ambassador1@acme.test");
	await shoot(dana.page, "board");
	if (await dana.page.getByTestId("filters-toggle").isVisible()) {
		await dana.page.getByTestId("filters-toggle").click();
		await shoot(dana.page, "board-filters");
		await dana.page.getByTestId("filters-toggle").click();
	}
	if (await dana.page.getByTestId("menu-button").isVisible()) {
		await dana.page.getByTestId("menu-button").click();
		await shoot(dana.page, "menu");
		await dana.page.getByTestId("menu-button").click();
	}
	await dana.page.getByTestId("claim-next").click();
	await dana.page.waitForURL(/\/m\//, { timeout: 30_000 });
	await dana.page.getByTestId("editor-content").waitFor({ timeout: 30_000 });
	await dana.page.getByTestId("editor-content").click();
	await dana.page.keyboard.type("Thanks for telling us, we are looking into it now.");
	await shoot(dana.page, "conversation");
	await dana.page.goto("/queue");
	await dana.page.locator(".page-heading").waitFor();
	await shoot(dana.page, "queue");
	await dana.page.goto("/settings");
	await dana.page.locator(".page-heading, h1").first().waitFor();
	await dana.page.waitForLoadState("networkidle");
	await shoot(dana.page, "settings");
	await dana.context.close();

	const morgan = await as("moderator@acme.test");
	for (const name of ["coverage", "reviews", "reports"]) {
		await morgan.page.goto(`/${name}`);
		await morgan.page.locator("h1").first().waitFor();
		await morgan.page.waitForLoadState("networkidle");
		await shoot(morgan.page, name);
	}
	await morgan.context.close();

	const alex = await as("admin@acme.test");
	await alex.page.goto("/admin");
	await alex.page.locator("h1").first().waitFor();
	await alex.page.waitForLoadState("networkidle");
	await shoot(alex.page, "admin");
	await alex.context.close();
} finally {
	await browser.close();
	await server.close();
}

/**
 * Renders the app's PNG icons (public/icons/) from public/favicon.svg with Chromium, the one
 * SVG renderer every machine of ours has. Run after changing the favicon and commit the
 * result: `node apps/web/scripts/render-icons.ts`.
 *
 * - icon-192.png, icon-512.png: the favicon as it is (rounded square), for launchers that
 *   show an icon as drawn.
 * - maskable-512.png: the glyph on a full-bleed background within the central 80 % safe
 *   zone, for launchers that crop icons to their own shape (Android's adaptive icons).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const PUBLIC = fileURLToPath(new URL("../public/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The favicon's drawing without its rounded background, scaled into the safe zone. */
function maskable(svg: string): string {
	const background = svg.match(/<rect[^>]*fill="([^"]+)"/)?.[1] ?? "#1d3a5f";
	const glyph = svg.replace(/^.*?<rect[^>]*\/>/s, "").replace(/<\/svg>\s*$/, "");
	// The glyph spans 7..25 of 32; at 0.75 it stays inside the central 80 % circle.
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="${background}"/><g transform="translate(16 16) scale(0.75) translate(-16 -16.5)">${glyph}</g></svg>`;
}

async function main(): Promise<void> {
	const favicon = await readFile(`${PUBLIC}favicon.svg`, "utf8");
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
	try {
		const page = await browser.newPage();
		await mkdir(`${PUBLIC}icons`, { recursive: true });
		const render = async (svg: string, size: number, name: string) => {
			await page.setViewportSize({ width: size, height: size });
			const url = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
			await page.setContent(
				`<style>html,body{margin:0;background:transparent}</style><img src="${url}" width="${size}" height="${size}">`,
			);
			await page.locator("img").evaluate((img: HTMLImageElement) => img.decode());
			const png = await page.screenshot({ omitBackground: true, type: "png" });
			await writeFile(`${PUBLIC}icons/${name}`, png);
		};
		await render(favicon, 192, "icon-192.png");
		await render(favicon, 512, "icon-512.png");
		await render(maskable(favicon), 512, "maskable-512.png");
		await render(maskable(favicon), 180, "apple-touch-icon.png");
	} finally {
		await browser.close();
	}
}

await main();

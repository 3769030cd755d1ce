/**
 * Switchboard's service worker: the app shell loads without a network.
 *
 * - Built files (`/assets/*`, content-hashed) are precached at install and served cache-first.
 * - Navigations go to the network first and fall back to the cached index.html, which
 *   routes on the client (`/m/…`, `/queue`).
 * - `/api` and `/sync` are never touched: data comes from IndexedDB and the sync socket.
 * - The installed app (manifest.webmanifest) starts at `/queue`, a navigation like any
 *   other, so it opens offline from the cached shell too.
 * - Web Push: a push message shows its notification; a tap opens its conversation.
 *
 * The build (service-worker-plugin.ts) fills in the file list and the version.
 */
/// <reference lib="webworker" />

const VERSION = "__VERSION__";
/** @type {string[]} */
const PRECACHE = "__PRECACHE__";
const CACHE = `switchboard-shell-${VERSION}`;
const SHELL = "/index.html";

/** @type {ServiceWorkerGlobalScope} */
const worker = /** @type {never} */ (self);

worker.addEventListener("install", (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then((cache) => cache.addAll(PRECACHE))
			.then(() => worker.skipWaiting()),
	);
});

worker.addEventListener("activate", (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(
					keys
						.filter((key) => key.startsWith("switchboard-shell-") && key !== CACHE)
						.map((key) => caches.delete(key)),
				),
			)
			.then(() => worker.clients.claim()),
	);
});

/** @param {Request} request */
async function cacheFirst(request) {
	const cached = await caches.match(request);
	if (cached) return cached;
	const response = await fetch(request);
	if (response.ok) {
		const cache = await caches.open(CACHE);
		await cache.put(request, response.clone());
	}
	return response;
}

/** @param {Request} request */
async function navigate(request) {
	try {
		const response = await fetch(request);
		if (response.ok && response.headers.get("content-type")?.startsWith("text/html")) {
			const cache = await caches.open(CACHE);
			await cache.put(SHELL, response.clone());
		}
		return response;
	} catch (error) {
		const shell = await caches.match(SHELL);
		if (shell) return shell;
		throw error;
	}
}

/** @param {Request} request */
async function networkFirst(request) {
	try {
		return await fetch(request);
	} catch (error) {
		const cached = await caches.match(request);
		if (cached) return cached;
		throw error;
	}
}

worker.addEventListener("fetch", (event) => {
	const { request } = event;
	if (request.method !== "GET") return;
	const url = new URL(request.url);
	if (url.origin !== worker.location.origin) return;
	if (/^\/(?:api|sync)(?:\/|$)/.test(url.pathname)) return;
	if (request.mode === "navigate") {
		event.respondWith(navigate(request));
	} else if (url.pathname.startsWith("/assets/")) {
		event.respondWith(cacheFirst(request));
	} else {
		event.respondWith(networkFirst(request));
	}
});

// Web Push: the handlers are in src/worker/push-handlers.js (tested there), inlined here by
// the build.
/*__PUSH_HANDLERS__*/

worker.addEventListener("push", (event) => {
	event.waitUntil(showPush(worker.registration, event.data ? event.data.text() : null));
});

worker.addEventListener("notificationclick", (event) => {
	event.waitUntil(openNotification(worker.clients, worker.location.origin, event.notification));
});

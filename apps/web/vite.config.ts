import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { serviceWorker } from "./service-worker-plugin.ts";

/** Where `pnpm dev` sends API and sync traffic: a server started with `pnpm start`. */
const SERVER = process.env.SWITCHBOARD_SERVER ?? "http://127.0.0.1:8080";

export default defineConfig({
	plugins: [solid(), serviceWorker()],
	server: {
		proxy: {
			"/api": SERVER,
			"/sync": { target: SERVER, ws: true },
		},
	},
	build: {
		target: "es2022",
		// CodeMirror and Yjs make one large chunk; it is cached by the service worker.
		chunkSizeWarningLimit: 1500,
	},
});

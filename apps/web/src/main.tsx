import { render } from "solid-js/web";
import { App, prefetchSignedIn } from "./app.tsx";
import { followVisualViewport } from "./visual-viewport.ts";
import "./install.ts";
import "./styles.css";
import "./responsive.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
followVisualViewport();
render(() => <App />, root);
// Signed out, the sign-in page needs none of the rest; fetch it while the person types.
prefetchSignedIn();

// The service worker keeps the app shell for offline loads. Only in a build: in
// development it would serve stale modules to Vite.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
	navigator.serviceWorker.register("/sw.js").catch((error: unknown) => {
		// Without it the app still works online; offline loads then need the browser cache.
		console.warn(
			"The service worker could not be registered; offline reloads will not work.",
			error,
		);
	});
}

/**
 * Scenario 9's code that runs inside the page. Each exported function is serialised by
 * playwright-core and evaluated in Chromium, so it may use nothing from this module's scope.
 *
 * Frame work is measured from the frame's start (the requestAnimationFrame timestamp) to a
 * message posted from the rAF callback: that task runs once the frame's main-thread work
 * (scroll events, rAF callbacks, style, layout, paint, commit) is done.
 */

/** What `installProbe` records while the board loads; read with `readProbe`. */
export interface LoadProbe {
	/** When the first large WebSocket message (the board's sync step 2) was dispatched. */
	boardMessageAt: number | null;
	boardMessageBytes: number;
	/** When the first card was in the DOM (a MutationObserver callback). */
	cardsInDomAt: number | null;
	/**
	 * When a task queued as the first card appeared ran: the main thread was free to handle
	 * an input from then on (input even goes ahead of other queued tasks).
	 */
	cardsTaskEndAt: number | null;
	/** When the frame that first showed cards had been produced. */
	cardsPaintedAt: number | null;
	/** The probe key: its hardware timestamp, when handlers started and ended, painted. */
	keyTimestamp: number | null;
	keyStartAt: number | null;
	keyEndAt: number | null;
	keyPaintedAt: number | null;
	/** Whether the probe key selected a card, as a user would see. */
	keySelectedCard: boolean;
	longTasks: { start: number; duration: number }[];
	events: {
		name: string;
		start: number;
		processingStart: number;
		processingEnd: number;
		duration: number;
	}[];
	animationFrames: { start: number; duration: number; blockingDuration: number }[];
	marks: { name: string; start: number; detail: unknown }[];
}

/**
 * Init script, run before the app: signs in from localStorage (the session the server helper
 * made) and records the load. When the first card is in the DOM it calls the CDP binding
 * `bindingName`, on which the bench presses "j" (select the first card) at once.
 */
export function installProbe(input: { session: string; bindingName: string }): void {
	if (!location.protocol.startsWith("http") || location.pathname === "/login") return;
	localStorage.setItem("switchboard.session", input.session);
	const probe: LoadProbe = {
		boardMessageAt: null,
		boardMessageBytes: 0,
		cardsInDomAt: null,
		cardsTaskEndAt: null,
		cardsPaintedAt: null,
		keyTimestamp: null,
		keyStartAt: null,
		keyEndAt: null,
		keyPaintedAt: null,
		keySelectedCard: false,
		longTasks: [],
		events: [],
		animationFrames: [],
		marks: [],
	};
	(window as unknown as { __bench09: LoadProbe }).__bench09 = probe;

	const afterNextFrame = (done: (at: number) => void) => {
		requestAnimationFrame(() => {
			const channel = new MessageChannel();
			channel.port1.onmessage = () => done(performance.now());
			channel.port2.postMessage(0);
		});
	};

	// The board arrives as one large binary message; a listener added in the constructor
	// runs before the provider's own handler.
	const NativeWebSocket = window.WebSocket;
	window.WebSocket = class extends NativeWebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			this.addEventListener("message", (event: MessageEvent) => {
				const data = event.data as ArrayBuffer | Blob | string;
				const bytes =
					typeof data === "string"
						? data.length
						: data instanceof Blob
							? data.size
							: data.byteLength;
				if (probe.boardMessageAt === null && bytes > 64 * 1024) {
					probe.boardMessageAt = performance.now();
					probe.boardMessageBytes = bytes;
				}
			});
		}
	};

	const observe = (
		type: string,
		options: PerformanceObserverInit,
		take: (entry: PerformanceEntry) => void,
	) => {
		try {
			new PerformanceObserver((list) => {
				for (const entry of list.getEntries()) take(entry);
			}).observe({ type, buffered: true, ...options });
		} catch {
			// This Chromium does not know the entry type: the field stays empty.
		}
	};
	observe("longtask", {}, (entry) => {
		probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
	});
	observe("event", { durationThreshold: 16 } as PerformanceObserverInit, (entry) => {
		const timing = entry as PerformanceEventTiming;
		probe.events.push({
			name: timing.name,
			start: timing.startTime,
			processingStart: timing.processingStart,
			processingEnd: timing.processingEnd,
			duration: timing.duration,
		});
	});
	observe("long-animation-frame", {}, (entry) => {
		const frame = entry as PerformanceEntry & { blockingDuration: number };
		probe.animationFrames.push({
			start: frame.startTime,
			duration: frame.duration,
			blockingDuration: frame.blockingDuration,
		});
	});
	observe("mark", {}, (entry) => {
		probe.marks.push({
			name: entry.name,
			start: entry.startTime,
			detail: (entry as PerformanceMark).detail,
		});
	});

	window.addEventListener(
		"keydown",
		(event) => {
			if (event.key !== "j" || probe.keyStartAt !== null) return;
			probe.keyTimestamp = event.timeStamp;
			probe.keyStartAt = performance.now();
			// Bubbling to window comes after the app's handler on document.
			window.addEventListener(
				"keydown",
				() => {
					probe.keyEndAt = performance.now();
					afterNextFrame((at) => {
						probe.keyPaintedAt = at;
						probe.keySelectedCard =
							document.querySelector('[data-testid="card"].selected') !== null;
					});
				},
				{ once: true },
			);
		},
		{ capture: true },
	);

	const watcher = new MutationObserver(() => {
		if (probe.cardsInDomAt !== null || !document.querySelector('[data-testid="card"]')) return;
		probe.cardsInDomAt = performance.now();
		watcher.disconnect();
		const channel = new MessageChannel();
		channel.port1.onmessage = () => {
			probe.cardsTaskEndAt = performance.now();
		};
		channel.port2.postMessage(0);
		const press = (window as unknown as Record<string, (payload: string) => void>)[
			input.bindingName
		];
		press?.("cards");
		afterNextFrame((at) => {
			probe.cardsPaintedAt = at;
		});
	});
	watcher.observe(document, { childList: true, subtree: true });
}

export function readProbe(): LoadProbe | null {
	return (window as unknown as { __bench09?: LoadProbe }).__bench09 ?? null;
}

export interface ScrollResult {
	distancePx: number;
	stepPx: number;
	/** rAF timestamps, one per frame. */
	frameStarts: number[];
	/** Main-thread work of each frame, ms. */
	frameWork: number[];
	animationFrames: { start: number; duration: number; blockingDuration: number }[];
	/** Whether the last card of the column was in the DOM at the end. */
	reachedEnd: boolean;
	cardsInDomMax: number;
}

/**
 * Scroll one column from top to bottom in `frames` equal rAF steps, timing every frame.
 * A step of several screens means each frame replaces every card in view: the worst case
 * for a virtual list (a fast fling or a drag of the scrollbar).
 */
export function scrollColumn(input: {
	status: string;
	frames: number;
	/** How far to scroll; the whole column when left out. */
	distancePx?: number;
}): Promise<ScrollResult> {
	const scroller = document.querySelector<HTMLElement>(
		`[data-testid="column"][data-status="${input.status}"] .column-scroll`,
	);
	if (!scroller) return Promise.reject(new Error(`no column ${input.status}`));
	const distance = Math.min(
		scroller.scrollHeight - scroller.clientHeight,
		input.distancePx ?? Number.POSITIVE_INFINITY,
	);
	const step = distance / input.frames;
	const animationFrames: ScrollResult["animationFrames"] = [];
	let observer: PerformanceObserver | null = null;
	try {
		observer = new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) {
				const frame = entry as PerformanceEntry & { blockingDuration: number };
				animationFrames.push({
					start: frame.startTime,
					duration: frame.duration,
					blockingDuration: frame.blockingDuration,
				});
			}
		});
		observer.observe({ type: "long-animation-frame" });
	} catch {
		observer = null;
	}
	const frameStarts: number[] = [];
	const frameWork: number[] = [];
	let cardsInDomMax = 0;
	const channel = new MessageChannel();
	let frameStart = 0;
	channel.port1.onmessage = () => {
		frameWork.push(performance.now() - frameStart);
	};
	return new Promise((resolve) => {
		let index = 0;
		const tick = (timestamp: number) => {
			frameStarts.push(timestamp);
			frameStart = timestamp;
			cardsInDomMax = Math.max(
				cardsInDomMax,
				scroller.querySelectorAll('[data-testid="card"]').length,
			);
			// Two more frames after the last step: the list renders its range one frame later.
			if (index >= input.frames + 2) {
				channel.port2.postMessage(0);
				setTimeout(() => {
					observer?.disconnect();
					const last = scroller.querySelector("[aria-posinset]:last-child");
					const count = Number(last?.getAttribute("aria-setsize") ?? -1);
					const positions = [...scroller.querySelectorAll("[aria-posinset]")].map((item) =>
						Number(item.getAttribute("aria-posinset")),
					);
					resolve({
						distancePx: distance,
						stepPx: step,
						frameStarts,
						frameWork,
						animationFrames,
						reachedEnd: input.distancePx !== undefined || positions.includes(count),
						cardsInDomMax,
					});
				}, 100);
				return;
			}
			index += 1;
			scroller.scrollTop = Math.min(distance, Math.round(index * step));
			channel.port2.postMessage(0);
			requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	});
}

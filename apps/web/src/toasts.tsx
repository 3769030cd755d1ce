/**
 * Toasts: short messages in a corner. Errors (a refused command) are announced at once
 * (role="alert"); confirmations politely (role="status").
 *
 * A modal dialog puts the rest of the page under its backdrop and makes it inert: a toast
 * there would be neither seen nor read out, so a refusal of something done in the dialog
 * (a tag added to a conversation someone else owns) would look like nothing happened. While
 * a modal dialog is open, the toasts are shown inside it, still in their corner.
 *
 * They stand at the foot of the screen (across it on a phone, in the bottom left corner from
 * 720 px), raised above the bars there that they would cover (the reply bar, the install
 * offer, see foot-bars.ts) for as long as they are shown: the page scrolling moves the reply
 * bar in and out of their way.
 */
import {
	createContext,
	createEffect,
	createSignal,
	For,
	type JSX,
	onCleanup,
	Show,
} from "solid-js";
import { Portal } from "solid-js/web";
import { footBars, footClearance } from "./foot-bars.ts";
import { useRequiredContext } from "./required-context.ts";

export interface Toast {
	id: number;
	kind: "error" | "info";
	message: string;
	/** What it is about: a newer toast about the same takes its place (see `notify`). */
	about?: string;
}

interface Toasts {
	/**
	 * Show `message`. With `about`, it replaces a toast still shown about the same thing: a
	 * setting toggled five times says where it ended, not five times what it passed through.
	 */
	notify(kind: Toast["kind"], message: string, about?: string): void;
}

const ToastContext = createContext<Toasts>();

/** How long a toast stays, in ms. Errors stay longer: they ask the reader to act. */
const DURATION: Record<Toast["kind"], number> = { error: 12_000, info: 5_000 };

export function ToastProvider(props: { children: JSX.Element }) {
	const [toasts, setToasts] = createSignal<Toast[]>([]);
	/** The modal dialog the toasts are shown in, while it is open. */
	const [host, setHost] = createSignal<HTMLDialogElement | null>(null);
	let next = 1;
	const dismiss = (id: number) => setToasts((list) => list.filter((toast) => toast.id !== id));
	// Looked up at each toast: a dialog removed with the page it was on fires no close event,
	// and must not keep the toasts that come after it.
	const showInOpenDialog = () => {
		const dialog = [...document.querySelectorAll<HTMLDialogElement>("dialog:modal")].at(-1) ?? null;
		if (dialog === host()) return;
		setHost(dialog);
		dialog?.addEventListener("close", () => setHost((shown) => (shown === dialog ? null : shown)), {
			once: true,
		});
	};
	const notify = (kind: Toast["kind"], message: string, about?: string) => {
		const id = next++;
		showInOpenDialog();
		const kept = (list: Toast[]) =>
			about === undefined ? list : list.filter((toast) => toast.about !== about);
		// Five at most: a burst of rejects after a reconnect should not fill the screen.
		setToasts((list) => [
			...kept(list).slice(-4),
			{ id, kind, message, ...(about === undefined ? {} : { about }) },
		]);
		setTimeout(() => dismiss(id), DURATION[kind]);
	};
	/** How far the toasts stand above the screen's foot to clear its bars (see foot-bars.ts). */
	const [clearance, setClearance] = createSignal(0);
	let regionElement: HTMLElement | undefined;
	createEffect(() => {
		// Measured only while a toast is shown, and not in a dialog, whose backdrop covers the bars.
		if (toasts().length === 0 || host()) {
			setClearance(0);
			return;
		}
		let frame = 0;
		const measure = () => {
			cancelAnimationFrame(frame);
			frame = requestAnimationFrame(() => {
				if (!regionElement) return;
				// Where the toasts rest, unraised: their width, their height and the room below them
				// (`--toast-margin`, styles.css), up from the foot the keyboard leaves.
				const foot = window.visualViewport?.height ?? window.innerHeight;
				const { left, right } = regionElement.getBoundingClientRect();
				const margin = Number.parseFloat(
					getComputedStyle(regionElement).getPropertyValue("--toast-margin"),
				);
				const top = foot - regionElement.offsetHeight - (Number.isNaN(margin) ? 0 : margin);
				setClearance(footClearance({ top, right, bottom: foot, left }));
			});
		};
		const resized = new ResizeObserver(measure);
		for (const bar of footBars()) {
			resized.observe(bar);
			// A bar without a box of its own (the reply bar from 960 px) is never resized: the row
			// it is laid out in is.
			if (getComputedStyle(bar).display === "contents" && bar.parentElement)
				resized.observe(bar.parentElement);
		}
		if (regionElement) resized.observe(regionElement);
		document.addEventListener("scroll", measure, { capture: true, passive: true });
		window.visualViewport?.addEventListener("resize", measure);
		measure();
		onCleanup(() => {
			cancelAnimationFrame(frame);
			resized.disconnect();
			document.removeEventListener("scroll", measure, { capture: true });
			window.visualViewport?.removeEventListener("resize", measure);
		});
	});
	const region = () => (
		<section
			class="toasts"
			ref={regionElement}
			style={{ "--foot-clearance": `${clearance()}px` }}
			aria-label="Notifications"
		>
			<For each={toasts()}>
				{(toast) => (
					<div
						class={`toast toast-${toast.kind}`}
						role={toast.kind === "error" ? "alert" : "status"}
						data-testid={toast.kind === "error" ? "toast-error" : "toast-info"}
					>
						<span class="toast-message">{toast.message}</span>
						<button
							type="button"
							class="icon-button"
							aria-label="Dismiss notification"
							onClick={() => dismiss(toast.id)}
						>
							×
						</button>
					</div>
				)}
			</For>
		</section>
	);
	return (
		<ToastContext.Provider value={{ notify }}>
			{props.children}
			<Show when={host()} keyed fallback={region()}>
				{(dialog) => <Portal mount={dialog}>{region()}</Portal>}
			</Show>
		</ToastContext.Provider>
	);
}

export function useToasts(): Toasts {
	return useRequiredContext(ToastContext, "useToasts", "ToastProvider");
}

/**
 * Toasts: short messages in a corner. Errors (a refused command) are announced at once
 * (role="alert"); confirmations politely (role="status").
 */
import { createContext, createSignal, For, type JSX } from "solid-js";
import { useRequiredContext } from "./required-context.ts";

export interface Toast {
	id: number;
	kind: "error" | "info";
	message: string;
}

interface Toasts {
	notify(kind: Toast["kind"], message: string): void;
}

const ToastContext = createContext<Toasts>();

/** How long a toast stays, in ms. Errors stay longer: they ask the reader to act. */
const DURATION: Record<Toast["kind"], number> = { error: 12_000, info: 5_000 };

export function ToastProvider(props: { children: JSX.Element }) {
	const [toasts, setToasts] = createSignal<Toast[]>([]);
	let next = 1;
	const dismiss = (id: number) => setToasts((list) => list.filter((toast) => toast.id !== id));
	const notify = (kind: Toast["kind"], message: string) => {
		const id = next++;
		// Five at most: a burst of rejects after a reconnect should not fill the screen.
		setToasts((list) => [...list.slice(-4), { id, kind, message }]);
		setTimeout(() => dismiss(id), DURATION[kind]);
	};
	return (
		<ToastContext.Provider value={{ notify }}>
			{props.children}
			<section class="toasts" aria-label="Notifications">
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
		</ToastContext.Provider>
	);
}

export function useToasts(): Toasts {
	return useRequiredContext(ToastContext, "useToasts", "ToastProvider");
}

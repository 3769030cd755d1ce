/**
 * The one-time "Install app" offer, a strip at the foot of the screen: the page ends above it,
 * so it covers none of the work (see `.install-offer` in responsive.css).
 */
import { Show } from "solid-js";
import { footBar } from "../foot-bars.ts";
import { dismissInstall, offerInstall, promptInstall } from "../install.ts";

/** Asks the browser to install Switchboard as an app (only offered when it can). */
export function InstallButton(props: { class: string; testId: string }) {
	return (
		<button
			type="button"
			class={props.class}
			onClick={() => void promptInstall()}
			data-testid={props.testId}
		>
			Install app
		</button>
	);
}

export function InstallOffer() {
	return (
		<Show when={offerInstall()}>
			<aside
				class="install-offer"
				ref={footBar}
				aria-label="Install Switchboard"
				data-testid="install-offer"
			>
				<img src="/icons/icon-192.png" alt="" width="40" height="40" />
				<p>
					<strong>Install Switchboard</strong>
					<span>Open your queue from the home screen, even offline.</span>
				</p>
				<div class="install-offer-actions">
					<button type="button" class="button button-ghost" onClick={() => dismissInstall()}>
						Not now
					</button>
					<InstallButton class="button button-primary" testId="install-app" />
				</div>
			</aside>
		</Show>
	);
}

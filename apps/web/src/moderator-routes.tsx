/**
 * The moderator's pages as routes, mounted inside the signed-in shell. Each loads on its
 * first visit (lazy-pages.tsx): ambassadors never download the charts or the review tools.
 */
import { Route } from "@solidjs/router";
import { CoveragePage, ReportsPage, ReviewsPage } from "./lazy-pages.tsx";

export function ModeratorRoutes() {
	return (
		<>
			<Route path="/coverage" component={CoveragePage} />
			<Route path="/reviews" component={ReviewsPage} />
			<Route path="/reports" component={ReportsPage} />
		</>
	);
}

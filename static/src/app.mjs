// Progressive enhancement only: every page works without this file.
import { initAll } from "./govuk-frontend.min.js";
import { initAll as initMojAll } from "./moj-frontend.min.js";
import { initPickers } from "./pickers.mjs";

initAll();
initMojAll();
initPickers();

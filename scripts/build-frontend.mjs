// Builds static/dist from npm packages: our Sass, GOV.UK and MOJ Frontend scripts and our icons.
import { mkdirSync, copyFileSync, cpSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static/dist";
mkdirSync(out, { recursive: true });

// Deprecation notices from inside the npm packages are theirs to fix; ours are still shown.
const quietAboutPackages = {
  warn(message, { span, stack }) {
    if (!`${span?.url ?? ""}${stack ?? ""}`.includes("node_modules")) console.warn(message);
  },
};
const sizes = [];
for (const name of ["main", "moj"]) {
  const { css } = sass.compile(`static/src/${name}.scss`, { loadPaths: ["."], style: "compressed", logger: quietAboutPackages });
  writeFileSync(`${out}/${name}.css`, css);
  sizes.push(`${name}.css ${css.length} bytes`);
}

const copies = [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj-frontend.min.js"],
  ["node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js", "accessible-autocomplete.min.js"],
  ["static/src/app.mjs", "app.mjs"],
  ["static/src/pickers.mjs", "pickers.mjs"],
  ["static/images/favicon.svg", "favicon.svg"],
];
for (const [from, to] of copies) copyFileSync(from, `${out}/${to}`);
cpSync("node_modules/@ministryofjustice/frontend/moj/assets/images", `${out}/moj/images`, { recursive: true });
console.log(`built ${out}: ${sizes.join(", ")} and ${copies.length} files`);

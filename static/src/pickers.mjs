// Pickers (crm/core/pickers.py): a text input wrapped in [data-picker] becomes an accessible-autocomplete
// that offers names from the kind's search endpoint. The field keeps its name and id, so the form posts
// what was chosen or typed, and the server still checks it (and answers "Did you mean …?") as without
// JavaScript. accessible-autocomplete's UMD build sets self.accessibleAutocomplete.
import "./accessible-autocomplete.min.js";

function source(url) {
  let pending = null;
  return (query, populate) => {
    pending?.abort();
    pending = new AbortController();
    fetch(`${url}?q=${encodeURIComponent(query)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => populate(data.results))
      .catch((error) => {
        if (error.name !== "AbortError") populate([]);
      });
  };
}

function describe(result) {
  if (typeof result === "string") return result;
  return result.hint ? `${result.name} (${result.hint})` : result.name;
}

export function initPickers(root = document) {
  const accessibleAutocomplete = self.accessibleAutocomplete;
  if (!accessibleAutocomplete) return;
  for (const wrapper of root.querySelectorAll("[data-picker]")) {
    const input = wrapper.querySelector(`#${CSS.escape(wrapper.dataset.pickerInput)}`);
    if (!input || input.dataset.pickerReady) continue;
    const container = document.createElement("div");
    container.className = "app-picker__autocomplete";
    input.before(container);
    const describedBy = input.getAttribute("aria-describedby");
    const hadError = input.classList.contains("govuk-input--error");
    input.remove();
    accessibleAutocomplete({
      element: container,
      id: input.id,
      name: input.name,
      defaultValue: input.value,
      minLength: 2,
      showNoOptionsFound: true,
      confirmOnBlur: false,
      displayMenu: "overlay",
      inputClasses: hadError ? "govuk-input--error" : "",
      source: source(wrapper.dataset.picker),
      templates: {
        inputValue: (result) => (result ? (typeof result === "string" ? result : result.name) : ""),
        suggestion: describe,
      },
      tNoResults: () => "No matches on the register",
    });
    const enhanced = container.querySelector("input");
    if (enhanced && describedBy) {
      const own = enhanced.getAttribute("aria-describedby");
      enhanced.setAttribute("aria-describedby", own ? `${describedBy} ${own}` : describedBy);
    }
    if (enhanced) enhanced.dataset.pickerReady = "true";
  }
}

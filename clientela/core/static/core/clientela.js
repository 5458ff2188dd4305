// Clientela's only script: pages work without it; it adds three conveniences.
//  1. Typeahead on the header search (#global-search): an ARIA combobox + listbox; choosing a
//     suggestion opens the record.
//  2. Record pickers (input[data-picker-value], rendered by core.pickers, e.g. a contact's
//     company): the same typeahead, but choosing fills the form instead of leaving the page.
//  3. Bulk selection in list tables: [data-select-all] toggles input[name=ids] of its form and
//     [data-bulk-action] buttons are enabled only while something is selected.

const DEBOUNCE_MS = 150;
const MAX_QUERY = 100;

// A combobox whose listbox is filled from a JSON suggestions endpoint (data-suggest-url, which
// may already carry parameters such as entity=company). ``choose(result)`` runs when a
// suggestion is picked with Enter or the pointer; ``links`` renders each suggestion as a link,
// so that the header search's suggestions can also be opened in a new tab.
function setupTypeahead(input, choose, { links = false } = {}) {
  const listbox = document.getElementById(input.getAttribute("aria-controls"));
  const status = document.getElementById(input.dataset.statusId || "global-search-status");
  const url = input.dataset.suggestUrl;
  if (!listbox || !url) return;

  let timer = null;
  let controller = null;
  let options = [];
  let results = [];
  let active = -1;

  function announce(text) {
    if (status) status.textContent = text;
  }

  function close() {
    listbox.hidden = true;
    listbox.replaceChildren();
    options = [];
    results = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function render(found) {
    listbox.replaceChildren();
    results = found;
    options = found.map((result, i) => {
      const option = document.createElement("li");
      option.id = `${listbox.id}-option-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      let body;
      if (links) {
        body = document.createElement("a");
        body.href = result.url;
        body.tabIndex = -1; // focus stays in the input; the option is reached with the arrows
      } else {
        body = document.createElement("span");
        body.className = "suggestion";
      }
      const title = document.createElement("span");
      title.className = "suggestion__title";
      title.textContent = result.title;
      const meta = document.createElement("span");
      meta.className = "suggestion__meta";
      // A picker asks for one kind of record: its label ("Companies") would only repeat.
      const details = links ? [result.label, result.subtitle] : [result.subtitle];
      meta.textContent = details.filter(Boolean).join(" · ");
      body.append(title, meta);
      option.append(body);
      listbox.append(option);
      return option;
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (options.length) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce((input.dataset.statusSome || "{n}").replace("{n}", options.length));
    } else {
      close();
      announce(input.dataset.statusNone || "");
    }
  }

  async function fetchSuggestions(query) {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const target = new URL(url, window.location.href);
      target.searchParams.set("q", query);
      const response = await fetch(target, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) return close();
      const data = await response.json();
      // An answer for an older query is dropped: the input moved on.
      if (input.value.trim().slice(0, MAX_QUERY) !== query) return;
      render(Array.isArray(data.results) ? data.results : []);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  function pick(index) {
    const result = results[index];
    close();
    if (result) choose(result);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim().slice(0, MAX_QUERY);
    if (!query) {
      if (controller) controller.abort();
      close();
      return;
    }
    timer = setTimeout(() => fetchSuggestions(query), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === "Enter") {
      if (active >= 0 && options[active]) {
        // Choose the suggestion instead of submitting the form (the search page, or a half
        // filled record form).
        event.preventDefault();
        pick(active);
      }
    } else if (event.key === "Escape") {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      }
    }
  });

  // Keep focus in the input while the pointer is on the list, so the click lands.
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (!option) return;
    if (event.target.closest("a") && (event.ctrlKey || event.metaKey || event.shiftKey)) return;
    event.preventDefault();
    pick(options.indexOf(option));
  });
  listbox.addEventListener("mousemove", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) highlight(options.indexOf(option));
  });

  input.addEventListener("blur", () => close());
}

function setupBulkSelection(form) {
  const selectAll = form.querySelector("[data-select-all]");
  const boxes = () => [...form.querySelectorAll('input[type="checkbox"][name="ids"]')];
  const buttons = () =>
    [...document.querySelectorAll("[data-bulk-action]")].filter(
      (button) => button.form === form || form.contains(button),
    );

  function update() {
    const all = boxes();
    const checked = all.filter((box) => box.checked).length;
    buttons().forEach((button) => {
      button.disabled = checked === 0;
    });
    if (selectAll) {
      selectAll.checked = checked > 0 && checked === all.length;
      selectAll.indeterminate = checked > 0 && checked < all.length;
    }
  }

  form.addEventListener("change", (event) => {
    if (event.target === selectAll) {
      boxes().forEach((box) => {
        box.checked = selectAll.checked;
      });
    }
    update();
  });
  update();
}

// A picker's text box names its hidden id input (data-picker-value). Choosing a suggestion sets
// the id; without one (no choice made, or no script at all) the server resolves the typed name.
function setupPicker(input) {
  const hidden = document.getElementById(input.dataset.pickerValue);
  if (!hidden) return;
  // Typing makes the text the truth again: the id chosen before would name another record.
  input.addEventListener("input", () => {
    hidden.value = "";
  });
  setupTypeahead(input, (result) => {
    hidden.value = String(result.id);
    input.value = result.title;
  });
}

function init() {
  const search = document.getElementById("global-search");
  if (search) {
    setupTypeahead(search, (result) => window.location.assign(result.url), { links: true });
  }
  document.querySelectorAll("input[data-picker-value]").forEach(setupPicker);
  const forms = new Set();
  document.querySelectorAll("[data-select-all], [data-bulk-action]").forEach((element) => {
    const form = element.form || element.closest("form");
    if (form) forms.add(form);
  });
  forms.forEach(setupBulkSelection);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}

// credwalk pages: small progressive enhancements. Every page works without this script.
"use strict";

// A text input with data-suggest="<kind>" offers concepts or credentials as you type and
// stores the chosen IRI in the hidden input named by data-target (a combobox, WAI-ARIA 1.2).
function enhanceSuggest(input) {
  const target = document.getElementById(input.dataset.target);
  const list = document.createElement("ul");
  list.className = "suggest";
  list.id = input.id + "-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  let timer = null;
  let active = -1;
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
  const choose = (li) => {
    input.value = li.textContent;
    if (target) target.value = li.dataset.value;
    close();
  };
  const show = (items) => {
    list.replaceChildren(...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.dataset.value = item.value;
      li.textContent = item.label;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(li); });
      return li;
    }));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
  };
  input.addEventListener("input", () => {
    if (target) target.value = "";
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(async () => {
      const url = `/suggest?kind=${encodeURIComponent(input.dataset.suggest)}&q=${encodeURIComponent(q)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) show(await response.json());
    }, 200);
  });
  input.addEventListener("keydown", (e) => {
    const options = [...list.children];
    if (list.hidden || options.length === 0) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", options[active].id);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(options[active]);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

// A button with data-copy="<id>" copies that element's text (a verification link).
function enhanceCopy(button) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    await navigator.clipboard.writeText(source.value || source.textContent);
    button.textContent = "Copied";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-suggest]").forEach(enhanceSuggest);
  document.querySelectorAll("button[data-copy]").forEach(enhanceCopy);
});

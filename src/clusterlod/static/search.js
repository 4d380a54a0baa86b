// Filters the list of all resources as you type, by label (the static site has no search server);
// ?kind=cluster keeps one kind of resource, as the index page's links ask.
"use strict";
(function () {
  const list = document.getElementById("results");
  const input = document.getElementById("q");
  const none = document.getElementById("no-results");
  if (!list || !input) return;
  const params = new URLSearchParams(location.search);
  const kind = params.get("kind");
  const items = Array.from(list.children);
  function filter() {
    const words = input.value.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const key = item.dataset.key || "";
      const match = words.every((w) => key.includes(w)) && (!kind || item.dataset.kind === kind);
      item.hidden = !match;
      if (match) shown += 1;
    }
    if (none) none.hidden = shown > 0;
  }
  const q = params.get("q");
  if (q) input.value = q;
  input.addEventListener("input", filter);
  filter();
})();

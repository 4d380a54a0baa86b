// Filters the list of all resources as you type (the static site has no search server).
"use strict";
(function () {
  const list = document.getElementById("results");
  const input = document.getElementById("q");
  const none = document.getElementById("no-results");
  if (!list || !input) return;
  const items = Array.from(list.children);
  function filter() {
    const words = input.value.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const key = item.dataset.key || "";
      const match = words.every((w) => key.includes(w));
      item.hidden = !match;
      if (match) shown += 1;
    }
    if (none) none.hidden = shown > 0;
  }
  const q = new URLSearchParams(location.search).get("q");
  if (q) input.value = q;
  input.addEventListener("input", filter);
  filter();
})();

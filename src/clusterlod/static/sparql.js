// The query page with YASGUI (vendored unmodified in static/vendor/yasgui/): syntax highlighting,
// prefix completion, tabs, result tables. The canned queries open in a tab of their own and run.
// Without JavaScript the server-rendered form below is submitted and the server draws the table.
"use strict";
(function () {
  const form = document.getElementById("editor");
  const holder = document.getElementById("yasgui");
  const Yasgui = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  if (!form || !holder || !Yasgui) return;
  const endpoint = new URL(form.getAttribute("action"), window.location.href).href;
  const canned = JSON.parse(document.getElementById("canned-queries").textContent);
  const first = document.getElementById("query").value;

  // Only http(s) IRIs may stay links: a javascript: or data: IRI in a result is shown, never followed.
  function disarm(root) {
    root.querySelectorAll("a[href]").forEach(function (a) {
      if (a.protocol !== "http:" && a.protocol !== "https:") a.removeAttribute("href");
    });
  }

  // Completion from the page only: the class and property completers ask Linked Open Vocabularies on the
  // internet, and a page served on a closed network showed "Failed fetching suggestions" for every word.
  [Yasgui.Yasqe && Yasgui.Yasqe.defaults, Yasgui.defaults && Yasgui.defaults.yasqe].forEach(function (defaults) {
    if (defaults && Array.isArray(defaults.autocompleters)) {
      const local = defaults.autocompleters.filter(function (name) { return name === "prefixes" || name === "variables"; });
      defaults.autocompleters.splice(0, defaults.autocompleters.length, ...local);
    }
  });

  const yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
  });
  // Results in YASR's "simple view": 18 and 北海道, not "18"^^<http://www.w3.org/2001/XMLSchema#integer>.
  // The reader may still untick it; a tab keeps the reader's choice.
  function simpleView(t) {
    const yasr = t && t.getYasr && t.getYasr();
    const table = yasr && yasr.plugins && yasr.plugins.table;
    if (table && table.persistentConfig && table.persistentConfig.compact === undefined) {
      table.persistentConfig.compact = true;
    }
  }
  const tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(first);
  simpleView(tab);
  // The result table shows a resource of the release by its label in the page's language, as the
  // server-rendered table does; the link still goes to the IRI. Other IRIs stay as they are.
  let labels = {};
  function relabel(root) {
    root.querySelectorAll(".yasr a[href]").forEach(function (a) {
      const iri = a.getAttribute("href");
      const label = Object.prototype.hasOwnProperty.call(labels, iri) ? labels[iri] : null;
      if (label && a.textContent !== label) {
        if (!a.title) a.title = iri;
        a.textContent = label;
        // YASGUI writes a full IRI as <a>…</a> between "<" and ">": a label stands without them
        [a.previousSibling, a.nextSibling].forEach(function (node, i) {
          if (node && node.nodeType === Node.TEXT_NODE && node.data === (i ? ">" : "<")) node.remove();
        });
      }
    });
  }
  // A table wider than the page scrolls sideways: say so above it, with its number of columns, since
  // a touch screen shows no scroll bar until one scrolls (issue 27: "2 of 6 columns" went unnoticed).
  function markScrolling(root) {
    root.querySelectorAll(".yasr table.dataTable").forEach(function (table) {
      const box = table.closest(".yasr");
      const wide = box.scrollWidth > box.clientWidth + 1;
      let note = box.querySelector(".scroll-note");
      if (wide && !note && form.dataset.scrollNote) {
        note = document.createElement("p");
        note.className = "scroll-note";
        note.textContent = form.dataset.scrollNote.replace("{n}", table.querySelectorAll("thead th").length);
        table.parentNode.insertBefore(note, table);
      } else if (!wide && note) {
        note.remove();
      }
    });
  }
  function tidy() { disarm(holder); relabel(holder); markScrolling(holder); }
  window.addEventListener("resize", function () { markScrolling(holder); });
  new MutationObserver(tidy).observe(holder, { childList: true, subtree: true, characterData: true });
  if (form.dataset.labels) {
    fetch(new URL(form.dataset.labels, window.location.href).href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) { labels = data || {}; tidy(); })
      .catch(function () { /* without labels the table shows IRIs, as YASGUI does */ });
  }

  function open(query) {
    const opened = yasgui.addTab(true, { name: query.title });
    opened.setEndpoint(endpoint);
    opened.setQuery(query.text);
    simpleView(opened);
    opened.query();
  }
  document.querySelectorAll("a.run-query").forEach(function (link) {
    const query = canned.find(function (q) { return q.name === link.dataset.name; });
    if (!query) return;
    link.addEventListener("click", function (event) { event.preventDefault(); open(query); });
  });
  document.documentElement.classList.add("has-yasgui");
  if (new URLSearchParams(window.location.search).has("query")) tab.query();
})();
